import { ServiceError } from '../../../local/core/errors';
import { stringListParam, tagListParam } from '../../../local/core/params';

/** A call's parameters as the POP router holds them: first occurrence wins, flattened names kept. */
function call(params: Record<string, string>) {
  return {
    param: (name: string) => params[name],
    paramsWithPrefix: (prefix: string) => Object.entries(params).filter(([k]) => k.startsWith(prefix)),
  };
}

function refusal(fn: () => unknown): ServiceError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ServiceError);
    return e as ServiceError;
  }
  throw new Error('expected a ServiceError');
}

describe('stringListParam', () => {
  it('reads the JSON form the TypeScript SDK sends, and the flattened Name.N form in index order', () => {
    expect(stringListParam(call({ ResourceNames: '["a","b"]' }), 'ResourceNames')).toEqual(['a', 'b']);
    expect(stringListParam(call({ 'ResourceNames.2': 'b', 'ResourceNames.1': 'a', 'ResourceNames.x': 'no' }), 'ResourceNames')).toEqual(['a', 'b']);
    expect(stringListParam(call({}), 'ResourceNames')).toBeUndefined();
    expect(stringListParam(call({ ResourceNames: '' }), 'ResourceNames')).toBeUndefined();
  });

  it('refuses text that is not JSON, and JSON that is not a list of strings, with InvalidParameter.<Name>', () => {
    for (const bad of ['[a', '{"a":1}', '[1]']) {
      const e = refusal(() => stringListParam(call({ ResourceNames: bad }), 'ResourceNames'));
      expect([e.code, e.httpStatus, e.message]).toEqual(['InvalidParameter.ResourceNames', 400, 'The parameter - "ResourceNames" must be a JSON array of strings.']);
    }
  });
});

describe('tagListParam', () => {
  it('reads the JSON form with an optional Value, and the flattened Name.N.Key / Name.N.Value form', () => {
    expect(tagListParam(call({ Tag: '[{"Key":"k","Value":"v"},{"Key":"only"}]' }), 'Tag')).toEqual([{ key: 'k', value: 'v' }, { key: 'only' }]);
    expect(tagListParam(call({ 'Tag.2.Key': 'b', 'Tag.1.Key': 'a', 'Tag.1.Value': '1' }), 'Tag')).toEqual([{ key: 'a', value: '1' }, { key: 'b' }]);
    expect(tagListParam(call({}), 'Tag')).toBeUndefined();
  });

  it('refuses malformed JSON, a non-list, a non-object entry and a missing Key', () => {
    for (const bad of ['[{', '{"Key":"k"}', '["k"]', '[{"Value":"v"}]', '[{"Key":"k","Value":1}]']) {
      const e = refusal(() => tagListParam(call({ Tag: bad }), 'Tag'));
      expect([e.code, e.message]).toEqual(['InvalidParameter.Tag', 'The parameter - "Tag" must be a JSON array of {"Key","Value"}.']);
    }
    expect(refusal(() => tagListParam(call({ 'Tag.1.Value': 'v' }), 'Tag')).code).toBe('InvalidParameter.Tag.Key');
  });
});

/** The strict JSON reader under the grammar check: RFC 8259, plus no duplicate keys (stricter). */
import { isJsonArray, isJsonObject, parseJson } from '../../../local/access/policy/json';
import { PolicyGrammarError } from '../../../local/access/policy';

const fails = (text: string): string => {
  try {
    parseJson(text);
    return 'parsed';
  } catch (e) {
    expect(e).toBeInstanceOf(PolicyGrammarError);
    return (e as Error).message;
  }
};

describe('parseJson', () => {
  it('reads what JSON.parse reads, objects as Maps', () => {
    const v = parseJson(' {"a": [1, -2.5e3, true, false, null, "x\\u00e9\\n\\"/"], "b": {}} ');
    expect(isJsonObject(v)).toBe(true);
    if (!isJsonObject(v)) return;
    const a = v.get('a');
    expect(isJsonArray(a) ? [...a] : a).toEqual([1, -2500, true, false, null, 'xé\n"/']);
    expect(v.get('b')).toEqual(new Map());
  });

  it('keeps "__proto__" as an ordinary key', () => {
    const v = parseJson('{"__proto__": {"polluted": "yes"}}');
    expect(isJsonObject(v) && v.has('__proto__')).toBe(true);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it.each([
    ['{"a":1,"a":2}', 'duplicate key "a"'],
    ['{"Statement":[{"Effect":"Allow"}],"Statement":[]}', 'duplicate key "Statement"'],
    ['{"a":1,}', 'expected a string key'],
    ['[1,]', 'unexpected character'],
    ['{a:1}', 'expected a string key'],
    ["{'a':1}", 'expected a string key'],
    ['"unterminated', 'unterminated string'],
    ['"tab\there"', 'control character'],
    ['"\\x41"', 'bad escape'],
    ['"\\u12"', 'bad \\u escape'],
    ['01', 'trailing text'],
    ['NaN', 'unexpected character'],
    ['', 'unexpected end of text'],
    ['{"a":1} {"b":2}', 'trailing text'],
    ['\ufeff{}', 'unexpected character'],
    ['{"a" 1}', 'expected ":"'],
    ['[1 2]', 'expected "," or "]"'],
    ['{"a":1 "b":2}', 'expected "," or "}"'],
    ['/* comment */ {}', 'unexpected character'],
  ])('refuses %j', (text, reason) => {
    expect(fails(text)).toContain(reason);
  });

  it('refuses nesting deep enough to hurt, accepts ordinary depth', () => {
    expect(fails('['.repeat(100) + ']'.repeat(100))).toContain('nested too deeply');
    expect(fails('['.repeat(20) + ']'.repeat(20))).toBe('parsed');
  });
});

import { MESSAGE_KINDS, parseWorkflowMessage } from '../../../shared/domain/messages';

describe('parseWorkflowMessage: the one schema of queue messages', () => {
  it('parses objects and JSON text, strictly', () => {
    expect(parseWorkflowMessage({ requestId: 'abc-1', kind: 'provision' })).toEqual({ ok: true, message: { requestId: 'abc-1', kind: 'provision' } });
    expect(parseWorkflowMessage('{"requestId":"abc-1","version":3,"kind":"expire"}')).toEqual({ ok: true, message: { requestId: 'abc-1', version: 3, kind: 'expire' } });
    for (const kind of MESSAGE_KINDS) expect(parseWorkflowMessage({ requestId: 'r', kind }).ok).toBe(true);
  });

  it.each([
    [''], ['{'], ['[]'], ['null'], [42], [undefined],
    [{ requestId: 'a' }],
    [{ requestId: 'a b', kind: 'revoke' }],
    [{ requestId: '../etc', kind: 'revoke' }],
    [{ requestId: 'a', kind: 'revoke', version: -1 }],
    [{ requestId: 'a', kind: 'revoke', version: 1.5 }],
    [{ requestId: 'x'.repeat(65), kind: 'revoke' }],
    [{ requestId: 'a', kind: 'nope' }],
    // Strict: fields we never send mean the message is not ours.
    [{ requestId: 'a', kind: 'revoke', status: 'APPROVED' }],
  ])('refuses %j with a reason, never throwing', (input) => {
    const r = parseWorkflowMessage(input);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(/\S/);
  });

  it('names the offending field', () => {
    expect(parseWorkflowMessage({ requestId: 'a', kind: 'nope' })).toMatchObject({ ok: false, error: expect.stringMatching(/^kind: /) });
    expect(parseWorkflowMessage('not json')).toMatchObject({ ok: false, error: expect.stringMatching(/^not JSON/) });
  });
});

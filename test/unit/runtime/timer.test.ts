import { CrossroleError } from '../../../shared/domain/errors';
import { parseTimerEvent } from '../../../shared/runtime/timer';
import { getTestEvent, listTestEvents } from '../../helpers/get-test-event';

function failure(fn: () => unknown): { code: string; field: string | undefined } | 'no error' {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof CrossroleError)) throw e;
    return { code: e.code, field: e.field };
  }
  return 'no error';
}

describe('timer events', () => {
  it('parses events/timer/expiry-scan.json', () => {
    expect(parseTimerEvent(getTestEvent('timer/expiry-scan'))).toEqual({
      triggerTime: new Date('2026-11-29T10:01:00Z'),
      triggerName: 'every-minute',
      payload: '{"job":"expiry-scan"}',
    });
  });

  it('a trigger without payload gets ""', () => {
    expect(parseTimerEvent({ triggerTime: '2023-12-26T07:49:00Z', triggerName: 'timer-trigger' }).payload).toBe('');
  });

  it.each<[string, string]>([
    ['timer/invalid-missing-trigger-time', 'event.triggerTime'],
    ['timer/invalid-bad-trigger-time', 'event.triggerTime'],
  ])('%s → VALIDATION at %s', (name, field) => {
    expect(failure(() => parseTimerEvent(getTestEvent(name)))).toEqual({ code: 'VALIDATION', field });
  });

  it('rejects non-JSON, an empty trigger name and an HTTP event', () => {
    expect(failure(() => parseTimerEvent(Buffer.from('tick')))).toEqual({ code: 'VALIDATION', field: 'event' });
    expect(failure(() => parseTimerEvent({ triggerTime: '2023-12-26T07:49:00Z', triggerName: '' }))).toEqual({ code: 'VALIDATION', field: 'event.triggerName' });
    expect(failure(() => parseTimerEvent(getTestEvent('http/intake-get-request')))).toMatchObject({ code: 'VALIDATION' });
  });

  it('every valid timer sample parses; every invalid one fails with a typed error', () => {
    for (const name of listTestEvents('timer')) {
      const outcome = failure(() => parseTimerEvent(getTestEvent(name)));
      if (name.includes('/invalid-')) expect({ name, outcome }).toEqual({ name, outcome: expect.objectContaining({ code: 'VALIDATION' }) });
      else expect({ name, outcome }).toEqual({ name, outcome: 'no error' });
    }
  });
});

describe('sample events', () => {
  it('every events/ file is JSON', () => {
    const all = [...listTestEvents('http'), ...listTestEvents('timer'), ...listTestEvents('mns')];
    expect(all.length).toBeGreaterThanOrEqual(25);
    for (const name of all) expect(() => JSON.parse(getTestEvent(name).toString('utf8'))).not.toThrow();
  });
});

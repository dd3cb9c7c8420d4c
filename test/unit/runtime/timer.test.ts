import { CrossroleError } from '../../../shared/domain/errors';
import { type MnsCloudEvent, parseMnsEvent, parseMnsEvents, parseQueueEvent, parseTimerEvent, parseWorkflowMessage } from '../../../shared/runtime/events';
import { getTestEvent, getTestEventJson, listTestEvents } from '../../helpers/get-test-event';

const RID = '0f3c6a1e-8b2d-4c5e-9a7f-1d2e3f4a5b6c';

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
});

describe('MNS CloudEvents', () => {
  it.each<[string, string, string]>([
    ['mns/provision', 'provision', 'crossrole-provision'],
    ['mns/provision-base64', 'provision', 'crossrole-provision'],
    ['mns/revoke', 'revoke', 'crossrole-revoke'],
    ['mns/expire', 'expire', 'crossrole-revoke'],
  ])('%s unwraps to a %s message from %s', (name, kind, queueName) => {
    const { envelope, message } = parseQueueEvent(getTestEvent(name));
    expect(envelope.queueName).toBe(queueName);
    expect(envelope.messageId).toMatch(/^[0-9A-F]{32}$/);
    expect(envelope.eventId).toBe(getTestEventJson<{ id: string }>(name).id);
    expect(message.requestId).toBe(RID);
    expect(message.kind).toBe(kind);
  });

  it('the body is returned as the producer sent it', () => {
    expect(parseMnsEvent(getTestEvent('mns/provision')).body).toBe(`{"requestId":"${RID}","kind":"provision","version":2}`);
    expect(parseMnsEvent(getTestEvent('mns/provision-base64')).body).toBe(`{"requestId":"${RID}","kind":"provision","version":2}`);
    expect(parseWorkflowMessage(parseMnsEvent(getTestEvent('mns/provision')).body)).toEqual({ requestId: RID, kind: 'provision', version: 2 });
    expect(parseWorkflowMessage(parseMnsEvent(getTestEvent('mns/expire')).body)).toEqual({ requestId: RID, kind: 'expire' });
  });

  it('base64 handling: auto leaves text alone, true forces decoding, false never decodes', () => {
    const b64 = getTestEvent('mns/provision-base64');
    expect(parseMnsEvent(b64, { base64: false }).body).toMatch(/^eyJ/);
    expect(parseMnsEvent(b64, { base64: true }).body).toMatch(/^\{"requestId"/);
    const plain = getTestEventJson<MnsCloudEvent>('mns/provision');
    plain.data.messageBody = 'TEST';
    // "TEST" is valid base64 but not of a message: auto keeps it as text.
    expect(parseMnsEvent(plain).body).toBe('TEST');
    expect(failure(() => parseMnsEvent(getTestEvent('mns/provision'), { base64: true }))).toEqual({ code: 'VALIDATION', field: 'data.messageBody' });
  });

  it('accepts the documented sample event of the start-fc README', () => {
    const sample = {
      id: 'c2g71017-6f65-fhcf-a814-a396fc8d****',
      source: 'MNS-Function-mnstrigger',
      specversion: '1.0',
      type: 'mns:Queue:SendMessage',
      datacontenttype: 'application/json; charset=utf-8',
      subject: 'acs:mns:cn-hangzhou:164901546557****:queues/zeus',
      time: '2021-04-08T06:28:17.093Z',
      aliyunaccountid: '164901546557****',
      aliyunpublishtime: '2021-10-15T07:06:34.028Z',
      aliyunoriginalaccountid: '164901546557****',
      aliyuneventbusname: 'MNS-Function-mnstrigger',
      aliyunregionid: 'cn-chengdu',
      aliyunpublishaddr: '42.120.XX.XX',
      data: { requestId: '606EA3074344430D4C81****', messageId: 'C6DB60D1574661357FA227277445****', messageBody: 'TEST' },
    };
    expect(parseMnsEvent(sample)).toEqual({ eventId: sample.id, messageId: sample.data.messageId, queueName: 'zeus', body: 'TEST' });
  });

  it('event-streaming batches: parseMnsEvents takes arrays, parseMnsEvent only one-element ones', () => {
    const one = getTestEventJson('mns/provision');
    const two = getTestEventJson('mns/revoke');
    expect(parseMnsEvents([one, two]).map((m) => m.queueName)).toEqual(['crossrole-provision', 'crossrole-revoke']);
    expect(parseMnsEvents(one)).toHaveLength(1);
    expect(parseMnsEvent([one]).queueName).toBe('crossrole-provision');
    expect(failure(() => parseMnsEvent([one, two]))).toEqual({ code: 'VALIDATION', field: 'event' });
    expect(failure(() => parseMnsEvents([]))).toEqual({ code: 'VALIDATION', field: 'event' });
    expect(failure(() => parseMnsEvents([one, { id: 'x' }]))).toMatchObject({ code: 'VALIDATION', field: expect.stringMatching(/^event\[1\]\./) });
  });

  it.each<[string, string, string]>([
    ['mns/invalid-missing-request-id', 'VALIDATION', 'messageBody.requestId'],
    ['mns/invalid-not-json', 'INVALID_JSON', 'messageBody'],
    ['mns/invalid-unknown-kind', 'VALIDATION', 'messageBody.kind'],
    ['mns/invalid-not-cloudevent', 'VALIDATION', 'event.data'],
  ])('%s → %s at %s', (name, code, field) => {
    expect(failure(() => parseQueueEvent(getTestEvent(name)))).toEqual({ code, field });
  });

  it('refuses kinds the function does not handle', () => {
    expect(failure(() => parseQueueEvent(getTestEvent('mns/provision'), { allowedKinds: ['revoke', 'expire'] }))).toEqual({ code: 'VALIDATION', field: 'messageBody.kind' });
    expect(parseQueueEvent(getTestEvent('mns/expire'), { allowedKinds: ['revoke', 'expire'] }).message.kind).toBe('expire');
  });

  it('a timer or HTTP event is not an MNS event', () => {
    expect(failure(() => parseMnsEvent(getTestEvent('timer/expiry-scan')))).toMatchObject({ code: 'VALIDATION' });
    expect(failure(() => parseMnsEvent(getTestEvent('http/intake-create-request')))).toMatchObject({ code: 'VALIDATION' });
  });
});

describe('workflow messages', () => {
  it.each<[string, string, string]>([
    ['[]', 'VALIDATION', 'messageBody'],
    ['"provision"', 'VALIDATION', 'messageBody'],
    ['{"requestId":"","kind":"provision"}', 'VALIDATION', 'messageBody.requestId'],
    ['{"requestId":"../../etc","kind":"provision"}', 'VALIDATION', 'messageBody.requestId'],
    [`{"requestId":"${'a'.repeat(65)}","kind":"provision"}`, 'VALIDATION', 'messageBody.requestId'],
    ['{"requestId":"r1","kind":"provision","version":-1}', 'VALIDATION', 'messageBody.version'],
    ['{"requestId":"r1"}', 'VALIDATION', 'messageBody.kind'],
    ['', 'INVALID_JSON', 'messageBody'],
  ])('%s → %s at %s', (body, code, field) => {
    expect(failure(() => parseWorkflowMessage(body))).toEqual({ code, field });
  });

  it('drops unknown fields instead of trusting them', () => {
    expect(parseWorkflowMessage('{"requestId":"r1","kind":"revoke","status":"APPROVED","roleArn":"x"}')).toEqual({ requestId: 'r1', kind: 'revoke' });
  });
});

describe('sample events', () => {
  it('every events/ file is JSON and is exercised by a parser test', () => {
    const all = [...listTestEvents('http'), ...listTestEvents('timer'), ...listTestEvents('mns')];
    expect(all.length).toBeGreaterThanOrEqual(25);
    for (const name of all) expect(() => JSON.parse(getTestEvent(name).toString('utf8'))).not.toThrow();
  });

  it('every valid timer and mns sample parses; every invalid one fails with a typed error', () => {
    for (const name of listTestEvents('timer')) {
      const outcome = failure(() => parseTimerEvent(getTestEvent(name)));
      if (name.includes('/invalid-')) expect({ name, outcome }).toEqual({ name, outcome: expect.objectContaining({ code: 'VALIDATION' }) });
      else expect({ name, outcome }).toEqual({ name, outcome: 'no error' });
    }
    for (const name of listTestEvents('mns')) {
      const outcome = failure(() => parseQueueEvent(getTestEvent(name)));
      if (name.includes('/invalid-')) expect({ name, outcome }).toEqual({ name, outcome: expect.objectContaining({ code: expect.stringMatching(/^(VALIDATION|INVALID_JSON)$/) }) });
      else expect({ name, outcome }).toEqual({ name, outcome: 'no error' });
    }
  });
});

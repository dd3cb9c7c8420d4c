/**
 * The queue edge: trigger events in (one CloudEvent, or an event-streaming array), typed workflow
 * messages to the use case, batch semantics out; and the dead-letter inbox of the expiry function.
 */
import { CrossroleError } from '../../../shared/domain/errors';
import type { WorkflowMessage } from '../../../shared/domain/ports';
import { QueueName } from '../../../shared/domain/ports';
import { decodeMessageBody, parseQueueEvent, type MnsCloudEvent } from '../../../shared/runtime/queue/cloud-event';
import { deadLetterInbox, unwrapDeadLetter } from '../../../shared/runtime/queue/dead-letters';
import { BatchFailedError, queueEdge, type BatchOutcome } from '../../../shared/runtime/queue/edge';
import type { Outcome } from '../../../shared/workflow';
import { FakeQueue, MemoryLogger } from '../../fakes';
import { getTestEvent, getTestEventJson, listTestEvents } from '../../helpers/get-test-event';

const RID = '0f3c6a1e-8b2d-4c5e-9a7f-1d2e3f4a5b6c';

/** The provision sample event with another body and message id. */
function eventWith(body: unknown, messageId: string): MnsCloudEvent {
  const e = getTestEventJson<MnsCloudEvent>('mns/provision');
  e.id = `event-${messageId}`;
  e.data.messageId = messageId;
  e.data.messageBody = typeof body === 'string' ? body : JSON.stringify(body);
  return e;
}
const asEvent = (value: unknown): Buffer => Buffer.from(JSON.stringify(value), 'utf8');
const msg = (requestId: string): WorkflowMessage => ({ requestId, kind: 'provision' });

/** A use case that records what it was given, and fails transiently for request ids starting `boom`. */
function recordingUseCase(): { seen: WorkflowMessage[]; useCase: (deps: { logger: MemoryLogger }, m: WorkflowMessage) => Promise<Outcome> } {
  const seen: WorkflowMessage[] = [];
  return {
    seen,
    useCase: async (_deps, m) => {
      seen.push(m);
      if (m.requestId.startsWith('boom')) throw new CrossroleError('THROTTLED', `RAM throttled ${m.requestId}`);
      return { outcome: 'done', requestId: m.requestId };
    },
  };
}

function edge(): { logger: MemoryLogger; seen: WorkflowMessage[]; handler: (event: Buffer) => Promise<Outcome | BatchOutcome> } {
  const logger = new MemoryLogger();
  const { seen, useCase } = recordingUseCase();
  const h = queueEdge(useCase, { deps: async () => ({ logger }) });
  return { logger, seen, handler: (event) => h(event, { requestId: 'fc-1' }) };
}

describe('parseQueueEvent: one envelope, parsed once', () => {
  it.each<[string, WorkflowMessage['kind'], string]>([
    ['mns/provision', 'provision', 'crossrole-provision'],
    ['mns/provision-base64', 'provision', 'crossrole-provision'],
    ['mns/revoke', 'revoke', 'crossrole-revoke'],
    ['mns/expire', 'expire', 'crossrole-revoke'],
  ])('%s (event-driven: one CloudEvent) is a %s message from %s', (name, kind, queueName) => {
    const { batch, items } = parseQueueEvent(getTestEvent(name));
    expect(batch).toBe(false);
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ queueName, messageId: expect.stringMatching(/^[0-9A-F]{32}$/), parsed: { ok: true, message: { requestId: RID, kind } } });
  });

  it('an event-streaming batch (a JSON array) gives one item per event, in order', () => {
    const { batch, items } = parseQueueEvent(asEvent([getTestEventJson('mns/provision'), getTestEventJson('mns/revoke')]));
    expect(batch).toBe(true);
    expect(items.map((i) => i.queueName)).toEqual(['crossrole-provision', 'crossrole-revoke']);
    expect(items.map((i) => i.parsed.ok && i.parsed.message.kind)).toEqual(['provision', 'revoke']);
    expect(parseQueueEvent(asEvent([getTestEventJson('mns/provision')]))).toMatchObject({ batch: true, items: [{ parsed: { ok: true } }] });
  });

  it('accepts the documented sample event of the start-fc README (its body is not ours)', () => {
    const sample = {
      id: 'c2g71017-6f65-fhcf-a814-a396fc8d****', source: 'MNS-Function-mnstrigger', specversion: '1.0', type: 'mns:Queue:SendMessage',
      datacontenttype: 'application/json; charset=utf-8', subject: 'acs:mns:cn-hangzhou:164901546557****:queues/zeus', time: '2021-04-08T06:28:17.093Z',
      aliyunaccountid: '164901546557****', aliyunpublishtime: '2021-10-15T07:06:34.028Z', aliyunoriginalaccountid: '164901546557****',
      aliyuneventbusname: 'MNS-Function-mnstrigger', aliyunregionid: 'cn-chengdu', aliyunpublishaddr: '42.120.XX.XX',
      data: { requestId: '606EA3074344430D4C81****', messageId: 'C6DB60D1574661357FA227277445****', messageBody: 'TEST' },
    };
    const { items } = parseQueueEvent(sample);
    expect(items).toEqual([{ messageId: sample.data.messageId, queueName: 'zeus', parsed: { ok: false, error: expect.stringMatching(/^not JSON/) } }]);
  });

  it('base64 bodies are decoded only when they cannot be JSON and decode to JSON-looking text', () => {
    const text = `{"requestId":"${RID}","kind":"provision"}`;
    expect(decodeMessageBody(Buffer.from(text).toString('base64'))).toBe(text);
    expect(decodeMessageBody(text)).toBe(text);
    // "TEST" is valid base64, but not of a message: kept as text.
    expect(decodeMessageBody('TEST')).toBe('TEST');
  });

  it.each<[string, RegExp]>([
    ['mns/invalid-missing-request-id', /^requestId: /],
    ['mns/invalid-not-json', /^not JSON/],
    ['mns/invalid-unknown-kind', /^kind: /],
    ['mns/invalid-not-cloudevent', /^event: not an MNS CloudEvent \(data: /],
  ])('%s is a refused item naming why (%s), never a throw', (name, why) => {
    const { items } = parseQueueEvent(getTestEvent(name));
    expect(items).toHaveLength(1);
    expect(items[0]?.parsed).toEqual({ ok: false, error: expect.stringMatching(why) });
  });

  it('a bad element of a batch is refused alone, at its index', () => {
    const { items } = parseQueueEvent(asEvent([getTestEventJson('mns/provision'), { id: 'x' }, getTestEventJson('mns/revoke')]));
    expect(items.map((i) => i.parsed.ok)).toEqual([true, false, true]);
    expect(items[1]?.parsed).toMatchObject({ error: expect.stringMatching(/^event\[1\]: not an MNS CloudEvent/) });
  });

  it('non-JSON, a timer event and an HTTP event are refused', () => {
    expect(parseQueueEvent(Buffer.from('tick')).items[0]?.parsed).toEqual({ ok: false, error: 'event: is not JSON' });
    for (const name of ['timer/expiry-scan', 'http/intake-create-request']) expect(parseQueueEvent(getTestEvent(name)).items[0]?.parsed.ok).toBe(false);
  });

  it('every valid mns sample gives a message; every invalid one a refused item', () => {
    for (const name of listTestEvents('mns')) {
      const ok = parseQueueEvent(getTestEvent(name)).items.every((i) => i.parsed.ok);
      expect({ name, ok }).toEqual({ name, ok: !name.includes('/invalid-') });
    }
  });
});

describe('queueEdge: the trigger contract', () => {
  it('a single CloudEvent: the use case gets the typed message, the trigger its Outcome', async () => {
    const e = edge();
    expect(await e.handler(getTestEvent('mns/provision'))).toEqual({ outcome: 'done', requestId: RID });
    expect(e.seen).toEqual([{ requestId: RID, kind: 'provision', version: 2 }]);
    expect(e.logger.has('queue message handled', 'info')).toBe(true);
  });

  it('a malformed single event is acknowledged (outcome malformed, logged), and no use case runs', async () => {
    const e = edge();
    expect(await e.handler(getTestEvent('mns/invalid-not-json'))).toMatchObject({ outcome: 'malformed', detail: expect.stringMatching(/^not JSON/) });
    expect(await e.handler(getTestEvent('mns/invalid-not-cloudevent'))).toMatchObject({ outcome: 'malformed' });
    expect(await e.handler(Buffer.from('not an event'))).toMatchObject({ outcome: 'malformed' });
    expect(e.seen).toEqual([]);
    expect(e.logger.has('malformed queue message acknowledged', 'warn')).toBe(true);
  });

  it('an array: every message is processed, and the trigger gets one outcome per event', async () => {
    const e = edge();
    const out = await e.handler(asEvent([eventWith(msg('r1'), 'm1'), eventWith(msg('r2'), 'm2'), eventWith(msg('r3'), 'm3')]));
    expect(out).toEqual({ outcomes: ['r1', 'r2', 'r3'].map((requestId) => ({ outcome: 'done', requestId })) });
    expect(e.seen.map((m) => m.requestId)).toEqual(['r1', 'r2', 'r3']);
  });

  it('a batch with malformed messages: they are acknowledged as malformed, the rest processed, nothing thrown', async () => {
    const e = edge();
    const out = await e.handler(asEvent([eventWith('garbage', 'm1'), eventWith(msg('r2'), 'm2'), { id: 'not-a-cloudevent' }, eventWith({ requestId: 'r4', kind: 'nope' }, 'm4'), eventWith(msg('r5'), 'm5')]));
    expect(out).toEqual({
      outcomes: [
        { outcome: 'malformed', detail: expect.stringMatching(/^not JSON/) },
        { outcome: 'done', requestId: 'r2' },
        { outcome: 'malformed', detail: expect.stringMatching(/^event\[2\]: not an MNS CloudEvent/) },
        { outcome: 'malformed', detail: expect.stringMatching(/^kind: /) },
        { outcome: 'done', requestId: 'r5' },
      ],
    });
    expect(e.seen.map((m) => m.requestId)).toEqual(['r2', 'r5']);
    expect(e.logger.entries.filter((l) => l.message === 'malformed queue message acknowledged').map((l) => l.fields?.['messageId'])).toEqual(['m1', undefined, 'm4']);
  });

  it('a transient failure in the middle of a batch: the others are still processed, then the invocation throws', async () => {
    const e = edge();
    const run = e.handler(asEvent([eventWith(msg('r1'), 'm1'), eventWith(msg('boom-2'), 'm2'), eventWith(msg('r3'), 'm3'), eventWith('garbage', 'm4')]));
    await expect(run).rejects.toBeInstanceOf(BatchFailedError);
    await expect(run).rejects.toMatchObject({ message: expect.stringMatching(/^1 of 4 messages failed .*RAM throttled boom-2/) });
    expect(e.seen.map((m) => m.requestId)).toEqual(['r1', 'boom-2', 'r3']);
    expect(e.logger.entries.find((l) => l.message.startsWith('queue message failed'))).toMatchObject({ level: 'warn', fields: { messageId: 'm2', requestId: 'boom-2' } });
  });

  it('several transient failures are reported together', async () => {
    const e = edge();
    const err = await e.handler(asEvent([eventWith(msg('boom-1'), 'm1'), eventWith(msg('r2'), 'm2'), eventWith(msg('boom-3'), 'm3')])).catch((x: unknown) => x);
    expect(err).toBeInstanceOf(BatchFailedError);
    expect((err as BatchFailedError).errors.map((x) => (x as CrossroleError).code)).toEqual(['THROTTLED', 'THROTTLED']);
  });

  it('a single event that fails transiently throws the use case\'s own error', async () => {
    const e = edge();
    await expect(e.handler(asEvent(eventWith(msg('boom-1'), 'm1')))).rejects.toMatchObject({ code: 'THROTTLED', message: 'RAM throttled boom-1' });
  });

  it('an empty batch is acknowledged with no outcomes', async () => {
    const e = edge();
    expect(await e.handler(asEvent([]))).toEqual({ outcomes: [] });
    expect(e.logger.has('empty queue batch', 'warn')).toBe(true);
  });
});

describe('dead letters: unwrapped at the expiry function\'s edge', () => {
  const m = { requestId: 'abc-1', kind: 'revoke' } as const;
  const json = JSON.stringify(m);
  const b64 = Buffer.from(json).toString('base64');
  const cloudEvent = (body: string): MnsCloudEvent => eventWith(body, 'm1');

  it.each<[string, string]>([
    ['the message as sent', json],
    ['the message, base64', b64],
    ['the trigger\'s CloudEvent, plain body', JSON.stringify(cloudEvent(json))],
    ['the trigger\'s CloudEvent, base64 body', JSON.stringify(cloudEvent(b64))],
    ['the CloudEvent itself base64-encoded', Buffer.from(JSON.stringify(cloudEvent(json))).toString('base64')],
    ['a minimal envelope ({ data: { messageBody } })', JSON.stringify({ data: { messageBody: json } })],
  ])('reads %s', (_what, body) => {
    expect(unwrapDeadLetter(body)).toEqual([{ ok: true, message: m }]);
  });

  it('reads an event-streaming batch (an array of CloudEvents) as one entry per event', () => {
    const other = { requestId: 'abc-2', kind: 'provision', version: 3 };
    expect(unwrapDeadLetter(JSON.stringify([cloudEvent(json), cloudEvent(JSON.stringify(other)), cloudEvent('TEST')]))).toEqual([
      { ok: true, message: m }, { ok: true, message: other }, { ok: false, error: expect.stringMatching(/^not JSON/) },
    ]);
  });

  it.each([['not a message'], [JSON.stringify({ data: { messageBody: 'TEST' } })], [JSON.stringify({ requestId: 'a', kind: 'revoke', extra: 1 })], ['[]'], ['']])(
    'refuses %j with a reason',
    (body) => {
      const entries = unwrapDeadLetter(body);
      expect(entries).toHaveLength(1);
      expect(entries[0]).toEqual({ ok: false, error: expect.stringMatching(/\S/) });
    },
  );

  it('the inbox receives from crossrole-deadletter, unwrapped, and deletes by receipt handle', async () => {
    const queue = new FakeQueue();
    queue.pushRaw(QueueName.DEADLETTER, JSON.stringify(cloudEvent(b64)));
    queue.pushRaw(QueueName.PROVISION, json);
    const inbox = deadLetterInbox(queue);
    const [dl, ...rest] = await inbox.receive(16);
    expect(rest).toEqual([]);
    expect(dl).toMatchObject({ dequeueCount: 1, entries: [{ ok: true, message: m }] });
    await inbox.delete(dl?.receiptHandle ?? '');
    expect(queue.pending(QueueName.DEADLETTER)).toEqual([]);
    expect(queue.pending(QueueName.PROVISION)).toHaveLength(1);
  });
});

/**
 * The local MNS service driven by the real, unmodified @alicloud/mns 1.2.0 client.
 * The service clock is the wall clock plus an offset the tests advance, so visibility timeouts,
 * delays and retention are checked without sleeping (signature Date checks use the wall clock).
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ACCOUNT, KEYS, OTHER_ACCOUNT, sdk, sdkError, startHarness, type Harness, type MnsSdkClient } from './mns-harness';

let h: Harness;
let client: MnsSdkClient;
let offsetMs = 0;
let seq = 0;
const advance = (ms: number): void => {
  offsetMs += ms;
};
const qname = (label: string): string => `t-${label}-${++seq}`;
const md5 = (s: string): string => createHash('md5').update(s, 'utf8').digest('hex').toUpperCase();
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  h = await startHarness({ clock: () => new Date(Date.now() + offsetMs) });
  client = sdk(h.endpoint);
});

afterAll(async () => {
  await h.close();
});

describe('queues', () => {
  it('creates idempotently, rejects different attributes, reports attributes, updates and deletes', async () => {
    // Prepare
    const q = qname('life');

    // Act / Assess
    const created = await client.createQueue(q, { VisibilityTimeout: 45, PollingWaitSeconds: 2 });
    expect(created.code).toBe(201);
    expect(created.headers.location).toBe(`${h.endpoint}/queues/${q}`);
    expect((await client.createQueue(q, { VisibilityTimeout: 45, PollingWaitSeconds: 2 })).code).toBe(204);
    expect((await sdkError(client.createQueue(q, { VisibilityTimeout: 46 }))).name).toBe('MNSQueueAlreadyExistError');

    const attrs = (await client.getQueueAttributes(q)).body;
    expect(attrs).toMatchObject({
      QueueName: q,
      DelaySeconds: '0',
      MaximumMessageSize: '65536',
      MessageRetentionPeriod: '345600',
      VisibilityTimeout: '45',
      PollingWaitSeconds: '2',
      ActiveMessages: '0',
      InactiveMessages: '0',
      DelayMessages: '0',
      LoggingEnabled: 'False',
    });
    expect(Math.abs(Number(attrs.CreateTime) - Date.now() / 1000)).toBeLessThan(5);

    expect((await client.setQueueAttributes(q, { VisibilityTimeout: 10, DelaySeconds: 3 })).code).toBe(204);
    const updated = (await client.getQueueAttributes(q)).body;
    expect(updated).toMatchObject({ VisibilityTimeout: '10', DelaySeconds: '3', PollingWaitSeconds: '2' });

    expect((await client.deleteQueue(q)).code).toBe(204);
    expect((await sdkError(client.getQueueAttributes(q))).name).toBe('MNSQueueNotExistError');
    expect((await sdkError(client.sendMessage(q, { MessageBody: 'x' }))).name).toBe('MNSQueueNotExistError');
  });

  // Documented ranges (CreateQueue, www.alibabacloud.com/help/en/message-service/latest/createqueue).
  const RANGES = {
    DelaySeconds: [0, 604_800],
    MaximumMessageSize: [1_024, 65_536],
    MessageRetentionPeriod: [60, 604_800],
    VisibilityTimeout: [1, 43_200],
    PollingWaitSeconds: [0, 30],
  } as const;
  const ends = (i: 0 | 1): Record<string, number> => Object.fromEntries(Object.entries(RANGES).map(([k, r]) => [k, r[i]]));
  const asStrings = (o: Record<string, number>): Record<string, string> => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, String(v)]));

  it('accepts every attribute at both ends of its range and round-trips it through Create/Set/GetQueueAttributes', async () => {
    const q = qname('ends');
    expect((await client.createQueue(q, { ...ends(0), LoggingEnabled: 'True' })).code).toBe(201);
    expect((await client.getQueueAttributes(q)).body).toMatchObject({ ...asStrings(ends(0)), LoggingEnabled: 'True' });
    expect((await client.setQueueAttributes(q, ends(1))).code).toBe(204);
    expect((await client.getQueueAttributes(q)).body).toMatchObject({ ...asStrings(ends(1)), LoggingEnabled: 'True' });
  });

  it.each(Object.entries(RANGES))('%s one step outside its range is 400 InvalidArgument on create and on set, and changes nothing', async (name, [low, high]) => {
    const unit = name === 'MaximumMessageSize' ? 'bytes' : 'seconds';
    const below = await sdkError(client.createQueue(qname('below'), { [name]: low - 1 }));
    expect(below.name).toBe('MNSInvalidArgumentError');
    expect(below.message).toContain('failed with 400');
    expect(below.message).toContain(`The value of ${name} must be between ${low} and ${high} ${unit}.`);
    const q = qname('above');
    await client.createQueue(q);
    const before = (await client.getQueueAttributes(q)).body;
    expect((await sdkError(client.setQueueAttributes(q, { [name]: high + 1 }))).name).toBe('MNSInvalidArgumentError');
    expect((await client.getQueueAttributes(q)).body).toEqual(before);
  });

  it('MessageRetentionPeriod defaults to 345600 s (4 days)', async () => {
    const q = qname('ret-default');
    await client.createQueue(q);
    expect((await client.getQueueAttributes(q)).body.MessageRetentionPeriod).toBe('345600');
  });

  it('validates attribute ranges and queue names with the real codes', async () => {
    expect((await sdkError(client.createQueue(qname('range'), { VisibilityTimeout: 0 }))).name).toBe('MNSInvalidArgumentError');
    expect((await sdkError(client.createQueue(qname('range'), { MaximumMessageSize: 1023 }))).name).toBe('MNSInvalidArgumentError');
    expect((await sdkError(client.createQueue(qname('range'), { PollingWaitSeconds: 31 }))).name).toBe('MNSInvalidArgumentError');
    expect((await sdkError(client.createQueue('-bad-start'))).name).toBe('MNSInvalidQueueNameError');
    expect((await sdkError(client.createQueue('a'.repeat(121)))).name).toBe('MNSQueueNameLengthErrorError');
  });

  it('lists by prefix with a page size and a marker', async () => {
    // Prepare
    const prefix = `lst${++seq}-`;
    for (const n of ['c', 'a', 'b', 'd']) await client.createQueue(`${prefix}${n}`);

    // Act
    const all = await client.listQueue('', 100, prefix);
    const page1 = await client.listQueue('', 2, prefix);
    const page2 = await client.listQueue(`${prefix}c`, 2, prefix);
    const none = await client.listQueue('', 10, 'no-such-prefix-');

    // Assess
    expect(all.body?.map((x) => x.QueueURL)).toEqual(['a', 'b', 'c', 'd'].map((n) => `${h.endpoint}/queues/${prefix}${n}`));
    expect(page1.body?.map((x) => x.QueueURL.split('/').pop())).toEqual([`${prefix}a`, `${prefix}b`]);
    expect(page2.body?.map((x) => x.QueueURL.split('/').pop())).toEqual([`${prefix}c`, `${prefix}d`]);
    expect(none.code).toBe(200);
    expect(none.body).toBeUndefined();
  });
});

describe('messages', () => {
  it('sends, receives and deletes, returning the real fields', async () => {
    // Prepare
    const q = qname('srd');
    await client.createQueue(q);
    const body = '{"requestId":"r-1","note":"héllo 世界"}';

    // Act
    const sent = await client.sendMessage(q, { MessageBody: body });
    const got = await client.receiveMessage(q);

    // Assess
    expect(sent.code).toBe(201);
    expect(sent.body.MessageId).toMatch(/^[0-9A-F]{32}$/);
    expect(sent.body.MessageBodyMD5).toBe(md5(body));
    const m = got.body;
    expect(m.MessageId).toBe(sent.body.MessageId);
    expect(m.MessageBody).toBe(body);
    expect(m.MessageBodyMD5).toBe(md5(body));
    expect(m.DequeueCount).toBe('1');
    expect(m.Priority).toBe('8');
    expect(Number(m.NextVisibleTime) - Number(m.FirstDequeueTime)).toBe(30_000);
    expect(Number(m.EnqueueTime)).toBeLessThanOrEqual(Number(m.FirstDequeueTime));
    expect(m.ReceiptHandle).toMatch(/^[A-Za-z0-9-]+$/);
    expect((await client.deleteMessage(q, m.ReceiptHandle)).code).toBe(204);
    expect((await sdkError(client.receiveMessage(q))).name).toBe('MNSMessageNotExistError');
    expect((await sdkError(client.deleteMessage(q, m.ReceiptHandle))).name).toBe('MNSMessageNotExistError');
  });

  it('stores bodies verbatim: entities are decoded once and escaped in replies; bare < is MalformedXML', async () => {
    const q = qname('xml');
    await client.createQueue(q);
    // The SDK does no escaping, so a caller who escapes gets the original text back.
    await client.sendMessage(q, { MessageBody: '&lt;tag a="1"&gt; &amp; done' });
    expect((await client.receiveMessage(q)).body.MessageBody).toBe('<tag a="1"> & done');
    expect((await sdkError(client.sendMessage(q, { MessageBody: 'a < b && c > d' }))).name).toBe('MNSMalformedXMLError');
  });

  it('redelivers after the visibility timeout with DequeueCount+1 and a new handle; the old handle is refused', async () => {
    // Prepare
    const q = qname('vis');
    await client.createQueue(q, { VisibilityTimeout: 5 });
    await client.sendMessage(q, { MessageBody: 'again' });
    const first = (await client.receiveMessage(q)).body;
    expect((await sdkError(client.receiveMessage(q))).name).toBe('MNSMessageNotExistError');

    // Act
    advance(5_001);
    const second = (await client.receiveMessage(q)).body;

    // Assess
    expect(second.MessageId).toBe(first.MessageId);
    expect(second.DequeueCount).toBe('2');
    expect(second.FirstDequeueTime).toBe(first.FirstDequeueTime);
    expect(second.ReceiptHandle).not.toBe(first.ReceiptHandle);
    expect((await sdkError(client.deleteMessage(q, first.ReceiptHandle))).name).toBe('MNSMessageNotExistError');
    expect((await sdkError(client.deleteMessage(q, 'not-a-handle'))).name).toBe('MNSReceiptHandleErrorError');
    expect((await client.deleteMessage(q, second.ReceiptHandle)).code).toBe(204);
  });

  it('an expired handle is refused even before anyone receives the message again', async () => {
    const q = qname('exp');
    await client.createQueue(q, { VisibilityTimeout: 2 });
    await client.sendMessage(q, { MessageBody: 'x' });
    const m = (await client.receiveMessage(q)).body;
    advance(2_000);
    expect((await sdkError(client.deleteMessage(q, m.ReceiptHandle))).name).toBe('MNSMessageNotExistError');
  });

  it('holds delayed messages until they are due (message DelaySeconds overrides the queue default)', async () => {
    // Prepare
    const q = qname('delay');
    await client.createQueue(q, { DelaySeconds: 100 });

    // Act
    await client.sendMessage(q, { MessageBody: 'late', DelaySeconds: 10 });
    await client.sendMessage(q, { MessageBody: 'later' });
    const before = await sdkError(client.receiveMessage(q));
    const attrs = (await client.getQueueAttributes(q)).body;
    advance(10_000);
    const due = (await client.receiveMessage(q)).body;

    // Assess
    expect(before.name).toBe('MNSMessageNotExistError');
    expect(attrs).toMatchObject({ ActiveMessages: '0', DelayMessages: '2', InactiveMessages: '0' });
    expect(due.MessageBody).toBe('late');
    expect((await sdkError(client.receiveMessage(q))).name).toBe('MNSMessageNotExistError');
    expect((await sdkError(client.sendMessage(q, { MessageBody: 'x', DelaySeconds: 604_801 }))).name).toBe('MNSInvalidArgumentError');
  });

  it('delivers lower Priority numbers first, FIFO within a priority', async () => {
    const q = qname('prio');
    await client.createQueue(q);
    for (const [body, p] of [['8a', 8], ['1a', 1], ['16a', 16], ['1b', 1], ['8b', 8]] as const) {
      await client.sendMessage(q, { MessageBody: body, Priority: p });
    }
    const order: string[] = [];
    for (let i = 0; i < 5; i++) order.push((await client.receiveMessage(q)).body.MessageBody);
    expect(order).toEqual(['1a', '1b', '8a', '8b', '16a']);
    expect((await sdkError(client.sendMessage(q, { MessageBody: 'x', Priority: 17 }))).name).toBe('MNSInvalidArgumentError');
    expect((await sdkError(client.sendMessage(q, { MessageBody: 'x', Priority: 0 }))).name).toBe('MNSInvalidArgumentError');
  });

  it('ChangeMessageVisibility returns a new handle and NextVisibleTime and invalidates the old handle', async () => {
    // Prepare
    const q = qname('chg');
    await client.createQueue(q, { VisibilityTimeout: 30 });
    await client.sendMessage(q, { MessageBody: 'work' });
    const m = (await client.receiveMessage(q)).body;

    // Act
    const before = Date.now() + offsetMs;
    const changed = await client.changeMessageVisibility(q, m.ReceiptHandle, 3);

    // Assess
    expect(changed.code).toBe(200);
    expect(changed.body.ReceiptHandle).not.toBe(m.ReceiptHandle);
    expect(Number(changed.body.NextVisibleTime) - before).toBeGreaterThanOrEqual(3_000);
    expect(Number(changed.body.NextVisibleTime) - before).toBeLessThan(4_000);
    expect((await sdkError(client.deleteMessage(q, m.ReceiptHandle))).name).toBe('MNSMessageNotExistError');
    expect((await sdkError(client.changeMessageVisibility(q, m.ReceiptHandle, 5))).name).toBe('MNSMessageNotExistError');
    expect((await sdkError(client.changeMessageVisibility(q, changed.body.ReceiptHandle, 43_201))).name).toBe('MNSInvalidArgumentError');
    advance(3_000);
    const again = (await client.receiveMessage(q)).body;
    expect(again.DequeueCount).toBe('2');
  });

  it('a message DelaySeconds runs from 0 to 604800', async () => {
    const q = qname('delay-range');
    await client.createQueue(q);
    expect((await client.sendMessage(q, { MessageBody: 'week', DelaySeconds: 604_800 })).code).toBe(201);
    expect((await client.sendMessage(q, { MessageBody: 'now', DelaySeconds: 0 })).code).toBe(201);
    expect((await client.getQueueAttributes(q)).body).toMatchObject({ ActiveMessages: '1', DelayMessages: '1' });
    for (const bad of [604_801, -1]) {
      const err = await sdkError(client.sendMessage(q, { MessageBody: 'x', DelaySeconds: bad }));
      expect(err.name).toBe('MNSInvalidArgumentError');
      expect(err.message).toContain('The value of DelaySeconds must be between 0 and 604800 seconds.');
    }
  });

  it('drops messages older than MessageRetentionPeriod', async () => {
    const q = qname('ret');
    await client.createQueue(q, { MessageRetentionPeriod: 60 });
    await client.sendMessage(q, { MessageBody: 'old' });
    advance(30_000);
    await client.sendMessage(q, { MessageBody: 'young' });
    advance(30_000);
    expect((await client.getQueueAttributes(q)).body.ActiveMessages).toBe('1');
    expect((await client.receiveMessage(q)).body.MessageBody).toBe('young');
    expect((await sdkError(client.receiveMessage(q))).name).toBe('MNSMessageNotExistError');
  });

  it('enforces MaximumMessageSize in bytes', async () => {
    const q = qname('size');
    await client.createQueue(q, { MaximumMessageSize: 1024 });
    expect((await client.sendMessage(q, { MessageBody: 'x'.repeat(1024) })).code).toBe(201);
    expect((await sdkError(client.sendMessage(q, { MessageBody: 'x'.repeat(1025) }))).name).toBe('MNSInvalidArgumentError');
    // 512 two-byte characters = 1024 bytes; one more exceeds the limit.
    expect((await sdkError(client.sendMessage(q, { MessageBody: 'é'.repeat(513) }))).name).toBe('MNSInvalidArgumentError');
  });
});

describe('retention (MessageRetentionPeriod counts from the send)', () => {
  it('an expired message is gone whatever its state: not delivered, not counted, its handle refused', async () => {
    // Prepare: one visible, one in flight for 10 minutes, one delayed past the retention.
    const q = qname('ret-states');
    await client.createQueue(q, { MessageRetentionPeriod: 60, VisibilityTimeout: 600 });
    await client.sendMessage(q, { MessageBody: 'in flight', Priority: 1 });
    const inFlight = (await client.receiveMessage(q)).body;
    await client.sendMessage(q, { MessageBody: 'visible' });
    await client.sendMessage(q, { MessageBody: 'delayed', DelaySeconds: 120 });
    // The service clock is the wall clock plus the offset, so keep a margin for the real time the calls take.
    advance(59_000);
    expect((await client.getQueueAttributes(q)).body).toMatchObject({ ActiveMessages: '1', InactiveMessages: '1', DelayMessages: '1' });

    // Act
    advance(1_000);

    // Assess
    expect((await client.getQueueAttributes(q)).body).toMatchObject({ ActiveMessages: '0', InactiveMessages: '0', DelayMessages: '0' });
    expect((await sdkError(client.receiveMessage(q))).name).toBe('MNSMessageNotExistError');
    expect((await sdkError(client.peekMessage(q))).name).toBe('MNSMessageNotExistError');
    expect((await sdkError(client.deleteMessage(q, inFlight.ReceiptHandle))).name).toBe('MNSMessageNotExistError');
    expect((await sdkError(client.changeMessageVisibility(q, inFlight.ReceiptHandle, 5))).name).toBe('MNSMessageNotExistError');
    advance(600_000);
    expect((await sdkError(client.receiveMessage(q))).name).toBe('MNSMessageNotExistError');
    expect(h.journal.entries('mns.messages').filter(([key]) => key.includes(`/${q}/`))).toEqual([]);
  });

  it('a message delayed for the whole retention period is never delivered; one second less is', async () => {
    const q = qname('ret-delay');
    await client.createQueue(q, { MessageRetentionPeriod: 60 });
    await client.sendMessage(q, { MessageBody: 'lost', DelaySeconds: 60 });
    await client.sendMessage(q, { MessageBody: 'just in time', DelaySeconds: 59 });
    advance(59_000);
    expect((await client.receiveMessage(q)).body.MessageBody).toBe('just in time');
    advance(1_000);
    expect((await sdkError(client.receiveMessage(q))).name).toBe('MNSMessageNotExistError');
    expect((await client.getQueueAttributes(q)).body).toMatchObject({ ActiveMessages: '0', InactiveMessages: '0', DelayMessages: '0' });
  });

  it('messages that expired while the server was down are gone when it starts again', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'mns-ret-'));
    let offset = 0;
    const clock = (): Date => new Date(Date.now() + offset);
    try {
      const first = await startHarness({ dataDir, clock });
      first.service.createQueue(ACCOUNT, 'downtime', { messageRetentionPeriod: 60 });
      first.service.sendMessage(ACCOUNT, 'downtime', 'expires while down');
      await first.close();
      offset = 60_000;
      const second = await startHarness({ dataDir, clock });
      expect(second.journal.entries('mns.messages')).toEqual([]);
      expect(second.service.getQueueAttributes(ACCOUNT, 'downtime').messageRetentionPeriod).toBe(60);
      await second.close();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('the periodic sweep deletes expired messages nobody reads, from memory and the journal', async () => {
    let offset = 0;
    const sweeping = await startHarness({ clock: () => new Date(Date.now() + offset), retentionSweepIntervalMs: 20 });
    try {
      sweeping.service.createQueue(ACCOUNT, 'swept', { messageRetentionPeriod: 60 });
      sweeping.service.sendMessage(ACCOUNT, 'swept', 'old');
      await sleep(60);
      expect(sweeping.journal.entries('mns.messages')).toHaveLength(1);
      offset = 60_000;
      await sleep(100);
      expect(sweeping.journal.entries('mns.messages')).toEqual([]);
    } finally {
      await sweeping.close();
    }
  });
});

describe('long polling', () => {
  it('returns as soon as a message arrives', async () => {
    const q = qname('lp');
    await client.createQueue(q);
    const started = Date.now();
    const pending = client.receiveMessage(q, 10);
    await sleep(300);
    await client.sendMessage(q, { MessageBody: 'wake' });
    const got = await pending;
    expect(got.body.MessageBody).toBe('wake');
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('answers 404 MessageNotExist after the wait', async () => {
    const q = qname('lp-empty');
    await client.createQueue(q);
    const started = Date.now();
    const err = await sdkError(client.receiveMessage(q, 1));
    expect(err.name).toBe('MNSMessageNotExistError');
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(Date.now() - started).toBeLessThan(2_500);
  });

  it('wakes when a delayed message becomes due, and uses PollingWaitSeconds when no wait is given', async () => {
    const q = qname('lp-delay');
    await client.createQueue(q, { PollingWaitSeconds: 3 });
    await client.sendMessage(q, { MessageBody: 'soon', DelaySeconds: 1 });
    const started = Date.now();
    const got = await client.receiveMessage(q);
    expect(got.body.MessageBody).toBe('soon');
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(Date.now() - started).toBeLessThan(2_500);
  });

  it('rejects waitseconds over 30', async () => {
    const q = qname('lp-max');
    await client.createQueue(q);
    expect((await sdkError(client.receiveMessage(q, 31))).name).toBe('MNSInvalidArgumentError');
  });
});

describe('batches', () => {
  it('batch send, peek, receive and delete; partial delete failures are reported per handle', async () => {
    // Prepare
    const q = qname('batch');
    await client.createQueue(q);

    // Act / Assess
    const sent = await client.batchSendMessage(q, [{ MessageBody: 'b1', Priority: 1 }, { MessageBody: 'b2' }, { MessageBody: 'b3', DelaySeconds: 0 }]);
    expect(sent.code).toBe(201);
    expect(sent.body.map((m) => m.MessageBodyMD5)).toEqual(['b1', 'b2', 'b3'].map(md5));

    const peeked = await client.batchPeekMessage(q, 16);
    expect(peeked.body.map((m) => m.MessageBody)).toEqual(['b1', 'b2', 'b3']);
    expect(peeked.body[0]).not.toHaveProperty('ReceiptHandle');
    expect(peeked.body[0]?.DequeueCount).toBe('0');
    expect((await client.peekMessage(q)).body.MessageBody).toBe('b1');

    const r1 = await client.batchReceiveMessage(q, 2);
    const r2 = await client.batchReceiveMessage(q, 16);
    expect(r1.body.map((m) => m.MessageBody)).toEqual(['b1', 'b2']);
    expect(r2.body.map((m) => m.MessageBody)).toEqual(['b3']);
    expect((await sdkError(client.batchReceiveMessage(q, 16))).name).toBe('MNSMessageNotExistError');
    expect((await sdkError(client.batchPeekMessage(q, 16))).name).toBe('MNSMessageNotExistError');

    const handles = [...r1.body, ...r2.body].map((m) => m.ReceiptHandle);
    const partial = await client.batchDeleteMessage(q, [handles[0] as string, 'garbage']);
    expect(partial.code).toBe(404);
    expect(partial.body).toEqual([{ ErrorCode: 'ReceiptHandleError', ErrorMessage: expect.any(String), ReceiptHandle: 'garbage' }]);
    const rest = await client.batchDeleteMessage(q, handles.slice(1));
    expect(rest.code).toBe(204);
    const stale = await client.batchDeleteMessage(q, [handles[0] as string]);
    expect(stale.body).toEqual([{ ErrorCode: 'MessageNotExist', ErrorMessage: 'Message not exist.', ReceiptHandle: handles[0] }]);
    expect((await client.getQueueAttributes(q)).body).toMatchObject({ ActiveMessages: '0', InactiveMessages: '0' });
  });

  it('limits batches to 16', async () => {
    const q = qname('batch-max');
    await client.createQueue(q);
    const seventeen = Array.from({ length: 17 }, (_, i) => ({ MessageBody: `m${i}` }));
    expect((await sdkError(client.batchSendMessage(q, seventeen))).name).toBe('MNSInvalidArgumentError');
    expect((await client.batchSendMessage(q, seventeen.slice(0, 16))).body).toHaveLength(16);
    expect((await sdkError(client.batchReceiveMessage(q, 17))).name).toBe('MNSInvalidArgumentError');
    expect((await client.batchReceiveMessage(q, 16)).body).toHaveLength(16);
  });
});

describe('concurrency', () => {
  it('20 concurrent receivers get 20 distinct messages', async () => {
    // Prepare
    const q = qname('conc');
    await client.createQueue(q);
    await client.batchSendMessage(q, Array.from({ length: 16 }, (_, i) => ({ MessageBody: `m${i}` })));
    await client.batchSendMessage(q, Array.from({ length: 4 }, (_, i) => ({ MessageBody: `m${16 + i}` })));

    // Act
    const got = await Promise.all(Array.from({ length: 20 }, () => sdk(h.endpoint).receiveMessage(q, 2)));

    // Assess
    const ids = new Set(got.map((g) => g.body.MessageId));
    expect(ids.size).toBe(20);
    expect(new Set(got.map((g) => g.body.MessageBody)).size).toBe(20);
    expect(h.service.queueStats(ACCOUNT, q)).toEqual({ visible: 0, inFlight: 20, delayed: 0 });
  });

  it('waiting receivers each get a different message when a batch arrives', async () => {
    const q = qname('conc-wait');
    await client.createQueue(q);
    const waiting = Array.from({ length: 5 }, () => sdk(h.endpoint).receiveMessage(q, 5));
    await sleep(200);
    await client.batchSendMessage(q, Array.from({ length: 5 }, (_, i) => ({ MessageBody: `w${i}` })));
    const got = await Promise.all(waiting);
    expect(new Set(got.map((g) => g.body.MessageBody))).toEqual(new Set(['w0', 'w1', 'w2', 'w3', 'w4']));
  });
});

describe('authentication and authorization', () => {
  it('refuses a wrong secret and an unknown key with the real codes', async () => {
    const q = qname('auth');
    await client.createQueue(q);
    const wrong = sdk(h.endpoint, { ...KEYS.root, accessKeySecret: 'not-the-secret' });
    expect((await sdkError(wrong.sendMessage(q, { MessageBody: 'x' }))).name).toBe('MNSSignatureDoesNotMatchError');
    const unknown = sdk(h.endpoint, { ...KEYS.root, accessKeyId: 'LTAI5tNOSUCHKEY0000001' });
    expect((await sdkError(unknown.getQueueAttributes(q))).name).toBe('MNSInvalidAccessKeyIdError');
  });

  it('accepts STS keys with their (unsigned) security-token header and refuses a wrong token', async () => {
    const q = qname('sts');
    await client.createQueue(q);
    const sts = sdk(h.endpoint, KEYS.sts);
    expect((await sts.sendMessage(q, { MessageBody: 'from sts' })).code).toBe(201);
    const badToken = sdk(h.endpoint, { ...KEYS.sts, securityToken: 'CAIS-some-other-token' });
    expect((await sdkError(badToken.sendMessage(q, { MessageBody: 'x' }))).name).toBe('MNSInvalidSecurityToken.MismatchWithAccessKeyError');
  });

  it('authorizes per RAM action on /queues/<name>/messages and answers AccessDenied (403) otherwise', async () => {
    // Prepare: the approver may only receive and delete on crossrole-approvals.
    h.service.createQueue(ACCOUNT, 'crossrole-approvals');
    h.service.createQueue(ACCOUNT, 'crossrole-provision');
    h.service.sendMessage(ACCOUNT, 'crossrole-approvals', 'approve me');
    const approver = sdk(h.endpoint, KEYS.approver);
    h.identity.calls.length = 0;

    // Act
    const got = await approver.receiveMessage('crossrole-approvals');
    const deleted = await approver.deleteMessage('crossrole-approvals', got.body.ReceiptHandle);
    const denied = await Promise.all([
      sdkError(approver.sendMessage('crossrole-approvals', { MessageBody: 'x' })),
      sdkError(approver.receiveMessage('crossrole-provision')),
      sdkError(approver.createQueue('anything')),
      sdkError(approver.getQueueAttributes('crossrole-approvals')),
      sdkError(approver.listQueue('', 10, '')),
    ]);

    // Assess
    expect(got.body.MessageBody).toBe('approve me');
    expect(deleted.code).toBe(204);
    expect(denied.map((d) => d.name)).toEqual(Array(5).fill('MNSAccessDeniedError'));
    expect(denied[0]?.message).toContain('failed with 403');
    expect(h.identity.calls).toEqual(
      expect.arrayContaining([
        { action: 'mns:ReceiveMessage', resource: `acs:mns:cn-hangzhou:${ACCOUNT}:/queues/crossrole-approvals/messages` },
        { action: 'mns:DeleteMessage', resource: `acs:mns:cn-hangzhou:${ACCOUNT}:/queues/crossrole-approvals/messages` },
        { action: 'mns:SendMessage', resource: `acs:mns:cn-hangzhou:${ACCOUNT}:/queues/crossrole-approvals/messages` },
        { action: 'mns:CreateQueue', resource: `acs:mns:cn-hangzhou:${ACCOUNT}:/queues/anything` },
        { action: 'mns:GetQueueAttributes', resource: `acs:mns:cn-hangzhou:${ACCOUNT}:/queues/crossrole-approvals` },
        { action: 'mns:ListQueue', resource: `acs:mns:cn-hangzhou:${ACCOUNT}:/queues` },
      ]),
    );
  });

  it('keeps accounts apart: a key acts in its own account at a local endpoint', async () => {
    const q = qname('acct');
    await client.createQueue(q);
    const other = sdk(h.endpoint, KEYS.otherRoot, OTHER_ACCOUNT);
    expect((await sdkError(other.getQueueAttributes(q))).name).toBe('MNSQueueNotExistError');
    expect((await other.createQueue(q)).code).toBe(201);
    expect(h.service.listQueues(OTHER_ACCOUNT)).toEqual([q]);
  });
});

describe('admin API (local runtime, seeding)', () => {
  it('creates, sends, receives with a visibility override, changes visibility, deletes and counts', async () => {
    // Prepare
    const q = qname('admin');
    expect(h.service.createQueue(ACCOUNT, q, { visibilityTimeout: 60 })).toBe('created');
    expect(h.service.createQueue(ACCOUNT, q, { visibilityTimeout: 60 })).toBe('unchanged');
    expect(() => h.service.createQueue(ACCOUNT, q)).toThrow(expect.objectContaining({ code: 'QueueAlreadyExist', httpStatus: 409 }));

    // Act
    const sent = h.service.sendMessage(ACCOUNT, q, 'payload', { priority: 2 });
    h.service.sendMessage(ACCOUNT, q, 'later', { delaySeconds: 100 });
    const m = await h.service.receiveMessage(ACCOUNT, q, { visibilityTimeout: 5 });

    // Assess
    expect(m).toMatchObject({ messageId: sent.messageId, body: 'payload', dequeueCount: 1, priority: 2 });
    expect((m?.nextVisibleTime ?? 0) - (m?.firstDequeueTime ?? 0)).toBe(5_000);
    expect(h.service.queueStats(ACCOUNT, q)).toEqual({ visible: 0, inFlight: 1, delayed: 1 });
    expect(await h.service.receiveMessage(ACCOUNT, q, { waitSeconds: 0 })).toBeUndefined();
    const changed = h.service.changeVisibility(ACCOUNT, q, m?.receiptHandle ?? '', 1);
    expect(() => h.service.deleteMessage(ACCOUNT, q, m?.receiptHandle ?? '')).toThrow(expect.objectContaining({ code: 'MessageNotExist' }));
    h.service.deleteMessage(ACCOUNT, q, changed.receiptHandle);
    expect(h.service.queueStats(ACCOUNT, q)).toEqual({ visible: 0, inFlight: 0, delayed: 1 });
    expect(h.service.peekMessages(ACCOUNT, q, 5)).toEqual([]);
    expect(h.service.listQueues(ACCOUNT)).toContain(q);
  });

  it('takes camelCase attributes (messageRetentionPeriod: 604800), validates them and shows them to the SDK', async () => {
    const q = qname('admin-attrs');
    expect(h.service.createQueue(ACCOUNT, q, { messageRetentionPeriod: 604_800 })).toBe('created');
    expect(h.service.createQueue(ACCOUNT, q, { messageRetentionPeriod: 604_800 })).toBe('unchanged');
    expect((await client.getQueueAttributes(q)).body).toMatchObject({ MessageRetentionPeriod: '604800', VisibilityTimeout: '30', DelaySeconds: '0' });
    expect(h.service.getQueueAttributes(ACCOUNT, q)).toEqual({
      delaySeconds: 0, maximumMessageSize: 65_536, messageRetentionPeriod: 604_800, visibilityTimeout: 30, pollingWaitSeconds: 0, loggingEnabled: false,
    });
    h.service.setQueueAttributes(ACCOUNT, q, { visibilityTimeout: 120 });
    expect(h.service.getQueueAttributes(ACCOUNT, q)).toMatchObject({ messageRetentionPeriod: 604_800, visibilityTimeout: 120 });
    expect(() => h.service.createQueue(ACCOUNT, qname('admin-bad'), { messageRetentionPeriod: 604_801 })).toThrow(
      expect.objectContaining({ code: 'InvalidArgument', httpStatus: 400, message: 'The value of MessageRetentionPeriod must be between 60 and 604800 seconds.' }),
    );
    expect(() => h.service.setQueueAttributes(ACCOUNT, q, { messageRetentionPeriod: 59 })).toThrow(expect.objectContaining({ code: 'InvalidArgument' }));
    expect(() => h.service.sendMessage(ACCOUNT, q, 'x', { delaySeconds: 604_801 })).toThrow(expect.objectContaining({ code: 'InvalidArgument' }));
    expect(h.service.getQueueAttributes(ACCOUNT, q).messageRetentionPeriod).toBe(604_800);
  });

  it('an admin long poll wakes on a message sent over HTTP', async () => {
    const q = qname('admin-lp');
    h.service.createQueue(ACCOUNT, q);
    const waiting = h.service.receiveMessage(ACCOUNT, q, { waitSeconds: 5 });
    await sleep(100);
    await client.sendMessage(q, { MessageBody: 'over http' });
    expect((await waiting)?.body).toBe('over http');
  });

  it('deleting a queue ends its pending receives with QueueNotExist', async () => {
    const q = qname('admin-del');
    h.service.createQueue(ACCOUNT, q);
    const waiting = h.service.receiveMessage(ACCOUNT, q, { waitSeconds: 5 });
    h.service.deleteQueue(ACCOUNT, q);
    await expect(waiting).rejects.toMatchObject({ code: 'QueueNotExist' });
  });
});

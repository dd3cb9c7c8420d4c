/**
 * MNS queue triggers in both EventBridge delivery modes, on the fixture's fx-queue function:
 * `work` (event-streaming, batchWindow 3 events / 1 s, errorsTolerance ALL, dead-letter queue
 * fx-dlq), `encoded` (event-streaming, no batchWindow, errorsTolerance NONE, base64) and `driven`
 * (event-driven, with runOptions that must have no effect).
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFcRuntime } from '../../../local/fc/runtime';
import { loadFunctionsFromSYaml } from '../../../local/fc/s-yaml';
import type { FunctionSpec } from '../../../local/fc/spec';
import { RETRY_POLICY } from '../../../local/fc/queue-trigger';
import { ACCOUNT, FakeIssuer, FakeQueues, REGION, waitFor } from './fakes';
import { closeAll, FIXTURE, forget, recordingLogger, start, type LogEntry } from './harness';

const QUEUE_ROLE = `acs:ram::${ACCOUNT}:role/fx-queue-role`;

interface Ce {
  id: string;
  data: { messageId: string; messageBody: string; requestId: string };
  [k: string]: unknown;
}
interface Line {
  array: boolean;
  events: Ce[];
  credentials: Record<string, string>;
  at: number;
}

afterEach(closeAll);

const bodiesOf = (l: Line): string[] => l.events.map((e) => e.data.messageBody);

/** A runtime on fx-queue alone, with its specs adjusted by the test. */
async function queueRuntime(adjust: (spec: FunctionSpec) => void, over: Partial<Parameters<typeof createFcRuntime>[0]> = {}): Promise<{ fc: ReturnType<typeof createFcRuntime>; queues: FakeQueues; lines(): Line[]; logs: LogEntry[] }> {
  const out = join(mkdtempSync(join(tmpdir(), 'fc-q-')), 'out.jsonl');
  const specs = loadFunctionsFromSYaml(FIXTURE, { env: { FX_OUT: out }, accountId: ACCOUNT }).filter((f) => f.functionName === 'fx-queue');
  const spec = specs[0];
  if (!spec) throw new Error('fixture changed');
  adjust(spec);
  const queues = new FakeQueues();
  const logs: LogEntry[] = [];
  const fc = createFcRuntime({ functions: specs, baseDir: join(__dirname, 'fixture'), region: REGION, accountId: ACCOUNT, credentials: new FakeIssuer(), queues, queueWaitSeconds: 0.2, retryDelayMs: () => 5, logger: recordingLogger(logs), ...over });
  cleanups.push(() => fc.close?.());
  const lines = (): Line[] => {
    try {
      return readFileSync(out, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Line);
    } catch {
      return [];
    }
  };
  return { fc, queues, lines, logs };
}
const cleanups: Array<() => Promise<void> | undefined> = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()));
});

describe('event-streaming (runOptions take effect)', () => {
  it('delivers a JSON array of CloudEvents with the documented MNS fields, and deletes the messages on success', async () => {
    const h = await start();
    const sent = h.queues.sendMessage(ACCOUNT, 'fx-work', '{"requestId":"r-1"}');
    await waitFor(() => h.queues.deleted.find((d) => d.messageId === sent.messageId), 5000, 'delete');
    const [line] = h.lines() as unknown as Line[];
    expect(line?.array).toBe(true);
    expect(line?.events).toHaveLength(1);
    const ce = line?.events[0];
    expect(ce).toMatchObject({
      source: 'MNS-fx-queue-work',
      specversion: '1.0',
      type: 'mns:Queue:SendMessage',
      datacontenttype: 'application/json; charset=utf-8',
      subject: `acs:mns:${REGION}:${ACCOUNT}:queues/fx-work`,
      aliyunaccountid: ACCOUNT,
      aliyunoriginalaccountid: ACCOUNT,
      aliyuneventbusname: 'MNS-fx-queue-work',
      aliyunregionid: REGION,
      data: { messageId: sent.messageId, messageBody: '{"requestId":"r-1"}' },
    });
    expect(Object.keys(ce ?? {}).sort()).toEqual(['aliyunaccountid', 'aliyuneventbusname', 'aliyunoriginalaccountid', 'aliyunpublishaddr', 'aliyunpublishtime', 'aliyunregionid', 'data', 'datacontenttype', 'id', 'source', 'specversion', 'subject', 'time', 'type']);
    expect(Object.keys(ce?.data ?? {}).sort()).toEqual(['messageBody', 'messageId', 'requestId']);
    expect(new Date(ce?.time as string).toISOString()).toBe(ce?.time);
    // The function ran with its own role's credentials.
    const qc = h.issuer.latestFor(QUEUE_ROLE);
    expect(line?.credentials).toEqual({ accessKeyId: qc?.accessKeyId, accessKeySecret: qc?.accessKeySecret, securityToken: qc?.securityToken });
    expect(h.queues.bodies(ACCOUNT, 'fx-work')).toEqual([]);
  });

  it('batches up to CountBasedWindow events per invocation', async () => {
    const h = await start();
    const sent = Array.from({ length: 7 }, (_, i) => h.queues.sendMessage(ACCOUNT, 'fx-work', `m-${i}`));
    await waitFor(() => h.queues.deleted.length === 7, 8000, 'all deleted');
    const lines = h.lines() as unknown as Line[];
    expect(lines.map((l) => l.events.length)).toEqual([3, 3, 1]);
    expect(lines.flatMap(bodiesOf)).toEqual(sent.map((_, i) => `m-${i}`));
    expect(lines.flatMap((l) => l.events.map((e) => e.data.messageId))).toEqual(sent.map((s) => s.messageId));
  });

  it('pushes what arrived within TimeBasedWindow, and not before the window closes', async () => {
    const h = await start();
    const t0 = Date.now();
    h.queues.sendMessage(ACCOUNT, 'fx-work', 'early');
    await new Promise((r) => setTimeout(r, 400));
    expect(h.lines()).toEqual([]);
    h.queues.sendMessage(ACCOUNT, 'fx-work', 'late');
    await waitFor(() => h.queues.deleted.length === 2, 5000, 'both deleted');
    const lines = h.lines() as unknown as Line[];
    expect(lines.map(bodiesOf)).toEqual([['early', 'late']]);
    // The window (1 s) opened with the first message.
    expect((lines[0]?.at ?? 0) - t0).toBeGreaterThanOrEqual(900);
  });

  it('waits for the function before pushing the next batch (synchronous invocation), whatever queueConcurrency says', async () => {
    const h = await start({ queueConcurrency: 4 });
    for (let i = 0; i < 6; i++) h.queues.sendMessage(ACCOUNT, 'fx-work', `pause-${i}`);
    await waitFor(() => h.queues.deleted.length === 6, 8000, 'all deleted');
    const [a, b] = h.lines() as unknown as Line[];
    expect([a?.events.length, b?.events.length]).toEqual([3, 3]);
    expect((b?.at ?? 0) - (a?.at ?? 0)).toBeGreaterThanOrEqual(290);
  });

  it('retries a failed batch per BACKOFF_RETRY (3 retries), then dead-letters EVERY event of the batch', async () => {
    const delays: Array<[string, number]> = [];
    const h = await start({ retryDelayMs: (s, n) => { delays.push([s, n]); return 10; } });
    const ok = h.queues.sendMessage(ACCOUNT, 'fx-work', 'ok-a');
    const bad = h.queues.sendMessage(ACCOUNT, 'fx-work', 'fail-b');
    await waitFor(() => h.queues.bodies(ACCOUNT, 'fx-dlq').length === 2, 8000, 'dead letters');
    await waitFor(() => h.queues.deleted.length === 2, 2000, 'delete of the originals');
    const attempts = h.lines() as unknown as Line[];
    expect(attempts.map(bodiesOf)).toEqual(Array.from({ length: 4 }, () => ['ok-a', 'fail-b']));
    // The same events are retried: the same CloudEvent ids on every attempt.
    expect(new Set(attempts.map((a) => a.events.map((e) => e.id).join()))).toHaveProperty('size', 1);
    expect(delays.filter(([s]) => s === 'BACKOFF_RETRY').map(([, n]) => n)).toEqual(expect.arrayContaining([1, 2, 3]));
    const dead = h.queues.bodies(ACCOUNT, 'fx-dlq').map((b) => JSON.parse(b) as Ce);
    expect(dead.map((d) => [d.type, d.data.messageId, d.data.messageBody])).toEqual([
      ['mns:Queue:SendMessage', ok.messageId, 'ok-a'],
      ['mns:Queue:SendMessage', bad.messageId, 'fail-b'],
    ]);
    expect(dead.map((d) => d.id)).toEqual(attempts[0]?.events.map((e) => e.id));
    expect(h.queues.bodies(ACCOUNT, 'fx-work')).toEqual([]);
    // Hidden for the window and every attempt: 1 s + 4 x 5 s timeout + 3 x 10 ms + 30 s margin.
    expect(h.queues.receives.find((r) => r.queue === 'fx-work')?.visibilityTimeout).toBe(52);
  });

  it('treats a function timeout as a failure: retried, then dead-lettered', async () => {
    const q = await queueRuntime((s) => {
      s.timeout = 1;
    }, { maxRetries: { BACKOFF_RETRY: 1 } });
    q.queues.sendMessage(ACCOUNT, 'fx-work', 'slow-1');
    await waitFor(() => q.queues.bodies(ACCOUNT, 'fx-dlq').length === 1, 8000, 'dead letter');
    expect(q.lines()).toHaveLength(2);
    expect(q.logs.filter((l) => l.msg === 'fc queue trigger: invocation failed').map((l) => l.fields?.error)).toEqual(['Function timed out after 1 seconds', 'Function timed out after 1 seconds']);
  });

  it('drops the failed batch after the retries when there is no dead-letter queue and errorsTolerance is ALL', async () => {
    const q = await queueRuntime((s) => {
      const t = s.triggers.find((x) => x.triggerName === 'work');
      if (t?.kind !== 'mns' || t.mode !== 'event-streaming') throw new Error('fixture changed');
      delete t.deadLetterQueueArn;
      s.triggers = [t];
    }, { maxRetries: { BACKOFF_RETRY: 1 } });
    const sent = q.queues.sendMessage(ACCOUNT, 'fx-work', 'fail-drop');
    await waitFor(() => q.queues.deleted.find((d) => d.messageId === sent.messageId), 5000, 'drop');
    expect(q.lines()).toHaveLength(2);
    expect([...q.queues.queues.keys()].filter((k) => k.endsWith('dlq'))).toEqual([]);
    expect(q.logs.some((l) => l.msg.includes('batch dropped after retries'))).toBe(true);
  });

  it('decodes base64 bodies when IsBase64Decode is true, one event per array without batchWindow', async () => {
    const h = await start();
    const a = h.queues.sendMessage(ACCOUNT, 'fx-encoded', Buffer.from('{"id":"decoded"}').toString('base64'));
    const b = h.queues.sendMessage(ACCOUNT, 'fx-encoded', Buffer.from('second').toString('base64'));
    await waitFor(() => h.queues.deleted.filter((d) => [a.messageId, b.messageId].includes(d.messageId)).length === 2, 5000, 'delete');
    const lines = h.lines() as unknown as Line[];
    expect(lines.map((l) => [l.array, bodiesOf(l)])).toEqual([[true, ['{"id":"decoded"}']], [true, ['second']]]);
    expect(lines[0]?.events[0]).toMatchObject({ source: 'MNS-fx-queue-encoded' });
  });

  it('blocks the stream when retries are exhausted with errorsTolerance NONE, keeping the messages', async () => {
    const h = await start({ maxRetries: { BACKOFF_RETRY: 1 } });
    h.queues.sendMessage(ACCOUNT, 'fx-encoded', Buffer.from('fail-blocking').toString('base64'));
    await waitFor(() => h.fc.queueTriggerStates()['fx-queue/encoded'] === 'blocked', 5000, 'blocked trigger');
    expect(h.lines()).toHaveLength(2);
    expect(h.queues.bodies(ACCOUNT, 'fx-encoded')).toHaveLength(1);
    expect(h.queues.bodies(ACCOUNT, 'fx-dlq')).toEqual([]);
    // Other triggers keep running.
    expect(h.fc.queueTriggerStates()['fx-queue/work']).toBe('running');
    h.queues.sendMessage(ACCOUNT, 'fx-encoded', Buffer.from('ignored').toString('base64'));
    await new Promise((r) => setTimeout(r, 400));
    expect(h.lines()).toHaveLength(2);
  });

  it('uses the documented retry schedules', () => {
    expect(RETRY_POLICY.BACKOFF_RETRY.maxRetries).toBe(3);
    for (let i = 0; i < 50; i++) {
      const d = RETRY_POLICY.BACKOFF_RETRY.delayMs(1);
      expect(d).toBeGreaterThanOrEqual(10_000);
      expect(d).toBeLessThan(20_000);
    }
    const exp = RETRY_POLICY.EXPONENTIAL_DECAY_RETRY;
    expect(exp.maxRetries).toBe(176);
    const delays = Array.from({ length: exp.maxRetries }, (_, i) => exp.delayMs(i + 1) / 1000);
    expect(delays.slice(0, 11)).toEqual([1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 512]);
    expect(delays.filter((d) => d === 512)).toHaveLength(167);
    // "one day in total"
    expect(delays.reduce((a, b) => a + b, 0)).toBe(86_015);
  });
});

describe('event-driven (runOptions do not apply)', () => {
  it('delivers ONE CloudEvent (not an array) per invocation, one invocation per message', async () => {
    const h = await start();
    const sent = [h.queues.sendMessage(ACCOUNT, 'fx-driven', 'd-1'), h.queues.sendMessage(ACCOUNT, 'fx-driven', 'd-2')];
    await waitFor(() => h.queues.deleted.length === 2, 5000, 'both deleted');
    const lines = h.lines() as unknown as Line[];
    expect(lines.map((l) => [l.array, bodiesOf(l)])).toEqual([[false, ['d-1']], [false, ['d-2']]]);
    expect(lines[0]?.events[0]).toMatchObject({ source: 'MNS-fx-queue-driven', type: 'mns:Queue:SendMessage', data: { messageId: sent[0]?.messageId } });
  });

  it('does not retry or dead-letter a failed event: the message is consumed, with a warning', async () => {
    const h = await start();
    const sent = h.queues.sendMessage(ACCOUNT, 'fx-driven', 'fail-once');
    await waitFor(() => h.queues.deleted.find((d) => d.messageId === sent.messageId), 5000, 'consumed');
    await new Promise((r) => setTimeout(r, 300));
    expect(h.lines()).toHaveLength(1);
    expect(h.queues.bodies(ACCOUNT, 'fx-dlq')).toEqual([]);
    expect(h.queues.bodies(ACCOUNT, 'fx-driven')).toEqual([]);
    expect(h.logs.find((l) => l.msg.startsWith('fc queue trigger: event-driven invocation failed'))?.fields).toMatchObject({ messageId: sent.messageId, error: 'Error: refusing fail-once' });
  });

  it('says at start which runOptions have no effect', async () => {
    const h = await start();
    const warning = h.logs.find((l) => l.level === 'warn' && l.fields?.trigger === 'driven');
    expect(warning?.msg).toBe('fc: runOptions errorsTolerance, retryStrategy, deadLetterQueue have no effect on this trigger (they apply in event-streaming mode only)');
    expect(h.logs.filter((l) => l.msg.startsWith('fc: runOptions') && l.fields?.trigger !== 'driven')).toEqual([]);
  });
});

describe('closing', () => {
  it('stops polling on close()', async () => {
    const h = await start();
    await h.close();
    forget(h);
    h.queues.sendMessage(ACCOUNT, 'fx-work', 'after-close');
    await new Promise((r) => setTimeout(r, 500));
    expect(h.queues.bodies(ACCOUNT, 'fx-work')).toEqual(['after-close']);
    expect(h.lines()).toEqual([]);
    expect(h.fc.queueTriggerStates()).toEqual({ 'fx-queue/work': 'stopped', 'fx-queue/encoded': 'stopped', 'fx-queue/driven': 'stopped' });
  });
});

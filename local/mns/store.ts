/**
 * The queue engine: state per `[accountId, queue]`, message visibility, delays, retention and
 * persistence. It knows nothing about HTTP or XML; handlers and the admin API both call it, and
 * it validates every value it is given (the real codes and wording, errors.ts). Time is the
 * injected service clock, so tests age messages without sleeping.
 *
 * Timers live elsewhere: long-poll waiters and the wake-up for pending visibility in waiters.ts,
 * the periodic retention sweep in retention.ts. Heaps and pure queue operations: queue-state.ts.
 *
 * Every state change is journalled before the method returns (the journal fsyncs), so an
 * acknowledged send or delete survives `kill -9`. Picking and marking a message in flight happen
 * in one synchronous section: two concurrent receivers can never get the same message.
 */
import type { Journal } from '../core/journal';
import { MnsError, messageNotExist, queueNotExist, receiptHandleError } from './errors';
import {
  checkAttributes,
  checkMessage,
  checkVisibilityTimeout,
  LIMITS,
  QUEUE_DEFAULTS,
  type MessageRecord,
  type PeekedMessage,
  type QueueAttributes,
  type QueueRecord,
  type QueueStats,
  type ReceivedMessage,
  type SendInput,
  type SentMessage,
} from './models';
import {
  enqueue,
  forget,
  handleMessageId,
  isExpired,
  md5Upper,
  messageKey,
  newHandle,
  newMessageId,
  newQueueState,
  promote,
  queueKey,
  toPeeked,
  toReceived,
  type HeapEntry,
  type LiveMessage,
  type QueueState,
} from './queue-state';
import { DEFAULT_SWEEP_INTERVAL_MS, RetentionSweeper } from './retention';
import { LongPolls } from './waiters';

const NS_QUEUES = 'mns.queues';
const NS_MESSAGES = 'mns.messages';

interface ReceiveOptions {
  /** Long-poll for up to this many seconds (0–30); undefined = the queue's PollingWaitSeconds. */
  waitSeconds?: number;
  /** Override the queue's VisibilityTimeout for this receive (1–43200 s). */
  visibilityTimeout?: number;
}

interface QueueStoreOptions {
  /** How often expired messages nobody reads are deleted (default 60 s; 0 = never, reads still expire them). */
  retentionSweepIntervalMs?: number;
}

type BatchDeleteFailure = { receiptHandle: string; code: 'MessageNotExist' | 'ReceiptHandleError'; message: string };

export class QueueStore {
  private readonly queues = new Map<string, QueueState>();
  private readonly polls: LongPolls;
  private readonly sweeper: RetentionSweeper;
  private seq = 1;

  constructor(
    private readonly journal: Journal,
    private readonly clock: () => Date,
    options: QueueStoreOptions = {},
  ) {
    this.polls = new LongPolls(() => this.now(), (q, max, vt) => this.take(q, max, vt));
    this.load();
    this.sweepExpired();
    this.sweeper = new RetentionSweeper(options.retentionSweepIntervalMs ?? DEFAULT_SWEEP_INTERVAL_MS, () => this.sweepExpired());
  }

  // ---------------------------------------------------------------- queues

  /** 'created' for a new queue, 'unchanged' if it exists with the same attributes; else QueueAlreadyExist. */
  createQueue(accountId: string, name: string, attrs: Partial<QueueAttributes> = {}): 'created' | 'unchanged' {
    checkAttributes(attrs);
    const key = queueKey(accountId, name);
    const wanted: QueueAttributes = { ...QUEUE_DEFAULTS, ...attrs };
    const existing = this.queues.get(key);
    if (existing) {
      if (sameAttributes(existing.rec.attributes, wanted)) return 'unchanged';
      throw new MnsError('QueueAlreadyExist', 'The queue you want to create is already exist.');
    }
    const now = this.now();
    const rec: QueueRecord = { accountId, name, attributes: wanted, createTime: now, lastModifyTime: now };
    this.journal.put(NS_QUEUES, key, rec);
    this.queues.set(key, newQueueState(rec));
    return 'created';
  }

  setQueueAttributes(accountId: string, name: string, attrs: Partial<QueueAttributes>): void {
    checkAttributes(attrs);
    const q = this.queue(accountId, name);
    const rec: QueueRecord = { ...q.rec, attributes: { ...q.rec.attributes, ...attrs }, lastModifyTime: this.now() };
    this.journal.put(NS_QUEUES, queueKey(accountId, name), rec);
    q.rec = rec;
  }

  deleteQueue(accountId: string, name: string): void {
    const key = queueKey(accountId, name);
    const q = this.queue(accountId, name);
    const writes: Array<{ ns: string; key: string }> = [{ ns: NS_QUEUES, key }];
    for (const [id, m] of q.messages) {
      writes.push({ ns: NS_MESSAGES, key: messageKey(q, id) });
      m.gen = -1;
    }
    this.journal.batch(writes);
    this.queues.delete(key);
    this.polls.release(q, queueNotExist());
  }

  getQueue(accountId: string, name: string): { record: QueueRecord; stats: QueueStats } {
    const q = this.queue(accountId, name);
    return { record: q.rec, stats: this.stats(q) };
  }

  hasQueue(accountId: string, name: string): boolean {
    return this.queues.has(queueKey(accountId, name));
  }

  /** Names in lexical order; `marker` is the first name to return (the previous page's NextMarker). */
  listQueues(accountId: string, opts: { prefix?: string; marker?: string; limit?: number } = {}): { names: string[]; nextMarker?: string } {
    const prefix = opts.prefix ?? '';
    const all = [...this.queues.values()]
      .filter((q) => q.rec.accountId === accountId && q.rec.name.startsWith(prefix) && (opts.marker === undefined || opts.marker === '' || q.rec.name >= opts.marker))
      .map((q) => q.rec.name)
      .sort();
    const limit = opts.limit ?? LIMITS.listRetNumberHigh;
    if (all.length <= limit) return { names: all };
    return { names: all.slice(0, limit), nextMarker: all[limit] };
  }

  // -------------------------------------------------------------- messages

  send(accountId: string, name: string, input: SendInput): SentMessage {
    return this.sendBatch(accountId, name, [input])[0] as SentMessage;
  }

  /** All or nothing: every message is validated before any is stored (one fsync for the batch). */
  sendBatch(accountId: string, name: string, inputs: SendInput[]): SentMessage[] {
    const q = this.queue(accountId, name);
    const attrs = q.rec.attributes;
    for (const input of inputs) checkMessage(input, attrs.MaximumMessageSize);
    const now = this.now();
    const created: LiveMessage[] = inputs.map((input) => {
      // A message's own DelaySeconds overrides the queue's (SendMessage docs).
      const delay = input.delaySeconds ?? attrs.DelaySeconds;
      const rec: MessageRecord = {
        messageId: newMessageId(),
        body: input.body,
        bodyMd5: md5Upper(input.body),
        priority: input.priority ?? LIMITS.defaultPriority,
        seq: this.seq++,
        enqueueTime: now,
        visibleAt: now + delay * 1000,
        dequeueCount: 0,
        firstDequeueTime: 0,
      };
      return { rec, gen: 0 };
    });
    this.journal.batch(created.map((m) => ({ ns: NS_MESSAGES, key: messageKey(q, m.rec.messageId), value: m.rec })));
    for (const m of created) {
      q.messages.set(m.rec.messageId, m);
      enqueue(q, m, now);
    }
    this.polls.notify(q);
    return created.map((m) => ({ messageId: m.rec.messageId, bodyMd5: m.rec.bodyMd5 }));
  }

  /**
   * Receive up to `max` messages, long-polling while none is visible. Resolves to [] when the
   * wait ends empty (the HTTP layer turns that into 404 MessageNotExist).
   */
  receive(accountId: string, name: string, max: number, opts: ReceiveOptions = {}): Promise<ReceivedMessage[]> {
    const q = this.queue(accountId, name);
    if (opts.visibilityTimeout !== undefined) checkVisibilityTimeout(opts.visibilityTimeout);
    const got = this.take(q, max, opts.visibilityTimeout);
    const wait = opts.waitSeconds ?? q.rec.attributes.PollingWaitSeconds;
    if (got.length > 0 || wait <= 0 || this.polls.closed) return Promise.resolve(got);
    return this.polls.wait(q, max, opts.visibilityTimeout, wait);
  }

  peek(accountId: string, name: string, max: number): PeekedMessage[] {
    const q = this.queue(accountId, name);
    const now = this.now();
    promote(q, now);
    const picked: HeapEntry[] = [];
    while (picked.length < max) {
      const e = this.popReady(q, now);
      if (!e) break;
      picked.push(e);
    }
    // Peeking must not reorder anything: put the entries back exactly as they were.
    for (const e of picked) q.ready.push(e);
    return picked.map((e) => toPeeked(e.m.rec));
  }

  deleteMessage(accountId: string, name: string, receiptHandle: string): void {
    const q = this.queue(accountId, name);
    const m = this.inFlight(q, receiptHandle, this.now());
    this.journal.delete(NS_MESSAGES, messageKey(q, m.rec.messageId));
    forget(q, m);
  }

  /** Deletes what it can; returns the handles that failed, as the real service reports them. */
  deleteBatch(accountId: string, name: string, handles: string[]): BatchDeleteFailure[] {
    const q = this.queue(accountId, name);
    const now = this.now();
    const failures: BatchDeleteFailure[] = [];
    const doomed: LiveMessage[] = [];
    for (const h of handles) {
      try {
        const m = this.inFlight(q, h, now);
        if (!doomed.includes(m)) doomed.push(m);
      } catch (err) {
        if (!(err instanceof MnsError) || (err.code !== 'MessageNotExist' && err.code !== 'ReceiptHandleError')) throw err;
        failures.push({ receiptHandle: h, code: err.code, message: err.message });
      }
    }
    this.journal.batch(doomed.map((m) => ({ ns: NS_MESSAGES, key: messageKey(q, m.rec.messageId) })));
    for (const m of doomed) forget(q, m);
    return failures;
  }

  changeVisibility(accountId: string, name: string, receiptHandle: string, visibilityTimeout: number): { receiptHandle: string; nextVisibleTime: number } {
    checkVisibilityTimeout(visibilityTimeout);
    const q = this.queue(accountId, name);
    const now = this.now();
    const m = this.inFlight(q, receiptHandle, now);
    const rec: MessageRecord = { ...m.rec, visibleAt: now + visibilityTimeout * 1000, receiptHandle: newHandle(m.rec.messageId) };
    this.journal.put(NS_MESSAGES, messageKey(q, rec.messageId), rec);
    m.rec = rec;
    m.gen++;
    enqueue(q, m, now);
    this.polls.notify(q);
    return { receiptHandle: rec.receiptHandle as string, nextVisibleTime: rec.visibleAt };
  }

  /** ActiveMessages / InactiveMessages / DelayMessages; expired messages are dropped first and never counted. */
  stats(q: QueueState): QueueStats;
  stats(accountId: string, name: string): QueueStats;
  stats(a: QueueState | string, name?: string): QueueStats {
    const q = typeof a === 'string' ? this.queue(a, name ?? '') : a;
    const now = this.now();
    this.purgeExpired(q, now);
    const s: QueueStats = { visible: 0, inFlight: 0, delayed: 0 };
    for (const m of q.messages.values()) {
      if (m.rec.visibleAt <= now) s.visible++;
      else if (m.rec.dequeueCount > 0) s.inFlight++;
      else s.delayed++;
    }
    return s;
  }

  /** Delete every message past its queue's retention, from memory and the journal; returns how many. */
  sweepExpired(): number {
    const now = this.now();
    let n = 0;
    for (const q of this.queues.values()) n += this.purgeExpired(q, now);
    return n;
  }

  /** Stop timers and release held receives (they answer as an empty wait). */
  close(): void {
    this.sweeper.stop();
    this.polls.close();
  }

  /** Forget every queue and message (the local server's reset); held receives end empty. */
  reset(): void {
    for (const q of this.queues.values()) {
      this.polls.release(q);
      for (const m of q.messages.values()) m.gen = -1;
    }
    // Only this service's namespaces: the journal may be shared with other services.
    const writes = [NS_QUEUES, NS_MESSAGES].flatMap((ns) => this.journal.entries(ns).map(([key]) => ({ ns, key })));
    if (writes.length > 0) this.journal.batch(writes);
    this.queues.clear();
  }

  // ------------------------------------------------------------- internals

  private now(): number {
    return this.clock().getTime();
  }

  private queue(accountId: string, name: string): QueueState {
    const q = this.queues.get(queueKey(accountId, name));
    if (!q) throw queueNotExist();
    return q;
  }

  private load(): void {
    for (const [key, rec] of this.journal.entries<QueueRecord>(NS_QUEUES)) this.queues.set(key, newQueueState(rec));
    const now = this.now();
    const orphans: Array<{ ns: string; key: string }> = [];
    for (const [key, rec] of this.journal.entries<MessageRecord>(NS_MESSAGES)) {
      const q = this.queues.get(key.slice(0, key.lastIndexOf('/')));
      if (!q) {
        orphans.push({ ns: NS_MESSAGES, key });
        continue;
      }
      const m: LiveMessage = { rec, gen: 0 };
      q.messages.set(rec.messageId, m);
      enqueue(q, m, now);
      if (rec.seq >= this.seq) this.seq = rec.seq + 1;
    }
    if (orphans.length > 0) this.journal.batch(orphans);
  }

  /** Next valid ready entry; drops stale entries and messages past their retention. */
  private popReady(q: QueueState, now: number): HeapEntry | undefined {
    for (let e = q.ready.pop(); e !== undefined; e = q.ready.pop()) {
      if (e.gen !== e.m.gen) continue;
      if (isExpired(q, e.m, now)) {
        this.journal.delete(NS_MESSAGES, messageKey(q, e.m.rec.messageId));
        forget(q, e.m);
        continue;
      }
      return e;
    }
    return undefined;
  }

  /** The atomic receive: pick and mark in flight with no await in between. */
  private take(q: QueueState, max: number, visibilityTimeout: number | undefined): ReceivedMessage[] {
    const now = this.now();
    promote(q, now);
    const vt = visibilityTimeout ?? q.rec.attributes.VisibilityTimeout;
    const taken: LiveMessage[] = [];
    while (taken.length < max) {
      const e = this.popReady(q, now);
      if (!e) break;
      const m = e.m;
      m.rec = {
        ...m.rec,
        dequeueCount: m.rec.dequeueCount + 1,
        firstDequeueTime: m.rec.firstDequeueTime === 0 ? now : m.rec.firstDequeueTime,
        visibleAt: now + vt * 1000,
        receiptHandle: newHandle(m.rec.messageId),
      };
      m.gen++;
      q.pending.push({ m, gen: m.gen, key: m.rec.visibleAt });
      taken.push(m);
    }
    if (taken.length === 0) return [];
    this.journal.batch(taken.map((m) => ({ ns: NS_MESSAGES, key: messageKey(q, m.rec.messageId), value: m.rec })));
    return taken.map((m) => toReceived(m.rec));
  }

  /** The in-flight message a handle refers to: malformed → ReceiptHandleError, stale or expired → MessageNotExist. */
  private inFlight(q: QueueState, handle: string, now: number): LiveMessage {
    const id = handleMessageId(handle);
    if (id === undefined) throw receiptHandleError();
    const m = q.messages.get(id);
    if (!m || m.rec.receiptHandle !== handle || m.rec.visibleAt <= now || isExpired(q, m, now)) throw messageNotExist();
    return m;
  }

  private purgeExpired(q: QueueState, now: number): number {
    const doomed = [...q.messages.values()].filter((m) => isExpired(q, m, now));
    if (doomed.length === 0) return 0;
    this.journal.batch(doomed.map((m) => ({ ns: NS_MESSAGES, key: messageKey(q, m.rec.messageId) })));
    for (const m of doomed) forget(q, m);
    return doomed.length;
  }
}

function sameAttributes(a: QueueAttributes, b: QueueAttributes): boolean {
  return (Object.keys(QUEUE_DEFAULTS) as Array<keyof QueueAttributes>).every((k) => a[k] === b[k]);
}

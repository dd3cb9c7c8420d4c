/**
 * The queue engine: state per `[accountId, queue]`, message visibility, long-poll waiters and
 * persistence. It knows nothing about HTTP or XML; handlers and the admin API both call it.
 *
 * Per queue, a `ready` heap orders receivable messages by (priority, enqueue sequence) and a
 * `pending` heap orders delayed and in-flight ones by the time they become visible. Heap entries
 * carry the message's generation; an entry whose generation no longer matches is stale and is
 * dropped when popped, so state changes never search the heaps.
 *
 * Every state change is journalled before the method returns (the journal fsyncs), so an
 * acknowledged send or delete survives `kill -9`. Picking and marking a message in flight happen
 * in one synchronous section: two concurrent receivers can never get the same message.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Journal } from '../core/journal';
import { MnsError, messageNotExist, outOfRange, queueNotExist, receiptHandleError } from './errors';
import { MinHeap } from './heap';
import {
  LIMITS,
  QUEUE_DEFAULTS,
  type MessageRecord,
  type PeekedMessage,
  type QueueAttributes,
  type QueueRecord,
  type QueueStats,
  type ReceivedMessage,
  type SentMessage,
} from './models';

const NS_QUEUES = 'mns.queues';
const NS_MESSAGES = 'mns.messages';
/** setTimeout's ceiling; a later wake-up is simply re-armed when it fires. */
const MAX_TIMER_MS = 2_147_000_000;
/** Handles use only [A-Za-z0-9-], so the SDK's unencoded query strings never need escaping. */
const HANDLE_RE = /^1-([0-9A-F]{32})-[0-9a-f]{16}$/;

interface LiveMessage {
  rec: MessageRecord;
  /** Bumped on every visibility change; -1 once deleted. Not persisted. */
  gen: number;
}

interface HeapEntry {
  m: LiveMessage;
  gen: number;
  /** Priority (ready heap) or visibility time (pending heap). */
  key: number;
}

interface Waiter {
  max: number;
  visibilityTimeout: number | undefined;
  resolve: (messages: ReceivedMessage[]) => void;
  reject: (err: MnsError) => void;
  timer: NodeJS.Timeout;
}

interface QueueState {
  rec: QueueRecord;
  messages: Map<string, LiveMessage>;
  ready: MinHeap<HeapEntry>;
  pending: MinHeap<HeapEntry>;
  waiters: Waiter[];
  timer: NodeJS.Timeout | undefined;
  timerAt: number;
}

export interface SendInput {
  body: string;
  delaySeconds?: number;
  priority?: number;
}

export interface ReceiveOptions {
  /** Long-poll for up to this many seconds (0–30); undefined = the queue's PollingWaitSeconds. */
  waitSeconds?: number;
  /** Override the queue's VisibilityTimeout for this receive (1–43200 s). */
  visibilityTimeout?: number;
}

export type BatchDeleteFailure = { receiptHandle: string; code: 'MessageNotExist' | 'ReceiptHandleError'; message: string };

export const md5Upper = (body: string): string => createHash('md5').update(body, 'utf8').digest('hex').toUpperCase();

const byPrioritySeq = (a: HeapEntry, b: HeapEntry): boolean => a.key < b.key || (a.key === b.key && a.m.rec.seq < b.m.rec.seq);

export class QueueStore {
  private readonly queues = new Map<string, QueueState>();
  private seq = 1;
  private closed = false;

  constructor(
    private readonly journal: Journal,
    private readonly clock: () => Date,
  ) {
    this.load();
  }

  // ---------------------------------------------------------------- queues

  /** 'created' for a new queue, 'unchanged' if it exists with the same attributes; else QueueAlreadyExist. */
  createQueue(accountId: string, name: string, attrs: Partial<QueueAttributes> = {}): 'created' | 'unchanged' {
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
      writes.push({ ns: NS_MESSAGES, key: messageKey(accountId, name, id) });
      m.gen = -1;
    }
    this.journal.batch(writes);
    this.queues.delete(key);
    this.stopTimer(q);
    for (const w of q.waiters.splice(0)) {
      clearTimeout(w.timer);
      w.reject(queueNotExist());
    }
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
    for (const input of inputs) {
      const size = Buffer.byteLength(input.body, 'utf8');
      if (size < 1 || size > attrs.MaximumMessageSize) throw outOfRange('MessageBody', 1, attrs.MaximumMessageSize, 'bytes');
      if (input.delaySeconds !== undefined && !inRange(input.delaySeconds, 0, LIMITS.messageDelayHigh)) throw outOfRange('DelaySeconds', 0, LIMITS.messageDelayHigh);
      if (input.priority !== undefined && !inRange(input.priority, LIMITS.priorityLow, LIMITS.priorityHigh)) throw outOfRange('Priority', LIMITS.priorityLow, LIMITS.priorityHigh, '');
    }
    const now = this.now();
    const created: LiveMessage[] = inputs.map((input) => {
      const delay = input.delaySeconds ?? attrs.DelaySeconds;
      const rec: MessageRecord = {
        messageId: randomBytes(16).toString('hex').toUpperCase(),
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
    this.journal.batch(created.map((m) => ({ ns: NS_MESSAGES, key: messageKey(accountId, name, m.rec.messageId), value: m.rec })));
    for (const m of created) {
      q.messages.set(m.rec.messageId, m);
      this.enqueue(q, m, now);
    }
    this.wake(q);
    return created.map((m) => ({ messageId: m.rec.messageId, bodyMd5: m.rec.bodyMd5 }));
  }

  /**
   * Receive up to `max` messages, long-polling while none is visible. Resolves to [] when the
   * wait ends empty (the HTTP layer turns that into 404 MessageNotExist).
   */
  receive(accountId: string, name: string, max: number, opts: ReceiveOptions = {}): Promise<ReceivedMessage[]> {
    const q = this.queue(accountId, name);
    const got = this.take(q, max, opts.visibilityTimeout);
    const wait = opts.waitSeconds ?? q.rec.attributes.PollingWaitSeconds;
    if (got.length > 0 || wait <= 0 || this.closed) return Promise.resolve(got);
    return new Promise<ReceivedMessage[]>((resolve, reject) => {
      const waiter: Waiter = {
        max,
        visibilityTimeout: opts.visibilityTimeout,
        resolve,
        reject,
        timer: setTimeout(() => {
          const i = q.waiters.indexOf(waiter);
          if (i >= 0) q.waiters.splice(i, 1);
          if (q.waiters.length === 0) this.stopTimer(q);
          resolve([]);
        }, wait * 1000),
      };
      q.waiters.push(waiter);
      this.armTimer(q);
    });
  }

  peek(accountId: string, name: string, max: number): PeekedMessage[] {
    const q = this.queue(accountId, name);
    const now = this.now();
    this.promote(q, now);
    const picked: HeapEntry[] = [];
    while (picked.length < max) {
      const e = this.popReady(q, now);
      if (!e) break;
      picked.push(e);
    }
    // Peeking must not reorder anything: put the entries back exactly as they were.
    for (const e of picked) q.ready.push(e);
    return picked.map((e) => {
      const r = e.m.rec;
      return {
        messageId: r.messageId,
        body: r.body,
        bodyMd5: r.bodyMd5,
        enqueueTime: r.enqueueTime,
        firstDequeueTime: r.firstDequeueTime === 0 ? r.enqueueTime : r.firstDequeueTime,
        dequeueCount: r.dequeueCount,
        priority: r.priority,
      };
    });
  }

  deleteMessage(accountId: string, name: string, receiptHandle: string): void {
    const q = this.queue(accountId, name);
    const m = this.inFlight(q, receiptHandle, this.now());
    this.journal.delete(NS_MESSAGES, messageKey(accountId, name, m.rec.messageId));
    this.forget(q, m);
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
    this.journal.batch(doomed.map((m) => ({ ns: NS_MESSAGES, key: messageKey(accountId, name, m.rec.messageId) })));
    for (const m of doomed) this.forget(q, m);
    return failures;
  }

  changeVisibility(accountId: string, name: string, receiptHandle: string, visibilityTimeout: number): { receiptHandle: string; nextVisibleTime: number } {
    const q = this.queue(accountId, name);
    const now = this.now();
    const m = this.inFlight(q, receiptHandle, now);
    const rec: MessageRecord = { ...m.rec, visibleAt: now + visibilityTimeout * 1000, receiptHandle: newHandle(m.rec.messageId) };
    this.journal.put(NS_MESSAGES, messageKey(accountId, name, rec.messageId), rec);
    m.rec = rec;
    m.gen++;
    this.enqueue(q, m, now);
    this.armTimer(q);
    return { receiptHandle: rec.receiptHandle as string, nextVisibleTime: rec.visibleAt };
  }

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

  /** Stop timers and release held receives (they answer as an empty wait). */
  close(): void {
    this.closed = true;
    for (const q of this.queues.values()) {
      this.stopTimer(q);
      for (const w of q.waiters.splice(0)) {
        clearTimeout(w.timer);
        w.resolve([]);
      }
    }
  }

  /** Forget every queue and message (the local server's reset); held receives end empty. */
  reset(): void {
    for (const q of this.queues.values()) {
      this.stopTimer(q);
      for (const w of q.waiters.splice(0)) {
        clearTimeout(w.timer);
        w.resolve([]);
      }
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
      this.enqueue(q, m, now);
      if (rec.seq >= this.seq) this.seq = rec.seq + 1;
    }
    if (orphans.length > 0) this.journal.batch(orphans);
  }

  /** Put a message in the heap its visibility calls for (with its current generation). */
  private enqueue(q: QueueState, m: LiveMessage, now: number): void {
    if (m.rec.visibleAt <= now) q.ready.push({ m, gen: m.gen, key: m.rec.priority });
    else q.pending.push({ m, gen: m.gen, key: m.rec.visibleAt });
  }

  private expired(q: QueueState, m: LiveMessage, now: number): boolean {
    return m.rec.enqueueTime + q.rec.attributes.MessageRetentionPeriod * 1000 <= now;
  }

  /** Move pending entries that have become visible into the ready heap. */
  private promote(q: QueueState, now: number): void {
    for (let top = q.pending.peek(); top !== undefined && top.key <= now; top = q.pending.peek()) {
      q.pending.pop();
      if (top.gen !== top.m.gen) continue;
      q.ready.push({ m: top.m, gen: top.gen, key: top.m.rec.priority });
    }
  }

  /** Next valid ready entry; drops stale entries and messages past their retention. */
  private popReady(q: QueueState, now: number): HeapEntry | undefined {
    for (let e = q.ready.pop(); e !== undefined; e = q.ready.pop()) {
      if (e.gen !== e.m.gen) continue;
      if (this.expired(q, e.m, now)) {
        this.journal.delete(NS_MESSAGES, messageKey(q.rec.accountId, q.rec.name, e.m.rec.messageId));
        this.forget(q, e.m);
        continue;
      }
      return e;
    }
    return undefined;
  }

  /** The atomic receive: pick and mark in flight with no await in between. */
  private take(q: QueueState, max: number, visibilityTimeout: number | undefined): ReceivedMessage[] {
    const now = this.now();
    this.promote(q, now);
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
    this.journal.batch(taken.map((m) => ({ ns: NS_MESSAGES, key: messageKey(q.rec.accountId, q.rec.name, m.rec.messageId), value: m.rec })));
    return taken.map((m) => toReceived(m.rec));
  }

  /** The in-flight message a handle refers to: malformed → ReceiptHandleError, stale → MessageNotExist. */
  private inFlight(q: QueueState, handle: string, now: number): LiveMessage {
    const match = HANDLE_RE.exec(handle);
    if (!match) throw receiptHandleError();
    const m = q.messages.get(match[1] as string);
    if (!m || m.rec.receiptHandle !== handle || m.rec.visibleAt <= now || this.expired(q, m, now)) throw messageNotExist();
    return m;
  }

  private forget(q: QueueState, m: LiveMessage): void {
    q.messages.delete(m.rec.messageId);
    m.gen = -1;
  }

  private purgeExpired(q: QueueState, now: number): void {
    const doomed = [...q.messages.values()].filter((m) => this.expired(q, m, now));
    if (doomed.length === 0) return;
    this.journal.batch(doomed.map((m) => ({ ns: NS_MESSAGES, key: messageKey(q.rec.accountId, q.rec.name, m.rec.messageId) })));
    for (const m of doomed) this.forget(q, m);
  }

  /** Hand visible messages to waiting receivers, oldest waiter first. */
  private wake(q: QueueState): void {
    while (q.waiters.length > 0) {
      const w = q.waiters[0] as Waiter;
      const got = this.take(q, w.max, w.visibilityTimeout);
      if (got.length === 0) break;
      q.waiters.shift();
      clearTimeout(w.timer);
      w.resolve(got);
    }
    this.armTimer(q);
  }

  /** While receivers wait, keep one timer set for the earliest pending visibility. */
  private armTimer(q: QueueState): void {
    if (q.waiters.length === 0 || this.closed) {
      this.stopTimer(q);
      return;
    }
    let top = q.pending.peek();
    while (top !== undefined && top.gen !== top.m.gen) {
      q.pending.pop();
      top = q.pending.peek();
    }
    if (top === undefined) {
      this.stopTimer(q);
      return;
    }
    if (q.timer !== undefined && q.timerAt <= top.key) return;
    this.stopTimer(q);
    const delay = Math.min(Math.max(top.key - this.now(), 0), MAX_TIMER_MS);
    q.timerAt = top.key;
    q.timer = setTimeout(() => {
      q.timer = undefined;
      this.wake(q);
    }, delay);
    q.timer.unref();
  }

  private stopTimer(q: QueueState): void {
    if (q.timer !== undefined) clearTimeout(q.timer);
    q.timer = undefined;
  }
}

function newQueueState(rec: QueueRecord): QueueState {
  return {
    rec,
    messages: new Map(),
    ready: new MinHeap<HeapEntry>(byPrioritySeq),
    pending: new MinHeap<HeapEntry>(byPrioritySeq),
    waiters: [],
    timer: undefined,
    timerAt: 0,
  };
}

function toReceived(r: MessageRecord): ReceivedMessage {
  return {
    messageId: r.messageId,
    receiptHandle: r.receiptHandle as string,
    body: r.body,
    bodyMd5: r.bodyMd5,
    enqueueTime: r.enqueueTime,
    firstDequeueTime: r.firstDequeueTime,
    dequeueCount: r.dequeueCount,
    priority: r.priority,
    nextVisibleTime: r.visibleAt,
  };
}

const queueKey = (accountId: string, name: string): string => `${accountId}/${name}`;
const messageKey = (accountId: string, name: string, id: string): string => `${accountId}/${name}/${id}`;
const newHandle = (messageId: string): string => `1-${messageId}-${randomBytes(8).toString('hex')}`;
const inRange = (v: number, low: number, high: number): boolean => Number.isInteger(v) && v >= low && v <= high;

function sameAttributes(a: QueueAttributes, b: QueueAttributes): boolean {
  return (Object.keys(QUEUE_DEFAULTS) as Array<keyof QueueAttributes>).every((k) => a[k] === b[k]);
}

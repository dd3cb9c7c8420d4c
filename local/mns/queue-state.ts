/**
 * The in-memory shape of one queue and the pure operations on it (no journal, no timers).
 *
 * A `ready` heap orders receivable messages by (priority, enqueue sequence) and a `pending` heap
 * orders delayed and in-flight ones by the time they become visible. Heap entries carry the
 * message's generation; an entry whose generation no longer matches is stale and is dropped when
 * popped, so state changes never search the heaps.
 */
import { createHash, randomBytes } from 'node:crypto';
import { MinHeap } from './heap';
import type { MessageRecord, PeekedMessage, QueueRecord, ReceivedMessage } from './models';

export interface LiveMessage {
  rec: MessageRecord;
  /** Bumped on every visibility change; -1 once deleted. Not persisted. */
  gen: number;
}

export interface HeapEntry {
  m: LiveMessage;
  gen: number;
  /** Priority (ready heap) or visibility time (pending heap). */
  key: number;
}

export interface QueueState {
  rec: QueueRecord;
  messages: Map<string, LiveMessage>;
  ready: MinHeap<HeapEntry>;
  pending: MinHeap<HeapEntry>;
}

const byKeyThenSeq = (a: HeapEntry, b: HeapEntry): boolean => a.key < b.key || (a.key === b.key && a.m.rec.seq < b.m.rec.seq);

export function newQueueState(rec: QueueRecord): QueueState {
  return { rec, messages: new Map(), ready: new MinHeap<HeapEntry>(byKeyThenSeq), pending: new MinHeap<HeapEntry>(byKeyThenSeq) };
}

/** Journal keys: `<accountId>/<queue>` and `<accountId>/<queue>/<messageId>`. */
export const queueKey = (accountId: string, name: string): string => `${accountId}/${name}`;
export const messageKey = (q: QueueState, id: string): string => `${q.rec.accountId}/${q.rec.name}/${id}`;

/** Handles use only [A-Za-z0-9-], so the SDK's unencoded query strings never need escaping. */
const HANDLE_RE = /^1-([0-9A-F]{32})-[0-9a-f]{16}$/;
export const newHandle = (messageId: string): string => `1-${messageId}-${randomBytes(8).toString('hex')}`;
/** The message id a well-formed handle names; undefined for a malformed handle. */
export const handleMessageId = (handle: string): string | undefined => HANDLE_RE.exec(handle)?.[1];

export const newMessageId = (): string => randomBytes(16).toString('hex').toUpperCase();
export const md5Upper = (body: string): string => createHash('md5').update(body, 'utf8').digest('hex').toUpperCase();

/**
 * MessageRetentionPeriod counts from the send ("after the specified retention period ends, the
 * message is deleted regardless of whether the message is received", CreateQueue docs,
 * www.alibabacloud.com/help/en/message-service/latest/createqueue). At the boundary the message is
 * already gone: stricter than a service that might keep it for that last instant, so a message
 * delayed for the whole retention period is never delivered.
 */
export function isExpired(q: QueueState, m: LiveMessage, now: number): boolean {
  return m.rec.enqueueTime + q.rec.attributes.MessageRetentionPeriod * 1000 <= now;
}

/** Put a message in the heap its visibility calls for (with its current generation). */
export function enqueue(q: QueueState, m: LiveMessage, now: number): void {
  if (m.rec.visibleAt <= now) q.ready.push({ m, gen: m.gen, key: m.rec.priority });
  else q.pending.push({ m, gen: m.gen, key: m.rec.visibleAt });
}

/** Move pending entries that have become visible into the ready heap. */
export function promote(q: QueueState, now: number): void {
  for (let top = q.pending.peek(); top !== undefined && top.key <= now; top = q.pending.peek()) {
    q.pending.pop();
    if (top.gen !== top.m.gen) continue;
    q.ready.push({ m: top.m, gen: top.gen, key: top.m.rec.priority });
  }
}

/** When the earliest pending message becomes visible (stale entries on top are dropped); undefined if none. */
export function nextVisibleAt(q: QueueState): number | undefined {
  let top = q.pending.peek();
  while (top !== undefined && top.gen !== top.m.gen) {
    q.pending.pop();
    top = q.pending.peek();
  }
  return top?.key;
}

export function forget(q: QueueState, m: LiveMessage): void {
  q.messages.delete(m.rec.messageId);
  m.gen = -1;
}

export function toReceived(r: MessageRecord): ReceivedMessage {
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

export function toPeeked(r: MessageRecord): PeekedMessage {
  return {
    messageId: r.messageId,
    body: r.body,
    bodyMd5: r.bodyMd5,
    enqueueTime: r.enqueueTime,
    firstDequeueTime: r.firstDequeueTime === 0 ? r.enqueueTime : r.firstDequeueTime,
    dequeueCount: r.dequeueCount,
    priority: r.priority,
  };
}

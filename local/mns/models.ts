/**
 * MNS entities and limits (sources below; local/COVERAGE.md, MNS), shared by the store, the handlers
 * and the admin API, and the checks of those limits. Persisted records are plain JSON so the
 * journal can store them as is.
 */
import { outOfRange } from './errors';

export interface QueueAttributes {
  DelaySeconds: number;
  MaximumMessageSize: number;
  MessageRetentionPeriod: number;
  VisibilityTimeout: number;
  PollingWaitSeconds: number;
  LoggingEnabled: boolean;
}

type QueueAttributeName = keyof QueueAttributes;

export const QUEUE_DEFAULTS: Readonly<QueueAttributes> = {
  DelaySeconds: 0,
  MaximumMessageSize: 65536,
  MessageRetentionPeriod: 345600,
  VisibilityTimeout: 30,
  PollingWaitSeconds: 0,
  LoggingEnabled: false,
};

/**
 * The same attributes as the admin API (local runtime, stack seeding) spells them, like the rest
 * of MnsAdmin's options: `createQueue(owner, name, { messageRetentionPeriod: 604800 })`.
 */
export interface QueueOptions {
  delaySeconds?: number;
  maximumMessageSize?: number;
  messageRetentionPeriod?: number;
  visibilityTimeout?: number;
  pollingWaitSeconds?: number;
  loggingEnabled?: boolean;
}

const OPTION_NAMES: ReadonlyArray<[keyof QueueOptions, QueueAttributeName]> = [
  ['delaySeconds', 'DelaySeconds'],
  ['maximumMessageSize', 'MaximumMessageSize'],
  ['messageRetentionPeriod', 'MessageRetentionPeriod'],
  ['visibilityTimeout', 'VisibilityTimeout'],
  ['pollingWaitSeconds', 'PollingWaitSeconds'],
  ['loggingEnabled', 'LoggingEnabled'],
];

export function attributesFromOptions(o: QueueOptions): Partial<QueueAttributes> {
  const out: Record<string, number | boolean> = {};
  for (const [opt, attr] of OPTION_NAMES) {
    const v = o[opt];
    if (v !== undefined) out[attr] = v;
  }
  return out as Partial<QueueAttributes>;
}

export function optionsFromAttributes(a: QueueAttributes): Required<QueueOptions> {
  return {
    delaySeconds: a.DelaySeconds,
    maximumMessageSize: a.MaximumMessageSize,
    messageRetentionPeriod: a.MessageRetentionPeriod,
    visibilityTimeout: a.VisibilityTimeout,
    pollingWaitSeconds: a.PollingWaitSeconds,
    loggingEnabled: a.LoggingEnabled,
  };
}

/**
 * Inclusive ranges of the numeric attributes, with the unit the error message names. Sources:
 * CreateQueue (www.alibabacloud.com/help/en/message-service/latest/createqueue) and the queue
 * concepts page (alibabacloud.com/help/en/mns/basic-concepts-queue): DelaySeconds 0–604800,
 * MaximumMessageSize 1024–65536, MessageRetentionPeriod 60–604800 (default 345600),
 * VisibilityTimeout 1–43200, PollingWaitSeconds 0–30.
 */
export const QUEUE_LIMITS: Readonly<Record<Exclude<QueueAttributeName, 'LoggingEnabled'>, { low: number; high: number; unit: 'seconds' | 'bytes' }>> = {
  DelaySeconds: { low: 0, high: 604800, unit: 'seconds' },
  MaximumMessageSize: { low: 1024, high: 65536, unit: 'bytes' },
  MessageRetentionPeriod: { low: 60, high: 604800, unit: 'seconds' },
  VisibilityTimeout: { low: 1, high: 43200, unit: 'seconds' },
  PollingWaitSeconds: { low: 0, high: 30, unit: 'seconds' },
};

export const LIMITS = {
  // SendMessage (www.alibabacloud.com/help/doc-detail/35134.htm): Priority 1–16, default 8;
  // a message's DelaySeconds 0–604800, overriding the queue's.
  priorityLow: 1,
  priorityHigh: 16,
  defaultPriority: 8,
  messageDelayHigh: 604800,
  batchSize: 16,
  waitSecondsHigh: 30,
  listRetNumberHigh: 1000,
  queueNameMaxLength: 120,
} as const;

/** Persisted queue state (journal namespace `mns.queues`, key `<accountId>/<name>`). */
export interface QueueRecord {
  accountId: string;
  name: string;
  attributes: QueueAttributes;
  /** Unix ms. */
  createTime: number;
  lastModifyTime: number;
}

/** Persisted message state (journal namespace `mns.messages`, key `<accountId>/<queue>/<messageId>`). */
export interface MessageRecord {
  messageId: string;
  body: string;
  bodyMd5: string;
  priority: number;
  /** Enqueue order within the queue: FIFO tie-break inside one priority. */
  seq: number;
  enqueueTime: number;
  /** When the message is (or becomes) receivable, Unix ms. */
  visibleAt: number;
  dequeueCount: number;
  /** 0 until first received. */
  firstDequeueTime: number;
  /** The only handle that may delete or change this message; set while in flight. */
  receiptHandle?: string;
}

/** What a receive hands out (HTTP and admin API alike). */
export interface ReceivedMessage {
  messageId: string;
  receiptHandle: string;
  body: string;
  bodyMd5: string;
  enqueueTime: number;
  firstDequeueTime: number;
  dequeueCount: number;
  priority: number;
  nextVisibleTime: number;
}

/** What a peek shows: no handle, no visibility change. */
export type PeekedMessage = Omit<ReceivedMessage, 'receiptHandle' | 'nextVisibleTime'>;

export interface SentMessage {
  messageId: string;
  bodyMd5: string;
}

export interface QueueStats {
  /** Receivable now (MNS `ActiveMessages`). */
  visible: number;
  /** Received and inside their visibility timeout (MNS `InactiveMessages`). */
  inFlight: number;
  /** Sent with a delay that has not elapsed (MNS `DelayMessages`). */
  delayed: number;
}

export interface SendInput {
  body: string;
  delaySeconds?: number;
  priority?: number;
}

const inRange = (v: number, low: number, high: number): boolean => Number.isInteger(v) && v >= low && v <= high;

/** Every given numeric attribute within its documented range (QUEUE_LIMITS), else InvalidArgument. */
export function checkAttributes(attrs: Partial<QueueAttributes>): void {
  for (const [name, lim] of Object.entries(QUEUE_LIMITS) as Array<[keyof typeof QUEUE_LIMITS, (typeof QUEUE_LIMITS)[keyof typeof QUEUE_LIMITS]]>) {
    const v = attrs[name];
    if (v !== undefined && !inRange(v, lim.low, lim.high)) throw outOfRange(name, lim.low, lim.high, lim.unit);
  }
}

export function checkVisibilityTimeout(vt: number): void {
  const lim = QUEUE_LIMITS.VisibilityTimeout;
  if (!inRange(vt, lim.low, lim.high)) throw outOfRange('VisibilityTimeout', lim.low, lim.high);
}

/** A message's body size (UTF-8 bytes, up to the queue's MaximumMessageSize), DelaySeconds and Priority. */
export function checkMessage(input: SendInput, maximumMessageSize: number): void {
  const size = Buffer.byteLength(input.body, 'utf8');
  if (size < 1 || size > maximumMessageSize) throw outOfRange('MessageBody', 1, maximumMessageSize, 'bytes');
  if (input.delaySeconds !== undefined && !inRange(input.delaySeconds, 0, LIMITS.messageDelayHigh)) throw outOfRange('DelaySeconds', 0, LIMITS.messageDelayHigh);
  if (input.priority !== undefined && !inRange(input.priority, LIMITS.priorityLow, LIMITS.priorityHigh)) throw outOfRange('Priority', LIMITS.priorityLow, LIMITS.priorityHigh, '');
}

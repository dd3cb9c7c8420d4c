/**
 * MNS entities and limits (protocols.md §3.4 "Semantics"), shared by the store, the handlers
 * and the admin API. Persisted records are plain JSON so the journal can store them as is.
 */

export interface QueueAttributes {
  DelaySeconds: number;
  MaximumMessageSize: number;
  MessageRetentionPeriod: number;
  VisibilityTimeout: number;
  PollingWaitSeconds: number;
  LoggingEnabled: boolean;
}

export type QueueAttributeName = keyof QueueAttributes;

export const QUEUE_DEFAULTS: Readonly<QueueAttributes> = {
  DelaySeconds: 0,
  MaximumMessageSize: 65536,
  MessageRetentionPeriod: 345600,
  VisibilityTimeout: 30,
  PollingWaitSeconds: 0,
  LoggingEnabled: false,
};

/** Inclusive ranges of the numeric attributes, with the unit the error message names. */
export const QUEUE_LIMITS: Readonly<Record<Exclude<QueueAttributeName, 'LoggingEnabled'>, { low: number; high: number; unit: 'seconds' | 'bytes' }>> = {
  DelaySeconds: { low: 0, high: 604800, unit: 'seconds' },
  MaximumMessageSize: { low: 1024, high: 65536, unit: 'bytes' },
  MessageRetentionPeriod: { low: 60, high: 604800, unit: 'seconds' },
  VisibilityTimeout: { low: 1, high: 43200, unit: 'seconds' },
  PollingWaitSeconds: { low: 0, high: 30, unit: 'seconds' },
};

export const LIMITS = {
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

/**
 * The narrow interfaces the local FC runtime needs from the rest of the local cloud, so it can be
 * tested with in-memory fakes and wired to local/mns, local/sts and local/access without depending on them.
 */

type Awaitable<T> = T | Promise<T>;

/** A message as the queue backend hands it out (the shape of local/mns's admin `receiveMessage`). */
export interface QueueMessage {
  messageId: string;
  receiptHandle: string;
  body: string;
  dequeueCount: number;
  /** Enqueue time: epoch millis, Date or ISO string, whichever the backend keeps. */
  enqueueTime?: number | Date | string;
}

/** What the MNS queue triggers need from the MNS emulator (its admin API, not the wire protocol). */
export interface QueueBackend {
  receiveMessage(accountId: string, queue: string, opts: { waitSeconds?: number; visibilityTimeout?: number }): Awaitable<QueueMessage | undefined>;
  deleteMessage(accountId: string, queue: string, receiptHandle: string): Awaitable<unknown>;
  sendMessage(accountId: string, queue: string, body: string, opts?: { delaySeconds?: number; priority?: number }): Awaitable<unknown>;
  /** Optional: keep a message invisible while a long retry sequence runs. */
  changeVisibility?(accountId: string, queue: string, receiptHandle: string, visibilityTimeout: number): Awaitable<unknown>;
}

export interface FcLogger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

export const silentLogger: FcLogger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/** What the handler returned, kept in a form that survives the worker boundary. */
export type FunctionResult =
  | { kind: 'empty' }
  | { kind: 'string'; text: string }
  | { kind: 'bytes'; data: Buffer }
  | { kind: 'json'; value: unknown; text: string };

/** FC's error payload: `{errorMessage, errorType, stackTrace}`. */
export interface FunctionError {
  errorMessage: string;
  errorType: string;
  stackTrace?: string[];
}

export type InvocationOutcome =
  | { ok: true; requestId: string; durationMs: number; result: FunctionResult; logs: string[] }
  | { ok: false; requestId: string; durationMs: number; error: FunctionError; timedOut: boolean; logs: string[] };

/** Serialised bytes of a result, as the FC invoke API returns them. */
export function resultBytes(r: FunctionResult): Buffer {
  switch (r.kind) {
    case 'empty': return Buffer.alloc(0);
    case 'string': return Buffer.from(r.text, 'utf8');
    case 'bytes': return r.data;
    case 'json': return Buffer.from(r.text, 'utf8');
  }
}

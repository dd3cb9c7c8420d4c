/**
 * Structured JSON logger implementing the domain's Logger port: one JSON object per line, which
 * FC's log service (SLS) indexes field by field. Secrets are redacted by key name before anything
 * is serialised, because a log line cannot be unwritten.
 */
import type { Logger } from '../domain/ports';
import type { LogLevel } from './config';

const LEVEL_RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Key names whose values never reach a log: credentials, proofs, auth headers, signatures. */
const REDACTED_KEY = /secret|token|password|passwd|authorization|identity|credential|cookie|signature|private.?key/i;
export const REDACTED = '[REDACTED]';
/** Deep structures are cut here: a log line is for humans, and cycles must not hang the function. */
const MAX_DEPTH = 8;
const MAX_STRING = 8192;

type LogSink = (line: string) => void;

interface JsonLoggerOptions {
  /** Entries below this level are dropped. Default `info`. */
  level?: LogLevel;
  /** Where each line goes (without the trailing newline). Default: stdout. */
  sink?: LogSink;
  /** Fields bound to every entry (e.g. `function`, `requestId`). */
  fields?: Record<string, unknown>;
  clock?: () => Date;
}

const stdoutSink: LogSink = (line) => {
  process.stdout.write(`${line}\n`);
};

/** Copy `value` for logging with secrets redacted, errors flattened and cycles cut. */
export function redact(value: unknown, depth = 0, seen: WeakSet<object> = new WeakSet()): unknown {
  if (value === null || value === undefined) return value;
  if (typeof value === 'string') return value.length > MAX_STRING ? `${value.slice(0, MAX_STRING)}…` : value;
  if (typeof value === 'number' || typeof value === 'boolean') return value;
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'symbol' || typeof value === 'function') return String(value);
  if (typeof value !== 'object') return String(value);
  if (seen.has(value)) return '[Circular]';
  if (depth >= MAX_DEPTH) return '[Truncated]';
  seen.add(value);
  try {
    if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
    if (Buffer.isBuffer(value)) return `[Buffer ${value.length} bytes]`;
    if (value instanceof Error) return redactError(value, depth, seen);
    if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1, seen));
    if (value instanceof Map) return redactRecord(Object.fromEntries(value), depth, seen);
    if (value instanceof Set) return [...value].map((v) => redact(v, depth + 1, seen));
    return redactRecord(value as Record<string, unknown>, depth, seen);
  } finally {
    // Only ancestors count as cycles; the same object twice side by side is fine.
    seen.delete(value);
  }
}

function redactRecord(obj: Record<string, unknown>, depth: number, seen: WeakSet<object>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) out[k] = REDACTED_KEY.test(k) ? REDACTED : redact(v, depth + 1, seen);
  return out;
}

function redactError(e: Error, depth: number, seen: WeakSet<object>): Record<string, unknown> {
  const out: Record<string, unknown> = { name: e.name, message: e.message };
  const extra = e as Error & { code?: unknown; field?: unknown; details?: unknown };
  if (extra.code !== undefined) out.code = redact(extra.code, depth + 1, seen);
  if (extra.field !== undefined) out.field = redact(extra.field, depth + 1, seen);
  if (extra.details !== undefined) out.details = redact(extra.details, depth + 1, seen);
  if (e.stack !== undefined) out.stack = e.stack;
  if (e.cause !== undefined) out.cause = redact(e.cause, depth + 1, seen);
  return out;
}

export class JsonLogger implements Logger {
  private readonly level: LogLevel;
  private readonly sink: LogSink;
  private readonly bound: Record<string, unknown>;
  private readonly clock: () => Date;

  constructor(options: JsonLoggerOptions = {}) {
    this.level = options.level ?? 'info';
    this.sink = options.sink ?? stdoutSink;
    this.bound = options.fields ?? {};
    this.clock = options.clock ?? (() => new Date());
  }

  /** A logger with extra bound fields (e.g. the invocation's requestId); same level and sink. */
  child(fields: Record<string, unknown>): JsonLogger {
    return new JsonLogger({ level: this.level, sink: this.sink, clock: this.clock, fields: { ...this.bound, ...fields } });
  }

  isLevelEnabled(level: LogLevel): boolean {
    return LEVEL_RANK[level] >= LEVEL_RANK[this.level];
  }

  debug(message: string, fields?: Record<string, unknown>): void {
    this.write('debug', message, fields);
  }

  info(message: string, fields?: Record<string, unknown>): void {
    this.write('info', message, fields);
  }

  warn(message: string, fields?: Record<string, unknown>): void {
    this.write('warn', message, fields);
  }

  error(message: string, fields?: Record<string, unknown>): void {
    this.write('error', message, fields);
  }

  private write(level: LogLevel, message: string, fields: Record<string, unknown> | undefined): void {
    if (!this.isLevelEnabled(level)) return;
    const data = redact({ ...this.bound, ...fields });
    // The reserved keys come last so a field named `level` or `message` cannot disguise an entry.
    const entry = { ...(data as Record<string, unknown>), timestamp: this.clock().toISOString(), level, message };
    let line: string;
    try {
      line = JSON.stringify(entry);
    } catch {
      line = JSON.stringify({ timestamp: entry.timestamp, level, message, logError: 'fields could not be serialised' });
    }
    try {
      this.sink(line);
    } catch {
      // Logging must never turn a handled request into a failed one.
    }
  }
}

export function createLogger(options: JsonLoggerOptions = {}): JsonLogger {
  return new JsonLogger(options);
}

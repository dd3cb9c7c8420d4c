/**
 * `crossrole audit export --since <time> [--until <time>] [--format jsonl|csv] [--partner <id>] [--output <file>]`
 * (approvers and operators): the append-only audit trail, page by page from `GET /audit` of the
 * approval API, written as it arrives (never the whole export in memory). JSON Lines: one event per
 * line. CSV (RFC 4180): a header, CRLF line ends, fields quoted when they hold a comma, a quote or
 * a line break (quotes doubled); values are exact, so a formula a partner typed in a reason is not
 * neutralised: import the file as text. A progress bar (the share of the time window covered) on
 * stderr, only when stderr is a terminal and not with --json.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import type { AuditExportEvent, AuditPage } from '../../shared/domain/api';
import { parseDuration } from '../../shared/domain/duration';
import type { Session } from '../context';
import { ExitCode, UsageError } from '../errors';

type AuditFormat = 'jsonl' | 'csv';

interface AuditExportOptions {
  since: string;
  until?: string;
  format: AuditFormat;
  partner?: string;
  output?: string;
  /** Events per page (default: the API's maximum). */
  pageSize?: number;
}

/** The CSV columns, in order: who, what, when, from which state to which, why, and the RAM calls. */
const CSV_COLUMNS = ['id', 'at', 'requestId', 'partnerAccountId', 'requesterArn', 'profile', 'roleName', 'actor', 'action', 'fromStatus', 'toStatus', 'reason', 'ticket', 'ramCalls', 'details'] as const;

/** One CSV field (RFC 4180): quoted, with quotes doubled, when it holds a comma, a quote, CR or LF (or starts or ends with a space). */
export function csvField(value: string): string {
  return /[",\r\n]|^ | $/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** The RAM calls in one field: `Action resource result` joined by `; `. */
function ramCallsText(e: AuditExportEvent): string {
  return e.ramCalls.map((c) => `${c.action} ${c.resource} ${c.result}`).join('; ');
}

/** One event as a CSV record, CRLF-terminated. */
export function csvRecord(e: AuditExportEvent): string {
  const value: Record<(typeof CSV_COLUMNS)[number], string> = {
    id: String(e.id), at: e.at, requestId: e.requestId, partnerAccountId: e.partnerAccountId, requesterArn: e.requesterArn,
    profile: e.profile, roleName: e.roleName, actor: e.actor, action: e.action, fromStatus: e.fromStatus ?? '', toStatus: e.toStatus ?? '',
    reason: e.reason ?? '', ticket: e.ticket ?? '', ramCalls: ramCallsText(e), details: e.details === undefined ? '' : JSON.stringify(e.details),
  };
  return `${CSV_COLUMNS.map((c) => csvField(value[c])).join(',')}\r\n`;
}

export const CSV_HEADER = `${CSV_COLUMNS.join(',')}\r\n`;

/**
 * A time as the flags take it: ISO-8601 (`2026-12-07T10:00:00Z`; a date alone is midnight UTC),
 * `now`, or a duration ago (`24h`, `7d`, `PT30M`). Returned as ISO-8601 in UTC.
 */
export function parseTimeOption(flag: string, value: string, now: Date = new Date()): string {
  if (value === 'now') return now.toISOString();
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) value = `${value}T00:00:00Z`;
  if (/^\d{4}-\d{2}-\d{2}T/.test(value)) {
    const t = Date.parse(value);
    if (!Number.isNaN(t) && /(Z|[+-]\d{2}:\d{2})$/.test(value)) return new Date(t).toISOString();
    throw new UsageError(`${flag} ${value}: not an ISO-8601 time with a zone`, 'e.g. 2026-12-07T10:00:00Z, 2026-12-07, now, or a duration ago such as 24h or 7d');
  }
  try {
    return new Date(now.getTime() - parseDuration(value, flag) * 1000).toISOString();
  } catch {
    throw new UsageError(`${flag} ${value}: not a time`, 'e.g. 2026-12-07T10:00:00Z, 2026-12-07, now, or a duration ago such as 24h or 7d');
  }
}

interface Sink {
  write(chunk: string): Promise<void>;
  close(): Promise<void>;
}

function fileSink(path: string): Sink {
  const stream: WriteStream = createWriteStream(path, { encoding: 'utf8' });
  let failed: Error | undefined;
  stream.on('error', (e) => {
    failed = e;
  });
  return {
    write: (chunk) => new Promise((resolve, reject) => {
      if (failed !== undefined) return reject(failed);
      if (stream.write(chunk)) return resolve();
      stream.once('drain', () => resolve());
    }),
    close: () => new Promise((resolve, reject) => {
      stream.end(() => (failed === undefined ? resolve() : reject(failed)));
    }),
  };
}

const BAR_WIDTH = 30;

/** `[#########.....]  42%  1,500 events` with a `\r` so the next one overwrites it. */
function barText(fraction: number, events: number): string {
  const f = Math.max(0, Math.min(1, fraction));
  const filled = Math.round(f * BAR_WIDTH);
  return `\r[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ${String(Math.round(f * 100)).padStart(3)}%  ${events.toLocaleString('en-US')} events`;
}

export async function auditExportCommand(session: Session, o: AuditExportOptions): Promise<number> {
  const { ui } = session;
  const since = parseTimeOption('--since', o.since);
  const until = o.until === undefined ? undefined : parseTimeOption('--until', o.until);
  if (o.partner !== undefined && !/^\d{16}$/.test(o.partner)) throw new UsageError(`--partner ${o.partner}: not a 16-digit account ID`);
  const api = session.api();
  const sink: Sink = o.output === undefined ? { write: (c) => ui.data(c), close: async () => undefined } : fileSink(o.output);
  const bar = ui.stderrTty && !ui.json;
  let count = 0;
  let page: AuditPage | undefined;
  let pinned = until;
  try {
    if (o.format === 'csv') await sink.write(CSV_HEADER);
    do {
      page = await api.auditPage({
        since,
        ...(pinned === undefined ? {} : { until: pinned }),
        ...(o.partner === undefined ? {} : { partner: o.partner }),
        ...(page?.next === undefined ? {} : { cursor: page.next }),
        ...(o.pageSize === undefined ? {} : { limit: o.pageSize }),
      });
      // The whole export uses the window the first page was served with (the server's default `until`).
      if (pinned === undefined) pinned = page.until;
      if (count === 0 && !page.settled) ui.info(ui.c.yellow(`note: --until ${page.until} is less than two minutes ago: events still being committed then may be missing; export again later for a complete record`));
      // One write per page: the sink is awaited, so a slow disk or reader holds the next request back.
      await sink.write(page.items.map((e) => (o.format === 'csv' ? csvRecord(e) : `${JSON.stringify(e)}\n`)).join(''));
      count += page.items.length;
      const last = page.items[page.items.length - 1];
      if (bar && last !== undefined) {
        const span = Date.parse(page.until) - Date.parse(since);
        ui.err(barText(span <= 0 ? 1 : (Date.parse(last.at) - Date.parse(since)) / span, count));
      }
    } while (page.next !== undefined);
    if (bar) ui.err(`${barText(1, count)}\n`);
  } finally {
    await sink.close();
  }
  if (!ui.json) ui.info(`Exported ${count.toLocaleString('en-US')} audit events from ${since} to ${pinned ?? since}${o.partner === undefined ? '' : ` of partner ${o.partner}`}${o.output === undefined ? '' : ` to ${o.output}`} (${o.format}).`);
  return ExitCode.OK;
}

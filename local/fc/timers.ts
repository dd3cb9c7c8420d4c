/**
 * Timer trigger schedules: `@every 5m` intervals and 6-field cron (seconds first), UTC unless
 * prefixed with `CRON_TZ=<zone>` (help.aliyun.com/document_detail/2513615.html).
 */
import { CronExpressionParser } from 'cron-parser';
import { ValidationError } from '../../shared/domain/errors';
import { errorMessage } from '../core/errors';

type Schedule =
  | { kind: 'every'; intervalMs: number }
  | { kind: 'cron'; expression: string; tz: string };

const EVERY = /^@every\s+((?:\d+(?:h|m|s))+)$/;
const UNIT_MS: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000 };

export function parseSchedule(cronExpression: string, field = 'cronExpression'): Schedule {
  const text = cronExpression.trim();
  const every = EVERY.exec(text);
  if (every && every[1] !== undefined) {
    let ms = 0;
    for (const m of every[1].matchAll(/(\d+)([hms])/g)) ms += Number(m[1]) * (UNIT_MS[m[2] ?? 's'] ?? 1000);
    if (ms <= 0) throw new ValidationError('INVALID_CONFIG', field, `"${cronExpression}" is not a positive interval`);
    return { kind: 'every', intervalMs: ms };
  }
  let tz = 'UTC';
  let expression = text;
  const tzm = /^CRON_TZ=(\S+)\s+(.*)$/.exec(text);
  if (tzm && tzm[1] !== undefined && tzm[2] !== undefined) {
    tz = tzm[1];
    expression = tzm[2].trim();
  }
  if (expression.split(/\s+/).length !== 6) {
    throw new ValidationError('INVALID_CONFIG', field, `"${cronExpression}" must be "@every <n>m" or a 6-field cron expression (seconds minutes hours day-of-month month day-of-week)`);
  }
  const schedule: Schedule = { kind: 'cron', expression, tz };
  try {
    nextFire(schedule, new Date());
  } catch (e) {
    throw new ValidationError('INVALID_CONFIG', field, `"${cronExpression}" is not a valid cron expression: ${errorMessage(e)}`);
  }
  return schedule;
}

/** The first fire time strictly after `from`. */
export function nextFire(s: Schedule, from: Date): Date {
  if (s.kind === 'every') return new Date(from.getTime() + s.intervalMs);
  return CronExpressionParser.parse(s.expression, { currentDate: from, tz: s.tz }).next().toDate();
}

/** setTimeout cannot wait longer than ~24.8 days; longer waits are done in steps. */
const MAX_TIMEOUT_MS = 2_147_483_647;

/** Runs `fire` at each scheduled time until stopped. Timers are unref'd: they never keep a process alive. */
export class TimerSchedule {
  private handle: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(private readonly schedule: Schedule, private readonly fire: (at: Date) => void, private readonly now: () => Date = () => new Date()) {}

  start(): void {
    this.arm(nextFire(this.schedule, this.now()));
  }

  private arm(at: Date): void {
    if (this.stopped) return;
    const wait = Math.min(Math.max(0, at.getTime() - this.now().getTime()), MAX_TIMEOUT_MS);
    this.handle = setTimeout(() => {
      if (this.stopped) return;
      if (this.now().getTime() < at.getTime()) {
        this.arm(at);
        return;
      }
      this.fire(at);
      this.arm(nextFire(this.schedule, at.getTime() >= this.now().getTime() - 1000 ? at : this.now()));
    }, wait);
    this.handle.unref();
  }

  stop(): void {
    this.stopped = true;
    if (this.handle) clearTimeout(this.handle);
  }
}

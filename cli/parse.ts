/**
 * Option parsers shared by the command definitions (kept free of SDK imports, so that `--help`
 * and usage errors stay fast: the commands themselves are loaded only when they run).
 */
import { InvalidArgumentError } from 'commander';
import { ALL_STATUSES } from '../shared/domain/state-machine';
import { parseDuration } from '../shared/domain/duration';
import { UsageError } from './errors';

export type Decision = 'approve' | 'reject' | 'skip';

export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('must be a positive whole number');
  return n;
}

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export function parseStatusOption(value: string): string {
  const s = value.toUpperCase();
  if (!(ALL_STATUSES as readonly string[]).includes(s)) throw new UsageError(`--status ${value}: not a status`, `use one of ${ALL_STATUSES.join(', ')}`);
  return s;
}

export function parseDecision(value: string): Decision {
  if (value === 'approve' || value === 'reject' || value === 'skip') return value;
  throw new UsageError(`--decision ${value}: must be approve, reject or skip`);
}

/**
 * `--start-at`: an ISO-8601 time with an offset, sent as it is (the server judges it), or `+<duration>`
 * from now (`+2h`, `+30m`, `+PT90M`), turned into one here.
 */
export function parseStartAtOption(value: string): string {
  const now = new Date();
  if (!value.startsWith('+')) return value;
  try {
    return new Date(now.getTime() + parseDuration(value.slice(1), 'start-at') * 1000).toISOString();
  } catch {
    throw new InvalidArgumentError('must be an ISO-8601 time with an offset (2026-12-24T09:00:00+08:00) or +<duration> from now (+2h)');
  }
}

import { ValidationError } from './errors';

// Up to 8 digits, so every duration up to the limit can be written in seconds (formatDuration's
// output always parses back); the limit check below bounds the value.
const SHORT = /^([1-9]\d{0,7})(s|m|h|d)$/;
// ISO 8601 durations limited to days and time parts (no years/months: their length is ambiguous).
const ISO = /^P(?:(\d{1,6})D)?(?:T(?:(\d{1,7})H)?(?:(\d{1,9})M)?(?:(\d{1,10})S)?)?$/;
const UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86400 } as const;
/** Nothing we grant lasts longer than a year; also keeps arithmetic far from overflow. */
export const MAX_DURATION_SECONDS = 366 * 86400;

/**
 * Parse a duration strictly: `90m`, `8h`, `7d`, `30s`, or ISO 8601 `PT8H`, `P7D`, `PT1H30M`.
 * Returns whole seconds. Anything else (signs, decimals, spaces, zero, empty parts) is rejected.
 */
export function parseDuration(input: unknown, field = 'duration'): number {
  if (typeof input !== 'string') throw new ValidationError('INVALID_DURATION', field, 'must be a string such as "8h", "90m", "7d" or "PT8H"');
  const text = input.trim() === input ? input : '';
  let seconds: number | undefined;
  const short = SHORT.exec(text);
  if (short) {
    seconds = Number(short[1]) * UNIT_SECONDS[short[2] as keyof typeof UNIT_SECONDS];
  } else {
    const iso = ISO.exec(text);
    if (iso && text !== 'P' && !text.endsWith('T')) {
      const [, d, h, m, s] = iso;
      if (d !== undefined || h !== undefined || m !== undefined || s !== undefined) {
        seconds = Number(d ?? 0) * 86400 + Number(h ?? 0) * 3600 + Number(m ?? 0) * 60 + Number(s ?? 0);
      }
    }
  }
  if (seconds === undefined) throw new ValidationError('INVALID_DURATION', field, `"${truncate(input)}" is not a duration; use e.g. "8h", "90m", "7d" or "PT8H"`);
  if (seconds <= 0) throw new ValidationError('INVALID_DURATION', field, 'must be longer than zero');
  if (seconds > MAX_DURATION_SECONDS) throw new ValidationError('INVALID_DURATION', field, 'must be at most 366 days');
  return seconds;
}

/** Render seconds the short way ("8h", "90m", "7d"), for messages. */
export function formatDuration(seconds: number): string {
  if (seconds % 86400 === 0) return `${seconds / 86400}d`;
  if (seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds % 60 === 0) return `${seconds / 60}m`;
  return `${seconds}s`;
}

export function truncate(s: string, n = 40): string {
  return s.length > n ? `${s.slice(0, n)}…` : s;
}

import { ValidationError } from './errors';

// One or more parts, largest unit first, each at most once and never zero: `8h`, `1h30m`,
// `2d12h`, `1d2h3m4s`. Up to 8 digits a part, so every duration up to the limit can be written in
// seconds (formatDuration's output always parses back); the limit check below bounds the value.
const SHORT = /^(?=\d)(?:([1-9]\d{0,7})d)?(?:([1-9]\d{0,7})h)?(?:([1-9]\d{0,7})m)?(?:([1-9]\d{0,7})s)?$/;
// ISO 8601 durations limited to days and time parts (no years/months: their length is ambiguous).
const ISO = /^P(?:(\d{1,6})D)?(?:T(?:(\d{1,7})H)?(?:(\d{1,9})M)?(?:(\d{1,10})S)?)?$/;
/** Nothing we grant lasts longer than a year; also keeps arithmetic far from overflow. */
export const MAX_DURATION_SECONDS = 366 * 86400;

/**
 * Parse a duration strictly: `90m`, `8h`, `7d`, `30s`, compounds such as `1h30m` and `2d12h`, or
 * ISO 8601 `PT8H`, `P7D`, `PT1H30M`.
 * Returns whole seconds. Anything else (signs, decimals, spaces, zero, empty parts) is rejected.
 */
export function parseDuration(input: unknown, field = 'duration'): number {
  if (typeof input !== 'string') throw new ValidationError('INVALID_DURATION', field, 'must be a string such as "8h", "90m", "1h30m", "7d" or "PT8H"');
  const text = input.trim() === input ? input : '';
  let seconds: number | undefined;
  const short = SHORT.exec(text);
  if (short) {
    const [, d, h, m, s] = short;
    seconds = Number(d ?? 0) * 86400 + Number(h ?? 0) * 3600 + Number(m ?? 0) * 60 + Number(s ?? 0);
  } else {
    const iso = ISO.exec(text);
    if (iso && text !== 'P' && !text.endsWith('T')) {
      const [, d, h, m, s] = iso;
      if (d !== undefined || h !== undefined || m !== undefined || s !== undefined) {
        seconds = Number(d ?? 0) * 86400 + Number(h ?? 0) * 3600 + Number(m ?? 0) * 60 + Number(s ?? 0);
      }
    }
  }
  if (seconds === undefined) throw new ValidationError('INVALID_DURATION', field, `"${truncate(input)}" is not a duration; use e.g. "8h", "90m", "1h30m", "2d12h" or "PT8H"`);
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

/**
 * Zod failures as ValidationErrors naming the first offending field, for every parser at the edges
 * (HTTP events and bodies, queue and timer events) and in the use cases (request bodies).
 * The catalog keeps its own variant: it reports unknown keys at the key and uses INVALID_CONFIG.
 */
import type { z } from 'zod/v3';
import { ValidationError } from './errors';

/** Render a zod path like `profiles[1].maxDuration`; `(root)` for the value itself. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out === '' ? String(p) : `.${String(p)}`;
  return out || '(root)';
}

/** A zod failure as a ValidationError (code VALIDATION) naming the first offending field, under `prefix` if given. */
export function fromZodError(error: z.ZodError, prefix?: string, what = 'invalid'): ValidationError {
  const issue = error.issues[0];
  const path = issue === undefined ? '' : formatPath(issue.path);
  const field = prefix === undefined ? path : path === '(root)' || path === '' ? prefix : `${prefix}.${path}`;
  return new ValidationError('VALIDATION', field || '(root)', issue === undefined ? what : issue.message, {
    details: { issues: error.issues.slice(0, 10).map((i) => ({ field: formatPath(i.path), message: i.message })) },
  });
}

/** Parse with zod; throws fromZodError's ValidationError on failure. */
export function parseWith<T extends z.ZodTypeAny>(schema: T, input: unknown, prefix?: string): z.output<T> {
  const r = schema.safeParse(input);
  if (!r.success) throw fromZodError(r.error, prefix);
  return r.data as z.output<T>;
}

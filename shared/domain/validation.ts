/**
 * Zod failures as ValidationErrors naming the first offending field, for every parser at the edges
 * (HTTP events and bodies, queue and timer events) and in the use cases (request bodies).
 * The catalog keeps its own variant: it reports unknown keys at the key and uses INVALID_CONFIG.
 */
import type { z } from 'zod';
import { ValidationError } from './errors';

/** Render a zod path like `profiles[1].maxDuration`; `(root)` for the value itself. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out === '' ? String(p) : `.${String(p)}`;
  return out || '(root)';
}

/** Where an issue is: an unknown key at the key itself (`body.acknowledge`), not at its parent object. */
function issuePath(issue: z.core.$ZodIssue): ReadonlyArray<PropertyKey> {
  return issue.code === 'unrecognized_keys' && issue.keys.length > 0 ? [...issue.path, issue.keys[0] as string] : issue.path;
}

/** A zod failure as a ValidationError (code VALIDATION) naming the first offending field, under `prefix` if given. */
export function fromZodError(error: z.ZodError, prefix?: string, what = 'invalid'): ValidationError {
  const issue = error.issues[0];
  const path = issue === undefined ? '' : formatPath(issuePath(issue));
  const field = prefix === undefined ? path : path === '(root)' || path === '' ? prefix : `${prefix}.${path}`;
  return new ValidationError('VALIDATION', field || '(root)', issue === undefined ? what : issue.message, {
    details: { issues: error.issues.slice(0, 10).map((i) => ({ field: formatPath(issuePath(i)), message: i.message })) },
  });
}

/** Parse with zod; throws fromZodError's ValidationError on failure. */
export function parseWith<T extends z.ZodTypeAny>(schema: T, input: unknown, prefix?: string): z.output<T> {
  const r = schema.safeParse(input);
  if (!r.success) throw fromZodError(r.error, prefix);
  return r.data as z.output<T>;
}

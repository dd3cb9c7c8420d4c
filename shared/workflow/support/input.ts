/**
 * Parsing what people type into request bodies: free-text reasons, and the check that each use
 * case's body schema accepts exactly the API body type of shared/domain/api (the CLI's contract).
 */
import { ValidationError } from '../../domain/errors';

const MAX_REASON_LENGTH = 1024;

// C0 and C1 control characters, DEL; \n and \t are allowed (multi-line justifications).
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/;

/** A human reason: 1–1,024 characters, no control characters except newline and tab; trimmed. */
export function parseReason(input: unknown, field = 'reason'): string {
  if (typeof input !== 'string') throw new ValidationError('VALIDATION', field, 'must be a string');
  const text = input.trim();
  if (text.length === 0) throw new ValidationError('VALIDATION', field, 'must not be empty');
  if (text.length > MAX_REASON_LENGTH) throw new ValidationError('VALIDATION', field, `must be at most ${MAX_REASON_LENGTH} characters`);
  if (CONTROL.test(text)) throw new ValidationError('VALIDATION', field, 'must not contain control characters (newline and tab are allowed)');
  return text;
}

/**
 * `true` only when A and B are the same type. Used as `const _x: SameType<z.input<typeof s>, Body> = true`
 * so that a schema drifting from its API body type is a compile error.
 */
export type SameType<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

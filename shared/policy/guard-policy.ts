/**
 * The expiry guard: a custom policy attached to the grant's role that denies everything once
 * `acs:CurrentTime` is past the expiry, so access ends on time even if every timer and queue fails.
 */
import { ValidationError } from '../domain/errors';
import { parsePolicyDocument } from './policy-document';

/** `2026-11-29T12:00:00Z`: UTC, whole seconds (milliseconds are dropped, which can only end access earlier). */
function formatPolicyTime(at: Date): string {
  if (!(at instanceof Date) || Number.isNaN(at.getTime())) throw new ValidationError('VALIDATION', 'expiresAt', 'must be a valid date');
  return at.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function buildGuardPolicy(expiresAt: Date): string {
  const text = JSON.stringify({
    Version: '1',
    Statement: [{ Effect: 'Deny', Action: '*', Resource: '*', Condition: { DateGreaterThan: { 'acs:CurrentTime': formatPolicyTime(expiresAt) } } }],
  });
  parsePolicyDocument(text, 'guardPolicy');
  return text;
}

/**
 * The body of POST /requests (a partner asks for access), and the rule that privileged access is
 * never obtained by accident: a privileged profile must be asked for with `acknowledgePrivileged: true`.
 * Pure: the submit use case calls these (shared/workflow), the CLI builds the same body.
 */
import { z } from 'zod';
import type { SubmitRequestBody } from './api';
import type { Profile } from './catalog';
import { ForbiddenError } from './errors';
import { parseWith } from './validation';

/** Enough for a team; keeps the trust policy far below RAM's 2,048 characters. */
export const MAX_PRINCIPALS = 10;

const submitRequestSchema = z.strictObject({
  profile: z.string().min(1).max(64),
  duration: z.string().max(32),
  reason: z.string(),
  roleName: z.string().max(128).optional(),
  principals: z.array(z.string().max(256)).min(1).max(MAX_PRINCIPALS).optional(),
  /** Required (true) for a privileged profile: the requester says, on the record, that they know. */
  acknowledgePrivileged: z.boolean().optional(),
  /** Scheduled start (ISO-8601 with offset); judged by quorum.parseStartAt against the profile. */
  startAt: z.string().max(40).optional(),
});

/** `true` only when A and B are the same type: the schema accepts exactly the API's body type (shared/domain/api.ts). */
type SameType<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const _schemaIsTheApiBody: SameType<z.input<typeof submitRequestSchema>, SubmitRequestBody> = true;
void _schemaIsTheApiBody;

/** Parse the body, reporting the first bad field as a ValidationError (code VALIDATION); details.issues lists them. */
export function parseSubmitRequest(input: unknown): SubmitRequestBody {
  return parseWith(submitRequestSchema, input);
}

/**
 * A privileged profile carries actions the guardrails otherwise refuse (ram:* writes, sts:AssumeRole,
 * kms, `*`): the power to escalate or to persist beyond the grant. The requester must say so
 * explicitly, so that such access is never obtained by a typo or a copied command line, and the
 * acknowledgement is on the audit record the approver reads. Throws FORBIDDEN_PRIVILEGED_PROFILE (403).
 */
export function checkPrivilegedAcknowledgement(profile: Pick<Profile, 'name' | 'privileged'>, request: { acknowledgePrivileged?: boolean | undefined }): void {
  if (!profile.privileged || request.acknowledgePrivileged === true) return;
  throw new ForbiddenError('FORBIDDEN_PRIVILEGED_PROFILE', `profile "${profile.name}" is privileged: resend with "acknowledgePrivileged": true (crossrole request --acknowledge-privileged)`);
}

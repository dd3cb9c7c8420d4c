/**
 * The body of POST /requests (a partner asks for access), and the rule that privileged access is
 * never obtained by accident: a privileged profile must be asked for with `acknowledgePrivileged: true`.
 * Pure: the submit use case calls these (shared/workflow), the CLI builds the same body.
 */
import { z } from 'zod';
import type { SubmitRequestBody } from './api';
import { BREAK_GLASS_MIN_JUSTIFICATION, type Profile } from './catalog';
import { ForbiddenError, ValidationError } from './errors';
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
  ticket: z.string().max(256).optional(),
});

/** A ticket reference is an identifier, not prose: short, on one line. */
const MAX_TICKET_LENGTH = 128;
// Controls (C0, DEL, C1): a ticket is shown beside the reason, and must not be able to draw lines.
// eslint-disable-next-line no-control-regex
const TICKET_CONTROL = /[\u0000-\u001F\u007F-\u009F]/;

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

/** What a requester is told the ticket should look like: the profile's description and pattern. */
function ticketFormat(profile: Pick<Profile, 'ticket'>): string {
  const t = profile.ticket;
  const parts = [t?.description, t?.pattern === undefined ? undefined : `matching ${t.pattern}`].filter((x): x is string => x !== undefined);
  return parts.length === 0 ? '' : ` (${parts.join(', ')})`;
}

/**
 * The ticket reference of a request, checked against its profile: trimmed (empty is none), at most
 * 128 characters, no control characters; required when the profile says so (TICKET_REQUIRED);
 * matching the profile's anchored pattern when it has one (TICKET_INVALID, the message shows the
 * pattern). A break-glass profile needs a ticket or, without one, a justification of at least
 * {@link BREAK_GLASS_MIN_JUSTIFICATION} characters (TICKET_REQUIRED): nobody approves it before,
 * so the reviewer after must be able to tell why. Returns the ticket, or undefined.
 */
export function checkTicket(profile: Pick<Profile, 'name' | 'ticket' | 'breakGlass'>, input: { ticket?: string | undefined; reason: string }): string | undefined {
  const ticket = input.ticket?.trim() === '' ? undefined : input.ticket?.trim();
  if (ticket !== undefined) {
    if (ticket.length > MAX_TICKET_LENGTH) throw new ValidationError('TICKET_INVALID', 'ticket', `must be at most ${MAX_TICKET_LENGTH} characters`);
    if (TICKET_CONTROL.test(ticket)) throw new ValidationError('TICKET_INVALID', 'ticket', 'must not contain control characters');
    const pattern = profile.ticket?.pattern;
    // The catalog compiled the pattern at load (catalog.ts): it is a valid, anchored expression.
    if (pattern !== undefined && !new RegExp(pattern, 'u').test(ticket)) {
      throw new ValidationError('TICKET_INVALID', 'ticket', `does not match the ticket format of profile "${profile.name}"${ticketFormat(profile)}`, { details: { pattern } });
    }
    return ticket;
  }
  if (profile.ticket?.required === true) {
    throw new ValidationError('TICKET_REQUIRED', 'ticket', `profile "${profile.name}" needs a ticket reference${ticketFormat(profile)}: crossrole request --ticket <ref>`, {
      ...(profile.ticket.pattern === undefined ? {} : { details: { pattern: profile.ticket.pattern } }),
    });
  }
  if (profile.breakGlass && input.reason.trim().length < BREAK_GLASS_MIN_JUSTIFICATION) {
    throw new ValidationError('TICKET_REQUIRED', 'ticket', `profile "${profile.name}" is break-glass: give a ticket reference (--ticket) or a justification of at least ${BREAK_GLASS_MIN_JUSTIFICATION} characters as the reason`);
  }
  return undefined;
}

/**
 * The workflow's queue messages: ONE schema and ONE parser, used at every edge that reads a queue
 * (the queue-triggered functions, the dead-letter inbox, the CLI's approvals inbox). Messages
 * carry identifiers only; consumers re-read the ledger, so parsing is about rejecting junk early
 * and routing, never about authority.
 */
import { z } from 'zod';
import { errorMessage } from './errors';
import type { WorkflowMessage } from './ports';

export type MessageKind = WorkflowMessage['kind'];
export const MESSAGE_KINDS = ['approval-needed', 'provision', 'start', 'revoke', 'expire', 'extend', 'extension-needed', 'notify'] as const satisfies readonly MessageKind[];

/** Request ids are UUIDs in production; anything id-like and short is accepted, nothing else. */
const REQUEST_ID = /^[A-Za-z0-9][A-Za-z0-9-]{0,63}$/;

/** Strict: a message with fields we never send is not ours (forged, or from another producer). */
const workflowMessageSchema = z.strictObject({
  requestId: z.string().regex(REQUEST_ID, 'must be a request id'),
  version: z.number().int().min(0).optional(),
  kind: z.enum(MESSAGE_KINDS),
});

export type ParsedMessage = { ok: true; message: WorkflowMessage } | { ok: false; error: string };

/** Parse a message given as an object or as its JSON text. Never throws. */
export function parseWorkflowMessage(input: unknown): ParsedMessage {
  let value = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input) as unknown;
    } catch (e) {
      return { ok: false, error: `not JSON: ${errorMessage(e)}` };
    }
  }
  const r = workflowMessageSchema.safeParse(value);
  if (!r.success) {
    const issue = r.error.issues[0];
    return { ok: false, error: issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'invalid message' };
  }
  const { requestId, version, kind } = r.data;
  return { ok: true, message: version === undefined ? { requestId, kind } : { requestId, version, kind } };
}

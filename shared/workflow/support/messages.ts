/**
 * The workflow's queue messages. They carry identifiers only; consumers re-read the ledger, so
 * everything here is about rejecting junk early and routing, never about authority.
 */
import { z } from 'zod/v3';
import type { AccessRequest } from '../domain/access-request';
import { QueueName } from '../domain/ports';
import type { WorkflowMessage } from '../domain/ports';
import type { WorkflowDeps } from './deps';
import { messageOf } from './deps';

export type MessageKind = WorkflowMessage['kind'];
export const MESSAGE_KINDS = ['approval-needed', 'provision', 'revoke', 'expire'] as const satisfies readonly MessageKind[];

/** MNS's longest delay (7 days): longer waits are re-sent on arrival. */
export const MAX_DELAY_SECONDS = 604_800;

/** Request ids are UUIDs in production; anything id-like and short is accepted, nothing else. */
const REQUEST_ID = /^[A-Za-z0-9][A-Za-z0-9-]{0,63}$/;

export const workflowMessageSchema = z.strictObject({
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
      return { ok: false, error: `not JSON: ${messageOf(e)}` };
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

function decodeBase64Json(text: string): unknown {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text) || text.length % 4 !== 0) return undefined;
  try {
    return JSON.parse(Buffer.from(text, 'base64').toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * A dead letter's body: the message itself, or the EventBridge CloudEvent that wrapped it
 * (`data.messageBody`, possibly base64; reference/fc-sdevs-ram.md §2.5). Never throws.
 */
export function parseDeadLetterBody(body: string): ParsedMessage {
  const direct = parseWorkflowMessage(body);
  if (direct.ok) return direct;
  const b64 = decodeBase64Json(body.trim());
  if (b64 !== undefined) {
    const r = parseDeadLetterBody(JSON.stringify(b64));
    if (r.ok) return r;
  }
  let outer: unknown;
  try {
    outer = JSON.parse(body) as unknown;
  } catch {
    return direct;
  }
  const data = typeof outer === 'object' && outer !== null ? (outer as { data?: unknown }).data : undefined;
  const inner = typeof data === 'object' && data !== null ? (data as { messageBody?: unknown }).messageBody : undefined;
  if (typeof inner === 'string') {
    const plain = parseWorkflowMessage(inner);
    if (plain.ok) return plain;
    const decoded = decodeBase64Json(inner.trim());
    if (decoded !== undefined) return parseWorkflowMessage(decoded);
  }
  return direct;
}

export function queueOf(kind: MessageKind): QueueName {
  switch (kind) {
    case 'approval-needed':
      return QueueName.APPROVALS;
    case 'provision':
      return QueueName.PROVISION;
    case 'revoke':
    case 'expire':
      return QueueName.REVOKE;
  }
}

export function messageFor(request: Pick<AccessRequest, 'id' | 'version'>, kind: MessageKind): WorkflowMessage {
  return { requestId: request.id, version: request.version, kind };
}

/** Send the message a request's new state calls for; throws if the queue fails. */
export async function sendFor(deps: WorkflowDeps, request: Pick<AccessRequest, 'id' | 'version'>, kind: MessageKind, delaySeconds?: number): Promise<string> {
  const options = delaySeconds === undefined || delaySeconds <= 0 ? undefined : { delaySeconds: Math.min(Math.ceil(delaySeconds), MAX_DELAY_SECONDS) };
  return deps.queue.send(queueOf(kind), messageFor(request, kind), options);
}

/**
 * Send after a ledger write that already committed. A failure here must not fail the caller's
 * step (the row is the truth and the expiry scan re-sends for rows stuck in APPROVED, REVOKING or
 * PENDING), and must not make the client retry and create a duplicate request: log and go on.
 */
export async function sendBestEffort(deps: WorkflowDeps, request: Pick<AccessRequest, 'id' | 'version'>, kind: MessageKind, delaySeconds?: number): Promise<boolean> {
  try {
    await sendFor(deps, request, kind, delaySeconds);
    return true;
  } catch (e) {
    deps.logger.warn('message not sent; the expiry scan will re-send it', { requestId: request.id, kind, error: messageOf(e) });
    return false;
  }
}

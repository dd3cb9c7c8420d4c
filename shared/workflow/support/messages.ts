/**
 * Sending the workflow's queue messages. Parsing them is the edges' job, with the one schema in
 * shared/domain/messages; a use case only ever receives a typed WorkflowMessage.
 */
import type { AccessRequest } from '../../domain/access-request';
import { errorMessage } from '../../domain/errors';
import type { MessageKind } from '../../domain/messages';
import { QueueName } from '../../domain/ports';
import type { WorkflowMessage } from '../../domain/ports';
import type { WorkflowDeps } from './deps';

/** MNS's longest delay (7 days): longer waits are re-sent on arrival. */
export const MAX_DELAY_SECONDS = 604_800;

export function queueOf(kind: MessageKind): QueueName {
  switch (kind) {
    case 'approval-needed':
    case 'extension-needed':
      return QueueName.APPROVALS;
    // A scheduled start is provisioning's first step, and applying an extension needs provisioning's
    // RAM rights: the same function takes all three.
    case 'provision':
    case 'start':
    case 'extend':
      return QueueName.PROVISION;
    case 'revoke':
    case 'expire':
      return QueueName.REVOKE;
    case 'notify':
      return QueueName.NOTIFY;
  }
}

function messageFor(request: Pick<AccessRequest, 'id' | 'version'>, kind: MessageKind): WorkflowMessage {
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
    deps.logger.warn('message not sent; the expiry scan will re-send it', { requestId: request.id, kind, error: errorMessage(e) });
    return false;
  }
}

/**
 * The approvers' permission policy (`crossrole-approvers`): what an approver's own credentials need
 * beyond the HTTP API (which asks for no RAM permission, only an identity proof). The inbox
 * (cli/approvals-queue.ts) receives from `crossrole-approvals` with a visibility timeout, changes a
 * taken message's visibility to release it, and deletes it once decided. It never peeks.
 *
 * - The RAM resource of a queue's messages is `acs:mns:<region>:<uid>:/queues/<name>/messages`
 *   (doc-detail/27447).
 * - The batch APIs are authorized by the same actions: BatchReceiveMessage is mns:ReceiveMessage,
 *   BatchDeleteMessage mns:DeleteMessage (doc-detail/27447's action table).
 *
 * `crossrole bootstrap` writes this document and the local stack seeds it from the same builder.
 */
import { QueueName } from '../domain/ports';
import type { PolicyDocument } from './policy-document';

/** Exactly the MNS calls of cli/approvals-queue.ts (a unit test reads that file to keep them in step). */
export const APPROVER_MNS_ACTIONS = ['mns:ReceiveMessage', 'mns:DeleteMessage', 'mns:ChangeMessageVisibility'] as const;

interface ApproverPolicyInput {
  ownerAccountId: string;
  region: string;
}

/** The approvals queue's messages, as RAM names them. */
export function approvalsQueueResource(input: ApproverPolicyInput): string {
  return `acs:mns:${input.region}:${input.ownerAccountId}:/queues/${QueueName.APPROVALS}/messages`;
}

/** The policy document as the JSON text RAM receives; deterministic, so bootstrap can tell "unchanged". */
export function buildApproverPolicy(input: ApproverPolicyInput): string {
  const document: PolicyDocument = {
    Version: '1',
    Statement: [{ Effect: 'Allow', Action: [...APPROVER_MNS_ACTIONS], Resource: [approvalsQueueResource(input)] }],
  };
  return JSON.stringify(document);
}

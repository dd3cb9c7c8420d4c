/**
 * The approvers' policy (`crossrole-approvers`): exactly the inbox's MNS calls on the approvals
 * queue's messages, judged by the local cloud's independent RAM engine (the witness); and the inbox's code makes
 * no MNS call the policy leaves out.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { QueueName } from '../../../shared/domain/ports';
import { decide, parsePolicy } from '../../../local/access/policy';
import { APPROVER_MNS_ACTIONS, approvalsQueueResource, buildApproverPolicy } from '../../../shared/policy/approver-policy';

const UID = '1511928242963727';
const REGION = 'cn-hangzhou';
const doc = parsePolicy(buildApproverPolicy({ ownerAccountId: UID, region: REGION }), 'identity');
const allows = (action: string, resource: string): boolean => decide([doc], { action, resource, context: {} }) === 'Allow';
const messages = (queue: string, uid = UID, region = REGION): string => `acs:mns:${region}:${uid}:/queues/${queue}/messages`;

describe('buildApproverPolicy', () => {
  it('allows receiving, deleting and changing the visibility of the approvals queue\'s messages (doc-detail/27447 resource form)', () => {
    expect(approvalsQueueResource({ ownerAccountId: UID, region: REGION })).toBe(messages(QueueName.APPROVALS));
    for (const action of ['mns:ReceiveMessage', 'mns:DeleteMessage', 'mns:ChangeMessageVisibility']) expect(allows(action, messages(QueueName.APPROVALS))).toBe(true);
  });

  it('allows nothing else: no peek, no send, no other queue, account or region, no queue administration', () => {
    expect(allows('mns:PeekMessage', messages(QueueName.APPROVALS))).toBe(false);
    expect(allows('mns:SendMessage', messages(QueueName.APPROVALS))).toBe(false);
    for (const q of [QueueName.PROVISION, QueueName.REVOKE, QueueName.DEADLETTER]) expect(allows('mns:ReceiveMessage', messages(q))).toBe(false);
    expect(allows('mns:ReceiveMessage', messages(QueueName.APPROVALS, '1879324520397241'))).toBe(false);
    expect(allows('mns:ReceiveMessage', messages(QueueName.APPROVALS, UID, 'cn-shanghai'))).toBe(false);
    expect(allows('mns:GetQueueAttributes', `acs:mns:${REGION}:${UID}:/queues/${QueueName.APPROVALS}`)).toBe(false);
    expect(allows('ram:GetRole', '*')).toBe(false);
  });

  it('is deterministic (bootstrap compares it with RAM\'s default version to tell unchanged from updated)', () => {
    expect(buildApproverPolicy({ ownerAccountId: UID, region: REGION })).toBe(buildApproverPolicy({ ownerAccountId: UID, region: REGION }));
    expect(buildApproverPolicy({ ownerAccountId: UID, region: 'cn-shanghai' })).toContain('acs:mns:cn-shanghai:');
  });

  it('covers every MNS call of the inbox (cli/approvals-queue.ts and the queue adapter it uses), and no more', () => {
    const inbox = readFileSync(join(__dirname, '..', '..', '..', 'cli', 'approvals-queue.ts'), 'utf8');
    // The SDK methods MNS authorizes by these actions (doc-detail/27447: batch calls use the single call's action).
    const sdkAction: Record<string, string> = {
      receiveMessage: 'mns:ReceiveMessage', batchReceiveMessage: 'mns:ReceiveMessage', deleteMessage: 'mns:DeleteMessage', batchDeleteMessage: 'mns:DeleteMessage',
      changeMessageVisibility: 'mns:ChangeMessageVisibility', peekMessage: 'mns:PeekMessage', batchPeekMessage: 'mns:PeekMessage', sendMessage: 'mns:SendMessage',
    };
    const used = new Set<string>();
    for (const m of inbox.matchAll(/\)\)\.(\w+)\(|\bsdk\(\)\)\.(\w+)\(/g)) {
      const name = m[1] ?? m[2] ?? '';
      if (sdkAction[name] !== undefined) used.add(sdkAction[name]);
    }
    // adapter.receive with a visibility timeout: (Batch)ReceiveMessage then ChangeMessageVisibility; adapter.delete: DeleteMessage.
    if (/adapter\.receive\(/.test(inbox)) used.add('mns:ReceiveMessage').add('mns:ChangeMessageVisibility');
    if (/adapter\.delete\(/.test(inbox)) used.add('mns:DeleteMessage');
    expect([...used].sort()).toEqual([...APPROVER_MNS_ACTIONS].sort());
  });
});

/**
 * The approver's view of `crossrole-approvals`. Receive and delete go through shared/cloud's queue
 * adapter; the operation the workflow's QueuePort does not need, changing a taken message's
 * visibility (release = "show it again soon"), uses the MNS SDK here. There is no peek: it only
 * ever shows the first 16 visible messages, so the inbox pages by receiving instead.
 */
import { createQueueAdapter, mnsClientSource, type CredentialsInput } from '../shared/cloud';
import { QueueName, type Logger, type ReceivedMessage } from '../shared/domain/ports';
import { cloudCodeOf } from '../shared/cloud/errors';

export interface ApprovalsQueue {
  /**
   * Take up to 16 messages, invisible to others (and to later receives) for `visibilitySeconds`.
   * Long polling: waits up to `waitSeconds` (MNS: at most 30) when none is visible.
   */
  receive(visibilitySeconds: number, waitSeconds?: number): Promise<ReceivedMessage[]>;
  delete(receiptHandle: string): Promise<void>;
  /** Make a taken message visible again after `seconds` (MNS: 1..43200). */
  showAgainIn(receiptHandle: string, seconds: number): Promise<void>;
}

interface ApprovalsQueueOptions {
  endpoint: string;
  accountId: string;
  region: string;
  credentials: CredentialsInput;
  logger: Logger;
}

export function createApprovalsQueue(options: ApprovalsQueueOptions): ApprovalsQueue {
  const adapter = createQueueAdapter(options);
  const sdk = mnsClientSource(options);
  return {
    receive: (visibilitySeconds, waitSeconds = 1) => adapter.receive(QueueName.APPROVALS, { max: 16, waitSeconds, visibilityTimeout: visibilitySeconds }),
    delete: (receiptHandle) => adapter.delete(QueueName.APPROVALS, receiptHandle),
    async showAgainIn(receiptHandle, seconds) {
      try {
        await (await sdk()).changeMessageVisibility(QueueName.APPROVALS, receiptHandle, seconds);
      } catch (e) {
        // Already visible again (the handle expired): nothing to do.
        const code = cloudCodeOf(e) ?? (e instanceof Error ? e.name : '');
        if (!/MessageNotExist|ReceiptHandleError/.test(code)) throw e;
      }
    },
  };
}

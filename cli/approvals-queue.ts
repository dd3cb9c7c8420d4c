/**
 * The approver's view of `crossrole-approvals`. Receive and delete go through shared/cloud's queue
 * adapter; the two operations the workflow's QueuePort does not need, peek (list without taking)
 * and changing a taken message's visibility (skip = "show it again soon"), use the MNS SDK here.
 */
import { createQueueAdapter, mnsClientSource, type CredentialsInput } from '../shared/cloud';
import { QueueName, type Logger, type ReceivedMessage } from '../shared/domain/ports';
import { cloudCodeOf } from '../shared/cloud/errors';

export interface PeekedMessage {
  messageId: string;
  body: string;
  dequeueCount: number;
}

export interface ApprovalsQueue {
  /** Take up to 16 messages, invisible to others for `visibilitySeconds`. */
  receive(visibilitySeconds: number, waitSeconds?: number): Promise<ReceivedMessage[]>;
  delete(receiptHandle: string): Promise<void>;
  /** Make a taken message visible again after `seconds` (MNS: 1..43200). */
  showAgainIn(receiptHandle: string, seconds: number): Promise<void>;
  /** Up to 16 visible messages, without taking them. */
  peek(): Promise<PeekedMessage[]>;
}

export interface ApprovalsQueueOptions {
  endpoint: string;
  accountId: string;
  region: string;
  credentials: CredentialsInput;
  logger: Logger;
}

/** What @alicloud/mns answers to BatchPeekMessage (every leaf a string). Its typings omit peek. */
interface PeekClient {
  batchPeekMessage(queue: string, numOfMessages: number): Promise<{ body?: Array<{ MessageId?: string; MessageBody?: string; DequeueCount?: string }> }>;
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
    async peek() {
      const client = (await sdk()) as unknown as PeekClient;
      let body: Array<{ MessageId?: string; MessageBody?: string; DequeueCount?: string }> = [];
      try {
        body = (await client.batchPeekMessage(QueueName.APPROVALS, 16)).body ?? [];
      } catch (e) {
        if (e instanceof Error && /MessageNotExist/.test(e.name)) return [];
        throw e;
      }
      return (Array.isArray(body) ? body : [body]).flatMap((m) =>
        m.MessageId === undefined ? [] : [{ messageId: m.MessageId, body: m.MessageBody ?? '', dequeueCount: Number(m.DequeueCount ?? '0') || 0 }]);
    },
  };
}

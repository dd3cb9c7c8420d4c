/**
 * QueuePort over @alicloud/mns 1.2.0. Bodies are JSON; the SDK puts them into the XML request
 * verbatim, without escaping (its lib/client.js), so the JSON is written with `<`, `>` and `&`
 * as \u escapes: still the same JSON value, and never invalid XML on the wire.
 *
 * The SDK takes keys at construction, so with a CredentialProvider (rotating STS keys) the client
 * is rebuilt whenever the keys change (./client-cache).
 */
import MNSClient from '@alicloud/mns';
import { ValidationError } from '../domain/errors';
import type { Logger, QueueName, QueuePort, ReceivedMessage, WorkflowMessage } from '../domain/ports';
import { createCallRunner, type ActionStats } from './call-runner';
import { clientForCredentials } from './client-cache';
import type { CredentialsInput } from './credentials';
import { cloudCodeOf } from './errors';
import { unlimited, type RateLimiter } from './rate-limiter';
import type { RetryOptions } from './retry';

interface QueueAdapterOptions {
  /** Full URL: `http://127.0.0.1:9494` or `https://<uid>.mns.<region>.aliyuncs.com`. */
  endpoint: string;
  accountId: string;
  region: string;
  credentials: CredentialsInput;
  logger: Logger;
  limiter?: RateLimiter;
  retry?: RetryOptions;
}

interface QueueAdapter extends QueuePort {
  callCount(): number;
  callStats(): Record<string, ActionStats>;
}

/** MNS batch operations take at most 16 messages. */
const MNS_BATCH_MAX = 16;
/** MNS long polling is capped at 30 s. */
const MNS_MAX_WAIT_SECONDS = 30;

/** JSON without XML-special characters (they become \u escapes, which JSON.parse restores). */
function encodeMessageBody(message: WorkflowMessage): string {
  return JSON.stringify(message).replace(/[<>&]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * The MNS SDK client for the current keys (see ./client-cache), for this adapter and for callers
 * that need MNS operations the QueuePort does not have (the CLI's peek and change-visibility).
 */
export function mnsClientSource(options: Pick<QueueAdapterOptions, 'endpoint' | 'accountId' | 'region' | 'credentials'>): () => Promise<MNSClient> {
  if (!/^https?:\/\/[^/]+\/?$/.test(options.endpoint)) {
    throw new ValidationError('INVALID_CONFIG', 'endpoint', `must be http(s)://host[:port] (got ${JSON.stringify(options.endpoint)})`);
  }
  const endpoint = options.endpoint.replace(/\/$/, '');
  return clientForCredentials(options.credentials, (c) => new MNSClient(options.accountId, {
    accessKeyId: c.accessKeyId,
    accessKeySecret: c.accessKeySecret,
    endpoint,
    region: options.region,
    ...(c.securityToken ? { securityToken: c.securityToken } : {}),
  }));
}

export function createQueueAdapter(options: QueueAdapterOptions): QueueAdapter {
  const runner = createCallRunner({
    service: 'MNS',
    limiter: options.limiter ?? unlimited,
    logger: options.logger,
    ...(options.retry ? { retry: options.retry } : {}),
  });
  const client = mnsClientSource(options);

  return {
    async send(queue: QueueName, message: WorkflowMessage, sendOptions = {}) {
      const mns = await client();
      const r = await runner.run('SendMessage', queue, () => mns.sendMessage(queue, {
        MessageBody: encodeMessageBody(message),
        ...(sendOptions.delaySeconds !== undefined ? { DelaySeconds: sendOptions.delaySeconds } : {}),
        ...(sendOptions.priority !== undefined ? { Priority: sendOptions.priority } : {}),
      }));
      return r.body?.MessageId ?? '';
    },

    async receive(queue: QueueName, receiveOptions) {
      const mns = await client();
      const max = Math.min(MNS_BATCH_MAX, Math.max(1, Math.floor(receiveOptions.max)));
      const wait = Math.min(MNS_MAX_WAIT_SECONDS, Math.max(0, Math.floor(receiveOptions.waitSeconds)));
      let raw: Array<{ MessageId?: string; ReceiptHandle?: string; MessageBody?: string; DequeueCount?: string }>;
      try {
        if (max === 1) {
          const r = await runner.run('ReceiveMessage', queue, () => mns.receiveMessage(queue, wait));
          raw = r.body ? [r.body] : [];
        } else {
          const r = await runner.run('BatchReceiveMessage', queue, () => mns.batchReceiveMessage(queue, max, wait));
          raw = Array.isArray(r.body) ? r.body : [];
        }
      } catch (e) {
        if (cloudCodeOf(e) === 'MessageNotExist') return [];
        throw e;
      }
      const out: ReceivedMessage[] = [];
      for (const m of raw) {
        if (!m.MessageId || !m.ReceiptHandle) continue;
        let receiptHandle = m.ReceiptHandle;
        if (receiveOptions.visibilityTimeout !== undefined) {
          // MNS has no per-receive visibility; changing it issues a new handle and voids the old one.
          const handle = receiptHandle;
          const seconds = receiveOptions.visibilityTimeout;
          try {
            const c = await runner.run('ChangeMessageVisibility', queue, () => mns.changeMessageVisibility(queue, handle, seconds));
            receiptHandle = c.body?.ReceiptHandle ?? receiptHandle;
          } catch (e) {
            // Lost the message to another consumer in between: it is theirs now.
            if (cloudCodeOf(e) === 'MessageNotExist') continue;
            throw e;
          }
        }
        out.push({ messageId: m.MessageId, receiptHandle, body: m.MessageBody ?? '', dequeueCount: Number(m.DequeueCount ?? '1') || 1 });
      }
      return out;
    },

    async delete(queue: QueueName, receiptHandle: string) {
      const mns = await client();
      try {
        await runner.run('DeleteMessage', queue, () => mns.deleteMessage(queue, receiptHandle));
      } catch (e) {
        const code = cloudCodeOf(e);
        // Already deleted, visibility expired and re-delivered, or never ours: nothing left to do.
        if (code === 'MessageNotExist' || code === 'ReceiptHandleError') {
          options.logger.debug('MNS DeleteMessage: receipt handle no longer valid; treated as deleted', { queue, code });
          return;
        }
        throw e;
      }
    },

    callCount: () => runner.callCount(),
    callStats: () => runner.callStats(),
  };
}

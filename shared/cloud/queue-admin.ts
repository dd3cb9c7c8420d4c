/**
 * The operator's MNS queue calls (`crossrole bootstrap` and `crossrole doctor`): read, create and
 * update a queue's attributes. The functions never call these; their role may not.
 * MNS answers QueueNotExist for a missing queue and QueueAlreadyExist when CreateQueue names an
 * existing queue with other attributes (aliyun-mns-go-sdk: 204 for the same attributes, 409 QueueAlreadyExist otherwise).
 */
import MNSClient from '@alicloud/mns';
import type { Logger } from '../domain/ports';
import { createCallRunner } from './call-runner';
import { mnsClientSource } from './mns-adapter';
import type { CredentialsInput } from './credentials';
import { cloudCodeOf } from './errors';
import { unlimited } from './rate-limiter';
import type { RetryOptions } from './retry';

interface QueueAdminOptions {
  /** Full URL: `http://127.0.0.1:9494` or `https://<uid>.mns.<region>.aliyuncs.com`. */
  endpoint: string;
  accountId: string;
  region: string;
  credentials: CredentialsInput;
  logger: Logger;
  retry?: RetryOptions;
}

/** A queue's attributes as MNS reports them (every value a string: `MessageRetentionPeriod: '604800'`). */
type QueueAttributes = Record<string, string>;

export interface QueueAdmin {
  /** undefined when the queue does not exist. */
  getAttributes(queue: string): Promise<QueueAttributes | undefined>;
  create(queue: string, attributes: Record<string, number>): Promise<void>;
  setAttributes(queue: string, attributes: Record<string, number>): Promise<void>;
}

export function createQueueAdmin(options: QueueAdminOptions): QueueAdmin {
  const client: () => Promise<MNSClient> = mnsClientSource(options);
  const runner = createCallRunner({ service: 'MNS', limiter: unlimited, logger: options.logger, ...(options.retry ? { retry: options.retry } : {}) });
  return {
    async getAttributes(queue) {
      const mns = await client();
      try {
        return (await runner.run('GetQueueAttributes', queue, () => mns.getQueueAttributes(queue))).body;
      } catch (e) {
        if (cloudCodeOf(e) === 'QueueNotExist') return undefined;
        throw e;
      }
    },
    async create(queue, attributes) {
      const mns = await client();
      await runner.run('CreateQueue', queue, () => mns.createQueue(queue, { ...attributes }));
    },
    async setAttributes(queue, attributes) {
      const mns = await client();
      await runner.run('SetQueueAttributes', queue, () => mns.setQueueAttributes(queue, { ...attributes }));
    },
  };
}

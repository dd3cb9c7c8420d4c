/**
 * The official SDK clients, built for a parity site (the local cloud or a real account). Only
 * `@alicloud/*` packages: these files must run unchanged against Alibaba Cloud.
 */
import { createRequire } from 'node:module';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import Ecs from '@alicloud/ecs20140526';
import Ram from '@alicloud/ram20150501';
import Sts from '@alicloud/sts20150401';

export interface Creds {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string;
}

/** Where the services answer. POP endpoints are host[:port]; `mns` is a full URL. */
export interface Site {
  region: string;
  protocol: 'http' | 'https';
  endpoints: { ram: string; sts: string; ecs: string; mns: string };
}

function config(site: Site, creds: Creds, endpoint: string): $OpenApiUtil.Config {
  return new $OpenApiUtil.Config({
    accessKeyId: creds.accessKeyId,
    accessKeySecret: creds.accessKeySecret,
    ...(creds.securityToken === undefined ? {} : { securityToken: creds.securityToken }),
    endpoint,
    protocol: site.protocol,
    regionId: site.region,
  });
}

export const ramClient = (site: Site, creds: Creds): Ram => new Ram(config(site, creds, site.endpoints.ram));
export const stsClient = (site: Site, creds: Creds): Sts => new Sts(config(site, creds, site.endpoints.sts));
export const ecsClient = (site: Site, creds: Creds): Ecs => new Ecs(config(site, creds, site.endpoints.ecs));

// ------------------------------------------------------------- @alicloud/mns (ships no typings)

type MnsResult<B> = { code: number; headers: Record<string, string | undefined>; body: B };

/** Every leaf comes back as a string. */
export interface MnsMessage {
  MessageId: string;
  ReceiptHandle: string;
  MessageBody: string;
  DequeueCount: string;
  NextVisibleTime: string;
}

/** The subset of @alicloud/mns 1.2.0 the parity tests drive. */
export interface MnsClient {
  createQueue(name: string, attrs?: Record<string, string | number>): Promise<MnsResult<undefined>>;
  deleteQueue(name: string): Promise<MnsResult<undefined>>;
  listQueue(start?: string, limit?: number, prefix?: string): Promise<MnsResult<Array<{ QueueURL: string }> | undefined>>;
  getQueueAttributes(name: string): Promise<MnsResult<Record<string, string>>>;
  sendMessage(queue: string, params: { MessageBody: string; DelaySeconds?: number }): Promise<MnsResult<{ MessageId: string }>>;
  /** Without `waitSeconds` the queue's PollingWaitSeconds applies (0 on the parity queues). */
  receiveMessage(queue: string, waitSeconds?: number): Promise<MnsResult<MnsMessage>>;
  deleteMessage(queue: string, handle: string): Promise<MnsResult<undefined>>;
  changeMessageVisibility(queue: string, handle: string, seconds: number): Promise<MnsResult<{ ReceiptHandle: string; NextVisibleTime: string }>>;
}

type MnsCtor = new (accountId: string, opts: { endpoint: string; accessKeyId: string; accessKeySecret: string; securityToken?: string }) => MnsClient;
const MNSClient = createRequire(__filename)('@alicloud/mns') as MnsCtor;

/** The owner's queues: MNS addresses the account in the endpoint (`https://<uid>.mns.<region>.aliyuncs.com`). */
export function mnsClient(site: Site, accountId: string, creds: Creds): MnsClient {
  return new MNSClient(accountId, {
    endpoint: site.endpoints.mns,
    accessKeyId: creds.accessKeyId,
    accessKeySecret: creds.accessKeySecret,
    ...(creds.securityToken === undefined ? {} : { securityToken: creds.securityToken }),
  });
}

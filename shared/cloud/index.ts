/**
 * shared/cloud: the adapters over the official @alicloud SDKs (RAM, STS, MNS, FC 3.0, KMS secrets)
 * that implement the domain's ports, with pacing (rate limiter), bounded retries and the one table
 * that turns cloud error codes into domain codes. The only production code that imports an SDK.
 * Imports shared/domain, and shared/policy to compare documents. Imported by shared/runtime (wiring), shared/identity, functions/ and cli/;
 * never by shared/domain, shared/policy, shared/workflow or the local cloud's services.
 */
export type { CloudCredentials, CredentialsInput } from './credentials';
export { describeCloudFailure } from './errors';
export { popConfig } from './pop-config';
export { createRamAdapter, type RamAdapter } from './ram-adapter';
export { createStsClient, type AssumedRoleCredentials } from './sts-adapter';
export { mnsClientSource, createQueueAdapter } from './mns-adapter';
export { createFcClient, type FcClient } from './fc-adapter';
export { createQueueAdmin, type QueueAdmin } from './queue-admin';
export { createRamAdmin, type RamIdentity, type RamAdmin } from './ram-admin';

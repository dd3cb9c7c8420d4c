/**
 * shared/cloud: the adapters over the official @alicloud SDKs (RAM, STS, MNS, FC 3.0, KMS secrets)
 * that implement the domain's ports, with pacing (rate limiter), bounded retries and the one table
 * that turns cloud error codes into domain codes. The only production code that imports an SDK.
 * Imports shared/domain. Imported by shared/runtime (wiring), shared/identity, functions/ and cli/;
 * never by shared/domain, shared/policy, shared/workflow or the local cloud's services.
 */
export * from './credentials';
export * from './errors';
export * from './retry';
export * from './rate-limiter';
export * from './call-runner';
export * from './pop-config';
export * from './ram-adapter';
export * from './sts-adapter';
export * from './mns-adapter';
export * from './fc-adapter';
export * from './delete-conflict';
export * from './client-cache';
export * from './kms-adapter';
export * from './queue-admin';
export * from './ram-admin';

/**
 * STS over @alicloud/sts20150401: AssumeRole (the CLI's `assume`, the local FC's function
 * credentials) and GetCallerIdentity (who am I, for the CLI). Same pacing, retries and error
 * translation as the RAM adapter.
 */
import Sts, * as $Sts from '@alicloud/sts20150401';
import { CrossroleError } from '../domain/errors';
import type { CallerIdentity, Logger } from '../domain/ports';
import { createCallRunner, type ActionStats } from './call-runner';
import type { CloudCredentials } from './credentials';
import { popConfig, type PopClientOptions } from './pop-config';
import { createTokenBucketLimiter, pacedRates, STS_API_QUOTAS, type RateLimiter } from './rate-limiter';
import type { RetryOptions } from './retry';

interface StsClientOptions extends PopClientOptions {
  logger: Logger;
  limiter?: RateLimiter;
  retry?: RetryOptions;
}

interface AssumeRoleInput {
  roleArn: string;
  roleSessionName: string;
  externalId?: string;
  /** 900 .. the role's MaxSessionDuration. */
  durationSeconds: number;
  /** Session policy (JSON); the session gets the intersection with the role's policies. */
  policy?: string;
  /** Who is behind the session; kept for the session's life and shown in the owner's ActionTrail. */
  sourceIdentity?: string;
}

export interface AssumedRoleCredentials extends Required<CloudCredentials> {
  expiration: Date;
  assumedRoleArn: string;
  assumedRoleId: string;
}

interface StsClient {
  assumeRole(input: AssumeRoleInput): Promise<AssumedRoleCredentials>;
  getCallerIdentity(): Promise<CallerIdentity & { userId?: string; roleId?: string }>;
  callCount(): number;
  callStats(): Record<string, ActionStats>;
}

function need(value: string | undefined, what: string): string {
  if (!value) throw new CrossroleError('CLOUD_ERROR', `STS answered without ${what}`, { details: { field: what } });
  return value;
}

export function createStsClient(options: StsClientOptions): StsClient {
  const client = new Sts(popConfig(options));
  const runner = createCallRunner({
    service: 'STS',
    limiter: options.limiter ?? createTokenBucketLimiter({ rates: pacedRates(STS_API_QUOTAS), defaultRate: 20, burst: 5 }),
    logger: options.logger,
    ...(options.retry ? { retry: options.retry } : {}),
  });

  return {
    async assumeRole(input) {
      const r = await runner.run('AssumeRole', input.roleArn, () => client.assumeRole(new $Sts.AssumeRoleRequest({
        roleArn: input.roleArn,
        roleSessionName: input.roleSessionName,
        durationSeconds: input.durationSeconds,
        ...(input.externalId !== undefined ? { externalId: input.externalId } : {}),
        ...(input.policy !== undefined ? { policy: input.policy } : {}),
        ...(input.sourceIdentity !== undefined ? { sourceIdentity: input.sourceIdentity } : {}),
      })));
      const c = r.body?.credentials;
      const expiration = new Date(need(c?.expiration, 'Credentials.Expiration'));
      if (Number.isNaN(expiration.getTime())) throw new CrossroleError('CLOUD_ERROR', `STS answered an unreadable Expiration ${c?.expiration ?? ''}`);
      return {
        accessKeyId: need(c?.accessKeyId, 'Credentials.AccessKeyId'),
        accessKeySecret: need(c?.accessKeySecret, 'Credentials.AccessKeySecret'),
        securityToken: need(c?.securityToken, 'Credentials.SecurityToken'),
        expiration,
        assumedRoleArn: r.body?.assumedRoleUser?.arn ?? '',
        assumedRoleId: r.body?.assumedRoleUser?.assumedRoleId ?? '',
      };
    },

    async getCallerIdentity() {
      const r = await runner.run('GetCallerIdentity', undefined, () => client.getCallerIdentity());
      const b = r.body;
      return {
        accountId: need(b?.accountId, 'AccountId'),
        arn: need(b?.arn, 'Arn'),
        principalId: b?.principalId ?? '',
        identityType: b?.identityType ?? '',
        ...(b?.userId ? { userId: b.userId } : {}),
        ...(b?.roleId ? { roleId: b.roleId } : {}),
      };
    },

    callCount: () => runner.callCount(),
    callStats: () => runner.callStats(),
  };
}

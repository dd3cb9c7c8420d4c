/**
 * The operator's RAM calls that the functions never make (`crossrole bootstrap`, `crossrole doctor`):
 * read a custom policy's default version, list and attach the policies of a user or a role. The
 * RamAdapter (./ram-adapter) keeps the port the functions use; this file keeps its SDK client to
 * itself so the two can change apart.
 *
 * Codes (RAM API references, and the local RAM's error table): a missing policy answers
 * EntityNotExist.Policy, a missing user EntityNotExist.User, a missing role EntityNotExist.Role;
 * attaching an attached policy EntityAlreadyExists.User.Policy / EntityAlreadyExists.Role.Policy.
 */
import Ram, * as $Ram from '@alicloud/ram20150501';
import type { Logger, PolicyRef } from '../domain/ports';
import { createCallRunner } from './call-runner';
import { cloudCodeOf } from './errors';
import { popConfig, type PopClientOptions } from './pop-config';
import { createTokenBucketLimiter, pacedRates, RAM_API_QUOTAS } from './rate-limiter';
import type { RetryOptions } from './retry';

interface RamAdminOptions extends PopClientOptions {
  logger: Logger;
  retry?: RetryOptions;
}

/** A RAM user or role of the caller's account, by name. */
export interface RamIdentity {
  kind: 'user' | 'role';
  name: string;
}

interface PolicyDefaultVersion {
  versionId: string;
  document: string;
}

interface RoleSummary {
  arn: string;
  trustPolicy: string;
}

export interface RamAdmin {
  /** A role's ARN and trust policy (GetRole only: no tag read); undefined when it does not exist. */
  getRole(name: string): Promise<RoleSummary | undefined>;
  /** The default version of a Custom policy; undefined when the policy does not exist. */
  getCustomPolicy(name: string): Promise<PolicyDefaultVersion | undefined>;
  /** The policies attached to a user or role; undefined when that user or role does not exist. */
  listPoliciesOf(who: RamIdentity): Promise<PolicyRef[] | undefined>;
  /** Idempotent: an attached policy is success. */
  attachPolicyTo(who: RamIdentity, policy: PolicyRef): Promise<void>;
}

function refs(list: Array<{ policyName?: string; policyType?: string }> | undefined): PolicyRef[] {
  return (list ?? []).filter((p) => p.policyName !== undefined).map((p) => ({ type: p.policyType === 'System' ? 'System' : 'Custom', name: p.policyName ?? '' }));
}

export function createRamAdmin(options: RamAdminOptions): RamAdmin {
  const client = new Ram(popConfig(options));
  const runner = createCallRunner({
    service: 'RAM',
    limiter: createTokenBucketLimiter({ rates: pacedRates(RAM_API_QUOTAS), defaultRate: 9 }),
    logger: options.logger,
    ...(options.retry ? { retry: options.retry } : {}),
  });

  return {
    async getRole(name) {
      try {
        const r = await runner.run('GetRole', name, () => client.getRole(new $Ram.GetRoleRequest({ roleName: name })));
        return { arn: r.body?.role?.arn ?? '', trustPolicy: r.body?.role?.assumeRolePolicyDocument ?? '' };
      } catch (e) {
        if (cloudCodeOf(e) === 'EntityNotExist.Role') return undefined;
        throw e;
      }
    },

    async getCustomPolicy(name) {
      try {
        const r = await runner.run('GetPolicy', name, () => client.getPolicy(new $Ram.GetPolicyRequest({ policyName: name, policyType: 'Custom' })));
        const versionId = r.body?.defaultPolicyVersion?.versionId ?? r.body?.policy?.defaultVersion ?? '';
        const document = r.body?.defaultPolicyVersion?.policyDocument ?? r.body?.policy?.policyDocument ?? '';
        return { versionId, document };
      } catch (e) {
        if (cloudCodeOf(e) === 'EntityNotExist.Policy') return undefined;
        throw e;
      }
    },

    async listPoliciesOf(who) {
      try {
        if (who.kind === 'user') {
          const r = await runner.run('ListPoliciesForUser', who.name, () => client.listPoliciesForUser(new $Ram.ListPoliciesForUserRequest({ userName: who.name })));
          return refs(r.body?.policies?.policy);
        }
        const r = await runner.run('ListPoliciesForRole', who.name, () => client.listPoliciesForRole(new $Ram.ListPoliciesForRoleRequest({ roleName: who.name })));
        return refs(r.body?.policies?.policy);
      } catch (e) {
        const code = cloudCodeOf(e);
        if (code === 'EntityNotExist.User' || code === 'EntityNotExist.Role') return undefined;
        throw e;
      }
    },

    async attachPolicyTo(who, policy) {
      try {
        if (who.kind === 'user') {
          await runner.run('AttachPolicyToUser', `${who.name} (${policy.type} ${policy.name})`, () => client.attachPolicyToUser(
            new $Ram.AttachPolicyToUserRequest({ userName: who.name, policyType: policy.type, policyName: policy.name })));
        } else {
          await runner.run('AttachPolicyToRole', `${who.name} (${policy.type} ${policy.name})`, () => client.attachPolicyToRole(
            new $Ram.AttachPolicyToRoleRequest({ roleName: who.name, policyType: policy.type, policyName: policy.name })));
        }
      } catch (e) {
        if (/^EntityAlreadyExists\.(User|Role)\.Policy$/.test(cloudCodeOf(e) ?? '')) return;
        throw e;
      }
    },
  };
}

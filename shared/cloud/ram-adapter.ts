/**
 * RamPort over @alicloud/ram20150501 (one SDK client per adapter). Idempotency rules of the port
 * live here (already attached / not attached / already deleted are success); every other failure
 * goes through the one translation table in ./errors.
 */
import Ram, * as $Ram from '@alicloud/ram20150501';
import { CrossroleError } from '../domain/errors';
import type { Logger, PolicyRef, RamPort, RoleInfo } from '../domain/ports';
import { createCallRunner, type ActionStats } from './call-runner';
import { cloudCodeOf } from './errors';
import { popConfig, type PopClientOptions } from './pop-config';
import { createTokenBucketLimiter, pacedRates, RAM_API_QUOTAS, type RateLimiter } from './rate-limiter';
import type { RetryOptions } from './retry';

export interface RamAdapterOptions extends PopClientOptions {
  logger: Logger;
  /** Shared by every call of this adapter; default: RAM quotas x0.9, evenly spaced. */
  limiter?: RateLimiter;
  retry?: RetryOptions;
  /** ListRoles page size (1-1000; default 100). */
  pageSize?: number;
}

export interface RamAdapter extends RamPort {
  /** Per-API counters (attempts, retries, failures). */
  callStats(): Record<string, ActionStats>;
}

const ROLE = 'role';

function tagList(tags: Record<string, string>): Array<{ key: string; value: string }> {
  return Object.entries(tags).map(([key, value]) => ({ key, value }));
}

function requireString(value: string | undefined, what: string): string {
  if (value === undefined) throw new CrossroleError('CLOUD_ERROR', `RAM answered without ${what}`, { details: { field: what } });
  return value;
}

function sameDocument(a: string, b: string): boolean {
  if (a === b) return true;
  try {
    return JSON.stringify(JSON.parse(a)) === JSON.stringify(JSON.parse(b));
  } catch {
    return false;
  }
}

export function createRamAdapter(options: RamAdapterOptions): RamAdapter {
  const client = new Ram(popConfig(options));
  const runner = createCallRunner({
    service: 'RAM',
    limiter: options.limiter ?? createTokenBucketLimiter({ rates: pacedRates(RAM_API_QUOTAS), defaultRate: 9 }),
    logger: options.logger,
    ...(options.retry ? { retry: options.retry } : {}),
  });
  const pageSize = Math.min(1000, Math.max(1, options.pageSize ?? 100));

  /** All tags of one role: GetRole does not return tags (its model has none), ListTagResources does. */
  async function roleTags(name: string): Promise<Record<string, string>> {
    const tags: Record<string, string> = {};
    let nextToken: string | undefined;
    do {
      const token = nextToken;
      const r = await runner.run('ListTagResources', name, () => client.listTagResources(new $Ram.ListTagResourcesRequest({
        resourceType: ROLE, resourceNames: [name], pageSize: 100, ...(token ? { nextToken: token } : {}),
      })));
      for (const t of r.body?.tagResources ?? []) {
        if (t.tagKey !== undefined && (t.resourceName === undefined || t.resourceName === name)) tags[t.tagKey] = t.tagValue ?? '';
      }
      nextToken = r.body?.nextToken || undefined;
    } while (nextToken);
    return tags;
  }

  async function getRoleWithoutTags(name: string): Promise<Omit<RoleInfo, 'tags'> | undefined> {
    try {
      const r = await runner.run('GetRole', name, () => client.getRole(new $Ram.GetRoleRequest({ roleName: name })));
      const role = r.body?.role;
      return {
        name: requireString(role?.roleName, 'Role.RoleName'),
        arn: requireString(role?.arn, 'Role.Arn'),
        trustPolicy: role?.assumeRolePolicyDocument ?? '',
        maxSessionDuration: role?.maxSessionDuration ?? 3600,
      };
    } catch (e) {
      if (cloudCodeOf(e) === 'EntityNotExist.Role') return undefined;
      throw e;
    }
  }

  return {
    async getRole(name) {
      const role = await getRoleWithoutTags(name);
      if (!role) return undefined;
      return { ...role, tags: await roleTags(name) };
    },

    async createRole(input) {
      const r = await runner.run('CreateRole', input.name, () => client.createRole(new $Ram.CreateRoleRequest({
        roleName: input.name,
        assumeRolePolicyDocument: input.trustPolicy,
        maxSessionDuration: input.maxSessionDuration,
        description: input.description,
        ...(Object.keys(input.tags).length > 0 ? { tag: tagList(input.tags).map((t) => new $Ram.CreateRoleRequestTag(t)) } : {}),
      })));
      const role = r.body?.role;
      return {
        name: role?.roleName ?? input.name,
        arn: requireString(role?.arn, 'Role.Arn'),
        trustPolicy: role?.assumeRolePolicyDocument ?? input.trustPolicy,
        maxSessionDuration: role?.maxSessionDuration ?? input.maxSessionDuration,
        // CreateRole answers no tags; RAM stored exactly the ones sent.
        tags: { ...input.tags },
      };
    },

    async updateTrustPolicy(name, trustPolicy) {
      await runner.run('UpdateRole', name, () => client.updateRole(new $Ram.UpdateRoleRequest({ roleName: name, newAssumeRolePolicyDocument: trustPolicy })));
    },

    async deleteRole(name) {
      try {
        await runner.run('DeleteRole', name, () => client.deleteRole(new $Ram.DeleteRoleRequest({ roleName: name })));
      } catch (e) {
        if (cloudCodeOf(e) === 'EntityNotExist.Role') return;
        throw e;
      }
    },

    async listPoliciesForRole(name) {
      const r = await runner.run('ListPoliciesForRole', name, () => client.listPoliciesForRole(new $Ram.ListPoliciesForRoleRequest({ roleName: name })));
      const out: PolicyRef[] = [];
      for (const p of r.body?.policies?.policy ?? []) {
        if (p.policyName === undefined) continue;
        out.push({ type: p.policyType === 'System' ? 'System' : 'Custom', name: p.policyName });
      }
      return out;
    },

    async attachPolicyToRole(roleName, policy) {
      try {
        await runner.run('AttachPolicyToRole', `${roleName} (${policy.type} ${policy.name})`, () => client.attachPolicyToRole(
          new $Ram.AttachPolicyToRoleRequest({ roleName, policyType: policy.type, policyName: policy.name })));
      } catch (e) {
        if (cloudCodeOf(e) === 'EntityAlreadyExists.Role.Policy') return;
        throw e;
      }
    },

    async detachPolicyFromRole(roleName, policy) {
      try {
        await runner.run('DetachPolicyFromRole', `${roleName} (${policy.type} ${policy.name})`, () => client.detachPolicyFromRole(
          new $Ram.DetachPolicyFromRoleRequest({ roleName, policyType: policy.type, policyName: policy.name })));
      } catch (e) {
        // Not attached, no such role or no such policy: in every case the policy is not attached.
        if (cloudCodeOf(e)?.startsWith('EntityNotExist')) return;
        throw e;
      }
    },

    async createPolicy(name, document, description) {
      try {
        await runner.run('CreatePolicy', name, () => client.createPolicy(new $Ram.CreatePolicyRequest({ policyName: name, policyDocument: document, description })));
      } catch (e) {
        if (cloudCodeOf(e) !== 'EntityAlreadyExists.Policy') throw e;
        const existing = await runner.run('GetPolicy', name, () => client.getPolicy(new $Ram.GetPolicyRequest({ policyName: name, policyType: 'Custom' })));
        const current = existing.body?.defaultPolicyVersion?.policyDocument ?? existing.body?.policy?.policyDocument;
        if (current !== undefined && sameDocument(current, document)) return;
        throw new CrossroleError('ALREADY_EXISTS', `RAM CreatePolicy on ${name}: a policy with this name exists with a different document`, {
          cause: e, details: { service: 'RAM', action: 'CreatePolicy', resource: name, cloudCode: 'EntityAlreadyExists.Policy' },
        });
      }
    },

    async deletePolicy(name) {
      try {
        await runner.run('DeletePolicy', name, () => client.deletePolicy(new $Ram.DeletePolicyRequest({ policyName: name })));
      } catch (e) {
        if (cloudCodeOf(e) === 'EntityNotExist.Policy') return;
        throw e;
      }
    },

    async listRolesByTag(key, value) {
      const found: Array<{ name: string; tags?: Record<string, string> }> = [];
      let marker: string | undefined;
      do {
        const m = marker;
        const r = await runner.run('ListRoles', `tag ${key}=${value}`, () => client.listRoles(new $Ram.ListRolesRequest({
          maxItems: pageSize, tag: [new $Ram.ListRolesRequestTag({ key, value })], ...(m ? { marker: m } : {}),
        })));
        for (const role of r.body?.roles?.role ?? []) {
          if (role.roleName === undefined) continue;
          if (role.tags?.tag === undefined) {
            // No tags in the listing: trust the server's filter, read the tags separately.
            found.push({ name: role.roleName });
            continue;
          }
          const tags: Record<string, string> = {};
          for (const t of role.tags.tag) if (t.tagKey !== undefined) tags[t.tagKey] = t.tagValue ?? '';
          // Re-check the filter: correctness must not depend on the server honouring `Tag`.
          if (tags[key] === value) found.push({ name: role.roleName, tags });
        }
        marker = r.body?.isTruncated && r.body.marker ? r.body.marker : undefined;
      } while (marker);

      // ListRoles items carry no trust policy; RoleInfo needs it, so one GetRole per match.
      const out: RoleInfo[] = [];
      for (const f of found) {
        const role = await getRoleWithoutTags(f.name);
        if (!role) continue;
        const tags = f.tags ?? await roleTags(f.name);
        if (tags[key] === value) out.push({ ...role, tags });
      }
      return out;
    },

    callCount: () => runner.callCount(),
    callStats: () => runner.callStats(),
  };
}

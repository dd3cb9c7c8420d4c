/**
 * RamPort over @alicloud/ram20150501 (one SDK client per adapter). Idempotency rules of the port
 * live here (already attached / not attached / already deleted are success); every other failure
 * goes through the one translation table in ./errors.
 */
import Ram, * as $Ram from '@alicloud/ram20150501';
import { mapLimited } from '../domain/concurrency';
import { CrossroleError } from '../domain/errors';
import type { Logger, PolicyRef, RamPort, RoleInfo } from '../domain/ports';
import { sameDocument } from '../policy/policy-document';
import { createCallRunner, type ActionStats } from './call-runner';
import { POLICY_DELETE_CONFLICTS, retryDeleteConflict, ROLE_DELETE_CONFLICTS } from './delete-conflict';
import { cloudCodeOf } from './errors';
import { popConfig, type PopClientOptions } from './pop-config';
import { createTokenBucketLimiter, pacedRates, RAM_API_QUOTAS, type RateLimiter } from './rate-limiter';
import type { RetryOptions } from './retry';

export interface RamAdapterOptions extends PopClientOptions {
  logger: Logger;
  /** Shared by every call of this adapter; default: RAM quotas x0.9, evenly spaced. */
  limiter?: RateLimiter;
  retry?: RetryOptions;
  /**
   * ListRoles page size (MaxItems 1-1000, help.aliyun.com/document_detail/28713; default 1000: an
   * account holds at most 1000 roles, so one page usually lists every managed role).
   */
  pageSize?: number;
  /**
   * Bounded retry of DeleteRole/DeletePolicy on RAM's transient DeleteConflict answers (see
   * ./delete-conflict); default DELETE_CONFLICT_RETRY (~5 s), with `retry`'s sleep/clock/random.
   */
  deleteConflictRetry?: RetryOptions;
}

interface PolicyVersionInfo {
  versionId: string;
  isDefault: boolean;
  document: string;
  createDate?: string;
}

/** What {@link RamAdapter.putPolicy} did. */
type PutPolicyResult =
  | { outcome: 'created'; versionId: string }
  | { outcome: 'unchanged'; versionId: string }
  | { outcome: 'updated'; versionId: string; previous: string; pruned: string[] };

export interface RamAdapter extends RamPort {
  /** Per-API counters (attempts, retries, failures). */
  callStats(): Record<string, ActionStats>;
  /** A custom policy's versions, oldest first. */
  listPolicyVersions(name: string): Promise<PolicyVersionInfo[]>;
  /**
   * Make a custom policy's default version say `document` (operators only: `crossrole bootstrap`;
   * the functions never call it, and their role may not): create it if missing; if its default
   * document differs, add a version, make it the default, and let RAM drop the oldest non-default
   * version when the policy already has its maximum of five.
   */
  putPolicy(name: string, document: string, description: string): Promise<PutPolicyResult>;
}

const ROLE = 'role';

/** Calls in flight when listRolesByTag reads each role: enough to reach GetRole's paced 90/s at ~80 ms a round trip. */
export const LIST_FAN_OUT = 8;

function tagList(tags: Record<string, string>): Array<{ key: string; value: string }> {
  return Object.entries(tags).map(([key, value]) => ({ key, value }));
}

function requireString(value: string | undefined, what: string): string {
  if (value === undefined) throw new CrossroleError('CLOUD_ERROR', `RAM answered without ${what}`, { details: { field: what } });
  return value;
}

export function createRamAdapter(options: RamAdapterOptions): RamAdapter {
  const client = new Ram(popConfig(options));
  const runner = createCallRunner({
    service: 'RAM',
    limiter: options.limiter ?? createTokenBucketLimiter({ rates: pacedRates(RAM_API_QUOTAS), defaultRate: 9 }),
    logger: options.logger,
    ...(options.retry ? { retry: options.retry } : {}),
  });
  const pageSize = Math.min(1000, Math.max(1, options.pageSize ?? 1000));
  const conflictRetry: RetryOptions = {
    ...(options.retry?.sleep ? { sleep: options.retry.sleep } : {}),
    ...(options.retry?.now ? { now: options.retry.now } : {}),
    ...(options.retry?.random ? { random: options.retry.random } : {}),
    ...options.deleteConflictRetry,
  };
  const onConflict = (action: string, resource: string) => (code: string, attempt: number, delayMs: number): void =>
    options.logger.warn(`RAM ${action} on ${resource} answered ${code} (attachments settle after a detach); retrying`, { attempt, delayMs });

  async function defaultPolicyVersion(name: string): Promise<{ versionId: string; document: string } | undefined> {
    try {
      const r = await runner.run('GetPolicy', name, () => client.getPolicy(new $Ram.GetPolicyRequest({ policyName: name, policyType: 'Custom' })));
      const document = r.body?.defaultPolicyVersion?.policyDocument ?? r.body?.policy?.policyDocument;
      const versionId = r.body?.defaultPolicyVersion?.versionId ?? r.body?.policy?.defaultVersion;
      return { versionId: requireString(versionId, 'DefaultPolicyVersion.VersionId'), document: requireString(document, 'DefaultPolicyVersion.PolicyDocument') };
    } catch (e) {
      if (cloudCodeOf(e) === 'EntityNotExist.Policy') return undefined;
      throw e;
    }
  }

  async function listPolicyVersions(name: string): Promise<PolicyVersionInfo[]> {
    const r = await runner.run('ListPolicyVersions', name, () => client.listPolicyVersions(new $Ram.ListPolicyVersionsRequest({ policyName: name, policyType: 'Custom' })));
    const out: PolicyVersionInfo[] = [];
    for (const v of r.body?.policyVersions?.policyVersion ?? []) {
      if (v.versionId === undefined) continue;
      out.push({ versionId: v.versionId, isDefault: v.isDefaultVersion === true, document: v.policyDocument ?? '', ...(v.createDate ? { createDate: v.createDate } : {}) });
    }
    // `v<n>` numbers grow with every version; RAM lists them in that order, but do not rely on it.
    return out.sort((a, b) => versionNumber(a.versionId) - versionNumber(b.versionId));
  }

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
        await retryDeleteConflict(() => runner.run('DeleteRole', name, () => client.deleteRole(new $Ram.DeleteRoleRequest({ roleName: name }))),
          ROLE_DELETE_CONFLICTS, conflictRetry, onConflict('DeleteRole', name));
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
        out.push({ type: p.policyType === 'System' ? 'System' : 'Custom', name: p.policyName, ...(p.defaultVersion ? { defaultVersion: p.defaultVersion } : {}) });
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
        await retryDeleteConflict(() => runner.run('DeletePolicy', name, () => client.deletePolicy(new $Ram.DeletePolicyRequest({ policyName: name }))),
          POLICY_DELETE_CONFLICTS, conflictRetry, onConflict('DeletePolicy', name));
      } catch (e) {
        if (cloudCodeOf(e) === 'EntityNotExist.Policy') return;
        throw e;
      }
    },

    getPolicyDocument: defaultPolicyVersion,

    async setPolicyDocument(name, document) {
      // RotateStrategy: at RAM's five versions the oldest non-default one goes in the same call, so
      // repairing a guard that was edited many times never fails on LimitExceeded.Policy.Version.
      await runner.run('CreatePolicyVersion', name, () => client.createPolicyVersion(new $Ram.CreatePolicyVersionRequest({
        policyName: name, policyDocument: document, setAsDefault: true, rotateStrategy: 'DeleteOldestNonDefaultVersionWhenLimitExceeded',
      })));
    },

    async tagRole(name, tags) {
      await runner.run('TagResources', name, () => client.tagResources(new $Ram.TagResourcesRequest({
        resourceType: ROLE, resourceNames: [name], tag: Object.entries(tags).map(([key, value]) => new $Ram.TagResourcesRequestTag({ key, value })),
      })));
    },

    async deleteOlderPolicyVersions(name) {
      let versions: PolicyVersionInfo[];
      try {
        versions = await listPolicyVersions(name);
      } catch (e) {
        if (cloudCodeOf(e) === 'EntityNotExist.Policy') return 0;
        throw e;
      }
      let deleted = 0;
      for (const v of versions.filter((x) => !x.isDefault)) {
        try {
          await runner.run('DeletePolicyVersion', `${name} ${v.versionId}`, () => client.deletePolicyVersion(new $Ram.DeletePolicyVersionRequest({ policyName: name, versionId: v.versionId })));
          deleted++;
        } catch (e) {
          // Gone already (a concurrent cleanup), or the policy with it: converged either way.
          if (cloudCodeOf(e) !== 'EntityNotExist.Policy.Version' && cloudCodeOf(e) !== 'EntityNotExist.Policy') throw e;
        }
      }
      return deleted;
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

      // ListRoles items carry no trust policy (help.aliyun.com/document_detail/28713: RoleName,
      // Arn, Tags, ... but no AssumeRolePolicyDocument); RoleInfo needs it, so one GetRole per match.
      // A few in flight: the limiter paces them at GetRole's quota instead of one round trip each.
      const roles = await mapLimited(found, LIST_FAN_OUT, async (f): Promise<RoleInfo | undefined> => {
        const role = await getRoleWithoutTags(f.name);
        if (!role) return undefined;
        const tags = f.tags ?? await roleTags(f.name);
        return tags[key] === value ? { ...role, tags } : undefined;
      });
      return roles.filter((r): r is RoleInfo => r !== undefined);
    },

    listPolicyVersions,

    async putPolicy(name, document, description) {
      const current = await defaultPolicyVersion(name);
      if (current === undefined) {
        const r = await runner.run('CreatePolicy', name, () => client.createPolicy(new $Ram.CreatePolicyRequest({ policyName: name, policyDocument: document, description })));
        return { outcome: 'created', versionId: r.body?.policy?.defaultVersion ?? 'v1' };
      }
      if (sameDocument(current.document, document)) return { outcome: 'unchanged', versionId: current.versionId };
      const before = await listPolicyVersions(name);
      // RotateStrategy makes RAM delete the oldest non-default version when the policy already has
      // five, in the same call (api-ram-2015-05-01-createpolicyversion): no window with six, and the
      // default (the running document) is never the one dropped.
      const r = await runner.run('CreatePolicyVersion', name, () => client.createPolicyVersion(new $Ram.CreatePolicyVersionRequest({
        policyName: name, policyDocument: document, setAsDefault: true, rotateStrategy: 'DeleteOldestNonDefaultVersionWhenLimitExceeded',
      })));
      const versionId = requireString(r.body?.policyVersion?.versionId, 'PolicyVersion.VersionId');
      const after = new Set((await listPolicyVersions(name)).map((v) => v.versionId));
      return { outcome: 'updated', versionId, previous: current.versionId, pruned: before.map((v) => v.versionId).filter((v) => !after.has(v)) };
    },

    callCount: () => runner.callCount(),
    callStats: () => runner.callStats(),
  };
}

function versionNumber(versionId: string): number {
  const n = /^v(\d+)$/i.exec(versionId);
  return n?.[1] === undefined ? Number.MAX_SAFE_INTEGER : Number(n[1]);
}

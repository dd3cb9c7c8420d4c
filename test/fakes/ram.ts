/**
 * In-memory RamPort with RAM's semantics as the workflow relies on them (reference/fc-sdevs-ram.md
 * §3.2, local/ram/errors.ts): case-insensitive role and policy names, ALREADY_EXISTS on duplicates,
 * DELETE_CONFLICT when deleting a role with attached policies or a policy still attached, quotas
 * (LIMIT_EXCEEDED), a call counter and log, and failure injection:
 * - `failNext(action, error, match?)`: the next matching call fails with `error` (counted: RAM answered);
 * - `crashAfter(n)`: after n more calls the next one throws SimulatedCrash before reaching RAM
 *   (not counted), as if the function died between two calls;
 * - `lagAfterDetach(n)`: RAM's eventual consistency: after a detach, the next n DeleteRole on that
 *   role (DeletePolicy on that policy) still answer DeleteConflict, as terraform-provider-alicloud
 *   observes (alicloud/resource_alicloud_ram_role.go retries it).
 * Errors carry `details.cloudCode` like the adapter's translated errors (shared/cloud/errors.ts).
 */
import type { PolicyRef, PolicyVersion, RamPort, RoleInfo } from '../../shared/domain/ports';
import { CrossroleError } from '../../shared/domain/errors';
import { parseRoleName, roleArn } from '../../shared/domain/identifiers';

export type RamAction =
  | 'getRole' | 'createRole' | 'updateTrustPolicy' | 'deleteRole' | 'listPoliciesForRole' | 'attachPolicyToRole'
  | 'detachPolicyFromRole' | 'createPolicy' | 'deletePolicy' | 'listRolesByTag' | 'getPolicyDocument' | 'setPolicyDocument'
  | 'tagRole' | 'deleteOlderPolicyVersions';

export class SimulatedCrash extends Error {
  constructor(readonly action: RamAction) {
    super(`simulated crash before ${action}`);
    this.name = 'SimulatedCrash';
  }
}

export interface RamQuotas {
  roles: number;
  customPolicies: number;
  customPoliciesPerRole: number;
  systemPoliciesPerRole: number;
}

export const DEFAULT_SYSTEM_POLICIES = [
  'AdministratorAccess', 'ReadOnlyAccess', 'AliyunECSReadOnlyAccess', 'AliyunECSFullAccess', 'AliyunOSSReadOnlyAccess',
  'AliyunOSSFullAccess', 'AliyunSTSAssumeRoleAccess', 'AliyunRAMReadOnlyAccess', 'AliyunMNSReadOnlyAccess',
];

interface StoredRole {
  name: string;
  arn: string;
  trustPolicy: string;
  maxSessionDuration: number;
  description: string;
  tags: Record<string, string>;
  attached: PolicyRef[];
}

interface StoredPolicy {
  name: string;
  /** The default version's document. */
  document: string;
  description: string;
  /** `v<n>` of the default version; RAM numbers versions from v1 and never reuses a number. */
  defaultVersion: string;
  /** Every version's document (RAM keeps at most five), the default one included. */
  versions: Array<{ versionId: string; document: string }>;
  nextVersion: number;
}

export interface RamCall {
  action: RamAction;
  args: unknown[];
}

const key = (name: string): string => name.toLowerCase();
const sameRef = (a: PolicyRef, b: PolicyRef): boolean => a.type === b.type && key(a.name) === key(b.name);

function checkJson(document: string, what: string): void {
  try {
    const v = JSON.parse(document) as unknown;
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('not an object');
  } catch (e) {
    throw new CrossroleError('INVALID_POLICY', `${what} is malformed: ${e instanceof Error ? e.message : String(e)}`);
  }
}

export class FakeRam implements RamPort {
  private readonly roles = new Map<string, StoredRole>();
  private readonly policies = new Map<string, StoredPolicy>();
  private readonly systemPolicies: Set<string>;
  private readonly failures: Array<{ action: RamAction; error: Error; match?: (args: unknown[]) => boolean }> = [];
  private crashIn: number | undefined;
  private calls = 0;
  private detachLag = 0;
  /** `role:<name>` / `policy:<name>` (lower case) → conflicts still to answer. */
  private readonly lagging = new Map<string, number>();
  readonly log: RamCall[] = [];
  quotas: RamQuotas;

  constructor(readonly accountId: string, options: { systemPolicies?: string[]; quotas?: Partial<RamQuotas> } = {}) {
    this.systemPolicies = new Set((options.systemPolicies ?? DEFAULT_SYSTEM_POLICIES).map(key));
    this.quotas = { roles: 1000, customPolicies: 1500, customPoliciesPerRole: 5, systemPoliciesPerRole: 20, ...options.quotas };
  }

  // ------------------------------------------------------------ test controls

  failNext(action: RamAction, error: Error, match?: (args: unknown[]) => boolean): void {
    this.failures.push(match === undefined ? { action, error } : { action, error, match });
  }

  /** After `n` more calls, the next call throws SimulatedCrash (once). */
  crashAfter(n: number): void {
    this.crashIn = n;
  }

  disarm(): void {
    this.crashIn = undefined;
    this.failures.length = 0;
    this.detachLag = 0;
    this.lagging.clear();
  }

  /** From now on, every detach leaves `calls` stale DeleteConflict answers behind it. */
  lagAfterDetach(calls: number): void {
    this.detachLag = calls;
  }

  /** Consume one stale conflict of `key`, if any is left. */
  private stale(key: string): boolean {
    const left = this.lagging.get(key) ?? 0;
    if (left <= 0) return false;
    this.lagging.set(key, left - 1);
    return true;
  }

  callCount(): number {
    return this.calls;
  }

  roleNames(): string[] {
    return [...this.roles.values()].map((r) => r.name).sort();
  }

  customPolicyNames(): string[] {
    return [...this.policies.values()].map((p) => p.name).sort();
  }

  role(name: string): (RoleInfo & { description: string; attached: PolicyRef[] }) | undefined {
    const r = this.roles.get(key(name));
    return r === undefined ? undefined : structuredClone(r);
  }

  policy(name: string): StoredPolicy | undefined {
    const p = this.policies.get(key(name));
    return p === undefined ? undefined : structuredClone(p);
  }

  /** Put a new default version in place without a call, as somebody editing the policy would. */
  tamperPolicy(name: string, document: string): void {
    const p = this.policies.get(key(name));
    if (p === undefined) return;
    const versionId = `v${p.nextVersion++}`;
    p.versions.push({ versionId, document });
    p.defaultVersion = versionId;
    p.document = document;
  }

  attachments(roleName: string): PolicyRef[] {
    return structuredClone(this.roles.get(key(roleName))?.attached ?? []);
  }

  /** Put a role in place without a call, as another tool or person would have. */
  seedRole(input: { name: string; trustPolicy: string; tags?: Record<string, string>; attached?: PolicyRef[] }): void {
    this.roles.set(key(input.name), {
      name: input.name,
      arn: roleArn(this.accountId, input.name),
      trustPolicy: input.trustPolicy,
      maxSessionDuration: 3600,
      description: 'seeded',
      tags: { ...input.tags },
      attached: [...(input.attached ?? [])],
    });
  }

  /** Change a stored role behind the workflow's back (drift). */
  tamper(name: string, change: (r: StoredRole) => void): void {
    const r = this.roles.get(key(name));
    if (r) change(r);
  }

  // ------------------------------------------------------------ RamPort

  private call(action: RamAction, args: unknown[]): void {
    if (this.crashIn !== undefined) {
      if (this.crashIn === 0) {
        this.crashIn = undefined;
        throw new SimulatedCrash(action);
      }
      this.crashIn--;
    }
    this.calls++;
    this.log.push({ action, args: structuredClone(args) });
    const i = this.failures.findIndex((f) => f.action === action && (f.match === undefined || f.match(args)));
    if (i >= 0) {
      const [f] = this.failures.splice(i, 1);
      if (f) throw f.error;
    }
  }

  private info(r: StoredRole): RoleInfo {
    return { name: r.name, arn: r.arn, trustPolicy: r.trustPolicy, maxSessionDuration: r.maxSessionDuration, tags: { ...r.tags } };
  }

  private mustRole(name: string): StoredRole {
    const r = this.roles.get(key(name));
    if (r === undefined) throw new CrossroleError('NOT_FOUND', `The role not exists: ${name}.`, { details: { cloudCode: 'EntityNotExist.Role' } });
    return r;
  }

  async getRole(name: string): Promise<RoleInfo | undefined> {
    this.call('getRole', [name]);
    const r = this.roles.get(key(name));
    return r === undefined ? undefined : this.info(r);
  }

  async createRole(input: { name: string; trustPolicy: string; maxSessionDuration: number; description: string; tags: Record<string, string> }): Promise<RoleInfo> {
    this.call('createRole', [input]);
    parseRoleName(input.name);
    if (!Number.isInteger(input.maxSessionDuration) || input.maxSessionDuration < 3600 || input.maxSessionDuration > 43200) {
      throw new CrossroleError('VALIDATION', 'MaxSessionDuration must be 3600–43200');
    }
    if (input.description.length > 1024) throw new CrossroleError('VALIDATION', 'Description beyond the length limit');
    checkJson(input.trustPolicy, 'AssumeRolePolicyDocument');
    if (this.roles.has(key(input.name))) throw new CrossroleError('ALREADY_EXISTS', `The role does already EXIST: ${input.name}.`, { details: { cloudCode: 'EntityAlreadyExists.Role' } });
    if (this.roles.size >= this.quotas.roles) throw new CrossroleError('LIMIT_EXCEEDED', `The count of roles beyond the current limits: ${this.quotas.roles}.`);
    const r: StoredRole = {
      name: input.name,
      arn: roleArn(this.accountId, input.name),
      trustPolicy: input.trustPolicy,
      maxSessionDuration: input.maxSessionDuration,
      description: input.description,
      tags: { ...input.tags },
      attached: [],
    };
    this.roles.set(key(input.name), r);
    return this.info(r);
  }

  async updateTrustPolicy(name: string, trustPolicy: string): Promise<void> {
    this.call('updateTrustPolicy', [name, trustPolicy]);
    const r = this.mustRole(name);
    checkJson(trustPolicy, 'NewAssumeRolePolicyDocument');
    r.trustPolicy = trustPolicy;
  }

  async deleteRole(name: string): Promise<void> {
    this.call('deleteRole', [name]);
    const r = this.roles.get(key(name));
    if (r === undefined) return;
    if (r.attached.length > 0 || this.stale(`role:${key(name)}`)) {
      throw new CrossroleError('DELETE_CONFLICT', 'The role cannot have any attached policies when you delete it.', { details: { cloudCode: 'DeleteConflict.Role.Policy' } });
    }
    this.roles.delete(key(name));
  }

  async listPoliciesForRole(name: string): Promise<PolicyRef[]> {
    this.call('listPoliciesForRole', [name]);
    // As RAM's ListPoliciesForRole: each attached policy with its default version.
    return this.mustRole(name).attached.map((a) => {
      const custom = a.type === 'Custom' ? this.policies.get(key(a.name)) : undefined;
      return { type: a.type, name: a.name, defaultVersion: custom?.defaultVersion ?? 'v1' };
    });
  }

  async attachPolicyToRole(roleName: string, policy: PolicyRef): Promise<void> {
    this.call('attachPolicyToRole', [roleName, policy]);
    const r = this.mustRole(roleName);
    const exists = policy.type === 'System' ? this.systemPolicies.has(key(policy.name)) : this.policies.has(key(policy.name));
    if (!exists) throw new CrossroleError('NOT_FOUND', `The policy not exists: ${policy.name}.`, { details: { cloudCode: 'EntityNotExist.Policy' } });
    if (r.attached.some((a) => sameRef(a, policy))) return;
    const ofType = r.attached.filter((a) => a.type === policy.type).length;
    const quota = policy.type === 'System' ? this.quotas.systemPoliciesPerRole : this.quotas.customPoliciesPerRole;
    if (ofType >= quota) throw new CrossroleError('LIMIT_EXCEEDED', `The count of ${policy.type.toLowerCase()} policies attached to the role beyond the current limits: ${quota}.`);
    const stored = policy.type === 'Custom' ? this.policies.get(key(policy.name)) : undefined;
    r.attached.push({ type: policy.type, name: stored?.name ?? policy.name });
  }

  async detachPolicyFromRole(roleName: string, policy: PolicyRef): Promise<void> {
    this.call('detachPolicyFromRole', [roleName, policy]);
    const r = this.mustRole(roleName);
    const before = r.attached.length;
    r.attached = r.attached.filter((a) => !sameRef(a, policy));
    if (this.detachLag > 0 && r.attached.length < before) {
      this.lagging.set(`role:${key(roleName)}`, this.detachLag);
      if (policy.type === 'Custom') this.lagging.set(`policy:${key(policy.name)}`, this.detachLag);
    }
  }

  async createPolicy(name: string, document: string, description: string): Promise<void> {
    this.call('createPolicy', [name, document, description]);
    if (!/^[A-Za-z0-9-]{1,128}$/.test(name)) throw new CrossroleError('VALIDATION', `invalid policy name ${name}`);
    checkJson(document, 'PolicyDocument');
    if (document.length > 6144) throw new CrossroleError('INVALID_POLICY', 'PolicyDocument beyond the length limit');
    const existing = this.policies.get(key(name));
    if (existing !== undefined) {
      if (existing.document === document) return;
      throw new CrossroleError('ALREADY_EXISTS', `The policy already exists: ${name}.`, { details: { cloudCode: 'EntityAlreadyExists.Policy' } });
    }
    if (this.policies.size >= this.quotas.customPolicies) throw new CrossroleError('LIMIT_EXCEEDED', `The count of policies beyond the current limits: ${this.quotas.customPolicies}.`);
    this.policies.set(key(name), { name, document, description, defaultVersion: 'v1', versions: [{ versionId: 'v1', document }], nextVersion: 2 });
  }

  async deletePolicy(name: string): Promise<void> {
    this.call('deletePolicy', [name]);
    if (!this.policies.has(key(name))) return;
    const attachedTo = [...this.roles.values()].filter((r) => r.attached.some((a) => a.type === 'Custom' && key(a.name) === key(name)));
    if (attachedTo.length > 0 || this.stale(`policy:${key(name)}`)) {
      throw new CrossroleError('DELETE_CONFLICT', 'The policy cannot be attached to any role when you delete it.', { details: { cloudCode: 'DeleteConflict.Policy.Role' } });
    }
    // RAM refuses to delete a policy that still has non-default versions (local/iam/local-iam.ts deletePolicy).
    if ((this.policies.get(key(name))?.versions.length ?? 0) > 1) {
      throw new CrossroleError('DELETE_CONFLICT', 'The policy has non-default versions.', { details: { cloudCode: 'DeleteConflict.Policy.Version' } });
    }
    this.policies.delete(key(name));
  }

  async getPolicyDocument(name: string): Promise<PolicyVersion | undefined> {
    this.call('getPolicyDocument', [name]);
    const p = this.policies.get(key(name));
    return p === undefined ? undefined : { versionId: p.defaultVersion, document: p.document };
  }

  async setPolicyDocument(name: string, document: string): Promise<void> {
    this.call('setPolicyDocument', [name, document]);
    const p = this.policies.get(key(name));
    if (p === undefined) throw new CrossroleError('NOT_FOUND', `The policy not exists: ${name}.`, { details: { cloudCode: 'EntityNotExist.Policy' } });
    checkJson(document, 'PolicyDocument');
    // RotateStrategy DeleteOldestNonDefaultVersionWhenLimitExceeded: at five, the oldest non-default goes.
    if (p.versions.length >= 5) {
      const oldest = p.versions.findIndex((v) => v.versionId !== p.defaultVersion);
      if (oldest >= 0) p.versions.splice(oldest, 1);
    }
    const versionId = `v${p.nextVersion++}`;
    p.versions.push({ versionId, document });
    p.defaultVersion = versionId;
    p.document = document;
  }

  async tagRole(name: string, tags: Record<string, string>): Promise<void> {
    this.call('tagRole', [name, tags]);
    const r = this.roles.get(key(name));
    if (r === undefined) throw new CrossroleError('NOT_FOUND', `The role not exists: ${name}.`, { details: { cloudCode: 'EntityNotExist.Role' } });
    Object.assign(r.tags, tags);
  }

  async deleteOlderPolicyVersions(name: string): Promise<number> {
    this.call('deleteOlderPolicyVersions', [name]);
    const p = this.policies.get(key(name));
    if (p === undefined) return 0;
    const before = p.versions.length;
    p.versions = p.versions.filter((v) => v.versionId === p.defaultVersion);
    return before - p.versions.length;
  }

  async listRolesByTag(tagKey: string, value: string): Promise<RoleInfo[]> {
    this.call('listRolesByTag', [tagKey, value]);
    return [...this.roles.values()].filter((r) => r.tags[tagKey] === value).map((r) => this.info(r));
  }
}

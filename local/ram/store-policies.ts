/**
 * The local RAM's state, third layer: system and custom policies, their versions, and their
 * attachments to roles, users and groups.
 */
import { RamErrors } from './errors';
import type { AttachedPolicyView, CustomPolicyRecord, CreatePolicyInput, PolicyAttachment, PolicyType, PolicyVersionRecord, PolicyVersionView, PolicyView } from './models';
import { RAM_LIMITS } from './quotas';
import { NS } from './store-base';
import { RamRoleStore } from './store-roles';
import { findSystemPolicy, SYSTEM_POLICIES } from './system-policies';
import { docText, tagList, validateDocument, validatePolicyName, validatePolicyType, validateTags } from './validation';

type Write = { ns: string; key: string; value?: unknown };
type AttachKind = 'Role' | 'User' | 'Group';

interface ResolvedPolicy {
  type: PolicyType;
  name: string;
  document: string;
  description: string;
  defaultVersion: string;
  custom?: CustomPolicyRecord;
}

export class RamPolicyStore extends RamRoleStore {
  protected resolvePolicy(accountId: string, policyType: string, policyName: string): ResolvedPolicy {
    const type = validatePolicyType(policyType);
    validatePolicyName(policyName);
    if (type === 'System') {
      const p = findSystemPolicy(policyName);
      if (!p) throw RamErrors.policyNotExist(policyName);
      return { type, name: p.policyName, document: p.policyDocument, description: p.description, defaultVersion: 'v1' };
    }
    const c = this.findCustomPolicy(accountId, policyName);
    if (!c) throw RamErrors.policyNotExist(policyName);
    const v = c.versions.find((x) => x.versionId === c.defaultVersion);
    return { type, name: c.policyName, document: v?.policyDocument ?? '', description: c.description, defaultVersion: c.defaultVersion, custom: c };
  }

  findCustomPolicy(accountId: string, policyName: string): CustomPolicyRecord | undefined {
    return this.journal.get<CustomPolicyRecord>(NS.policies(accountId), policyName.toLowerCase());
  }

  /** The default version's document of an attached policy, or undefined if it is gone. */
  attachedDocument(accountId: string, a: PolicyAttachment): string | undefined {
    if (a.policyType === 'System') return findSystemPolicy(a.policyName)?.policyDocument;
    const c = this.findCustomPolicy(accountId, a.policyName);
    return c?.versions.find((v) => v.versionId === c.defaultVersion)?.policyDocument;
  }

  createPolicy(accountId: string, input: CreatePolicyInput): CustomPolicyRecord {
    this.requireAccount(accountId);
    validatePolicyName(input.policyName);
    if (input.description !== undefined && input.description.length > RAM_LIMITS.description) throw RamErrors.length('Description');
    const text = docText(input.policyDocument);
    validateDocument(text, 'PolicyDocument', 'identity');
    const tags = tagList(input.tags);
    validateTags(tags);
    const ns = NS.policies(accountId);
    const k = input.policyName.toLowerCase();
    if (this.journal.has(ns, k) || findSystemPolicy(input.policyName)) throw RamErrors.policyExists(input.policyName);
    if (this.strict && this.journal.values(ns).length >= this.quotas.policies) throw RamErrors.limitPolicies(this.quotas.policies);
    const now = this.stamp();
    const rec: CustomPolicyRecord = {
      policyName: input.policyName,
      description: input.description ?? '',
      createDate: now,
      updateDate: now,
      defaultVersion: 'v1',
      versions: [{ versionId: 'v1', policyDocument: text, createDate: now }],
      nextVersion: 2,
      tags,
      attachments: [],
    };
    this.journal.put(ns, k, rec);
    return rec;
  }

  getPolicy(accountId: string, policyType: string, policyName: string): { policy: PolicyView; defaultVersion: PolicyVersionView } {
    const p = this.resolvePolicy(accountId, policyType, policyName);
    const created = p.custom?.createDate ?? findSystemPolicy(p.name)?.createDate ?? '';
    const defaultVersionCreated = p.custom?.versions.find((v) => v.versionId === p.defaultVersion)?.createDate ?? created;
    return {
      policy: {
        policyName: p.name,
        policyType: p.type,
        description: p.description,
        defaultVersion: p.defaultVersion,
        createDate: created,
        updateDate: p.custom?.updateDate ?? created,
        attachmentCount: p.custom?.attachments.length ?? 0,
        policyDocument: p.document,
      },
      defaultVersion: { versionId: p.defaultVersion, isDefaultVersion: true, policyDocument: p.document, createDate: defaultVersionCreated },
    };
  }

  listPolicies(accountId: string): CustomPolicyRecord[] {
    return this.journal.values<CustomPolicyRecord>(NS.policies(accountId));
  }

  /** System policies (for listings and tests). */
  listSystemPolicies(): ReadonlyArray<{ policyName: string; description: string; policyDocument: string }> {
    return SYSTEM_POLICIES;
  }

  deletePolicy(accountId: string, policyName: string, cascadingDelete = false): void {
    validatePolicyName(policyName);
    const ns = NS.policies(accountId);
    const k = policyName.toLowerCase();
    const p = this.journal.get<CustomPolicyRecord>(ns, k);
    if (!p) throw RamErrors.policyNotExist(policyName);
    if (!cascadingDelete) {
      if (p.attachments.some((a) => a.startsWith('user:'))) throw RamErrors.deletePolicyAttached('User');
      if (p.attachments.some((a) => a.startsWith('group:'))) throw RamErrors.deletePolicyAttached('Group');
      if (p.attachments.some((a) => a.startsWith('role:'))) throw RamErrors.deletePolicyAttached('Role');
      if (p.versions.length > 1) throw RamErrors.deletePolicyVersions();
      this.journal.delete(ns, k);
      return;
    }
    // Cascading: detach everywhere and delete, durably together.
    const writes: Write[] = [];
    for (const a of p.attachments) {
      const [kind, name = ''] = a.split(':');
      const targetNs = kind === 'user' ? NS.users(accountId) : kind === 'group' ? NS.groups(accountId) : NS.roles(accountId);
      const target = this.journal.get<{ policies: PolicyAttachment[] }>(targetNs, name);
      if (!target) continue;
      const copy = structuredClone(target);
      copy.policies = copy.policies.filter((x) => !(x.policyType === 'Custom' && x.policyName.toLowerCase() === k));
      writes.push({ ns: targetNs, key: name, value: copy });
    }
    writes.push({ ns, key: k });
    this.journal.batch(writes);
  }

  createPolicyVersion(accountId: string, policyName: string, policyDocument: string | object, setAsDefault = false, rotateStrategy = 'None'): PolicyVersionView {
    validatePolicyName(policyName);
    if (rotateStrategy !== 'None' && rotateStrategy !== 'DeleteOldestNonDefaultVersionWhenLimitExceeded') throw RamErrors.invalid('RotateStrategy');
    const ns = NS.policies(accountId);
    const k = policyName.toLowerCase();
    const existing = this.journal.get<CustomPolicyRecord>(ns, k);
    if (!existing) throw RamErrors.policyNotExist(policyName);
    const text = docText(policyDocument);
    validateDocument(text, 'PolicyDocument', 'identity');
    const p = structuredClone(existing);
    if (p.versions.length >= this.quotas.versionsPerPolicy) {
      if (rotateStrategy === 'DeleteOldestNonDefaultVersionWhenLimitExceeded') {
        const oldest = p.versions.findIndex((v) => v.versionId !== p.defaultVersion);
        if (oldest >= 0) p.versions.splice(oldest, 1);
      } else if (this.strict) {
        throw RamErrors.limitPolicyVersions(this.quotas.versionsPerPolicy);
      }
    }
    const now = this.stamp();
    const v: PolicyVersionRecord = { versionId: `v${p.nextVersion}`, policyDocument: text, createDate: now };
    p.versions.push(v);
    p.nextVersion++;
    if (setAsDefault) p.defaultVersion = v.versionId;
    p.updateDate = now;
    this.journal.put(ns, k, p);
    return { versionId: v.versionId, isDefaultVersion: setAsDefault, policyDocument: text, createDate: now };
  }

  /** DeletePolicyVersion: a non-default version of a custom policy. */
  deletePolicyVersion(accountId: string, policyName: string, versionId: string): void {
    validatePolicyName(policyName);
    const ns = NS.policies(accountId);
    const k = policyName.toLowerCase();
    const existing = this.journal.get<CustomPolicyRecord>(ns, k);
    if (!existing) throw RamErrors.policyNotExist(policyName);
    const i = existing.versions.findIndex((v) => v.versionId === versionId);
    if (i < 0) throw RamErrors.policyVersionNotExist(policyName, versionId);
    if (existing.defaultVersion === versionId) throw RamErrors.deleteDefaultVersion();
    const p = structuredClone(existing);
    p.versions.splice(i, 1);
    p.updateDate = this.stamp();
    this.journal.put(ns, k, p);
  }

  listPolicyVersions(accountId: string, policyType: string, policyName: string): PolicyVersionView[] {
    const p = this.resolvePolicy(accountId, policyType, policyName);
    if (!p.custom) {
      return [{ versionId: 'v1', isDefaultVersion: true, policyDocument: p.document, createDate: findSystemPolicy(p.name)?.createDate ?? '' }];
    }
    const c = p.custom;
    return c.versions.map((v) => ({ versionId: v.versionId, isDefaultVersion: v.versionId === c.defaultVersion, policyDocument: v.policyDocument, createDate: v.createDate }));
  }

  // ---------------------------------------------------------------- attachments

  private attach(accountId: string, kind: AttachKind, targetNs: string, targetKey: string, target: { policies: PolicyAttachment[] }, policyType: string, policyName: string): void {
    const p = this.resolvePolicy(accountId, policyType, policyName);
    if (target.policies.some((a) => a.policyType === p.type && a.policyName.toLowerCase() === p.name.toLowerCase())) throw RamErrors.alreadyAttached(kind);
    if (this.strict && kind === 'Role') {
      const quota = p.type === 'Custom' ? this.quotas.customPoliciesPerRole : this.quotas.systemPoliciesPerRole;
      if (target.policies.filter((a) => a.policyType === p.type).length >= quota) throw RamErrors.limitRolePolicies(p.type, quota);
    }
    const copy = structuredClone(target);
    copy.policies.push({ policyType: p.type, policyName: p.name, attachDate: this.stamp() });
    const writes: Write[] = [{ ns: targetNs, key: targetKey, value: copy }];
    if (p.custom) {
      const pc = structuredClone(p.custom);
      pc.attachments.push(`${kind.toLowerCase()}:${targetKey}`);
      writes.push({ ns: NS.policies(accountId), key: p.custom.policyName.toLowerCase(), value: pc });
    }
    this.journal.batch(writes);
  }

  /** Detach; returns how many policies the target still has. */
  private detach(accountId: string, kind: AttachKind, targetNs: string, targetKey: string, target: { policies: PolicyAttachment[] }, policyType: string, policyName: string): number {
    const type = validatePolicyType(policyType);
    validatePolicyName(policyName);
    const idx = target.policies.findIndex((a) => a.policyType === type && a.policyName.toLowerCase() === policyName.toLowerCase());
    if (idx < 0) {
      // A policy that does not exist at all is reported as such; an existing one as not attached.
      this.resolvePolicy(accountId, type, policyName);
      throw RamErrors.notAttached(kind);
    }
    const copy = structuredClone(target);
    copy.policies.splice(idx, 1);
    const writes: Write[] = [{ ns: targetNs, key: targetKey, value: copy }];
    if (type === 'Custom') {
      const pc = this.findCustomPolicy(accountId, policyName);
      if (pc) {
        const c = structuredClone(pc);
        c.attachments = c.attachments.filter((a) => a !== `${kind.toLowerCase()}:${targetKey}`);
        writes.push({ ns: NS.policies(accountId), key: policyName.toLowerCase(), value: c });
      }
    }
    this.journal.batch(writes);
    return copy.policies.length;
  }

  private attachedViews(accountId: string, attachments: PolicyAttachment[]): AttachedPolicyView[] {
    return attachments.map((a) => {
      const c = a.policyType === 'Custom' ? this.findCustomPolicy(accountId, a.policyName) : undefined;
      const description = a.policyType === 'System' ? (findSystemPolicy(a.policyName)?.description ?? '') : (c?.description ?? '');
      return { policyName: a.policyName, policyType: a.policyType, description, defaultVersion: c?.defaultVersion ?? 'v1', attachDate: a.attachDate };
    });
  }

  attachPolicyToRole(accountId: string, policyType: string, policyName: string, roleName: string): void {
    const r = this.getRole(accountId, roleName);
    this.attach(accountId, 'Role', NS.roles(accountId), r.roleName.toLowerCase(), r, policyType, policyName);
  }

  /** Detach; returns how many policies the role still has (RAM's DeleteRole lags the last detach). */
  detachPolicyFromRole(accountId: string, policyType: string, policyName: string, roleName: string): number {
    const r = this.getRole(accountId, roleName);
    return this.detach(accountId, 'Role', NS.roles(accountId), r.roleName.toLowerCase(), r, policyType, policyName);
  }

  listPoliciesForRole(accountId: string, roleName: string): AttachedPolicyView[] {
    return this.attachedViews(accountId, this.getRole(accountId, roleName).policies);
  }

  attachPolicyToUser(accountId: string, policyType: string, policyName: string, userName: string): void {
    const u = this.getUser(accountId, userName);
    this.attach(accountId, 'User', NS.users(accountId), u.userName.toLowerCase(), u, policyType, policyName);
  }

  detachPolicyFromUser(accountId: string, policyType: string, policyName: string, userName: string): void {
    const u = this.getUser(accountId, userName);
    this.detach(accountId, 'User', NS.users(accountId), u.userName.toLowerCase(), u, policyType, policyName);
  }

  listPoliciesForUser(accountId: string, userName: string): AttachedPolicyView[] {
    return this.attachedViews(accountId, this.getUser(accountId, userName).policies);
  }

  attachPolicyToGroup(accountId: string, policyType: string, policyName: string, groupName: string): void {
    const g = this.getGroup(accountId, groupName);
    this.attach(accountId, 'Group', NS.groups(accountId), g.groupName.toLowerCase(), g, policyType, policyName);
  }
}

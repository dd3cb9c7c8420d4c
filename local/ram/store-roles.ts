/** The local RAM's state, second layer: roles (trust policy, session duration, listing). */
import { roleArnOf } from './arns';
import { RamErrors } from './errors';
import { randomDigits } from './ids';
import type { CreateRoleInput, RoleRecord, UpdateRoleInput } from './models';
import { RAM_LIMITS } from './quotas';
import { NS, RamStoreBase } from './store-base';
import { docText, tagList, validateDocument, validateMaxSession, validateRoleName, validateTags } from './validation';

interface ListRolesOptions {
  marker?: string;
  maxItems?: number;
  tags?: Array<{ key: string; value?: string }>;
}

export class RamRoleStore extends RamStoreBase {
  createRole(accountId: string, input: CreateRoleInput): RoleRecord {
    this.requireAccount(accountId);
    validateRoleName(input.roleName);
    if (input.description !== undefined && input.description.length > RAM_LIMITS.description) throw RamErrors.length('Description');
    const trust = docText(input.assumeRolePolicyDocument);
    validateDocument(trust, 'AssumeRolePolicyDocument', 'trust');
    const maxSessionDuration = input.maxSessionDuration ?? RAM_LIMITS.minMaxSessionDuration;
    validateMaxSession(maxSessionDuration, 'MaxSessionDuration');
    const tags = tagList(input.tags);
    validateTags(tags);
    const ns = NS.roles(accountId);
    const k = input.roleName.toLowerCase();
    if (this.journal.has(ns, k)) throw RamErrors.roleExists(input.roleName);
    if (this.strict && this.journal.values(ns).length >= this.quotas.roles) throw RamErrors.limitRoles(this.quotas.roles);
    const now = this.stamp();
    const role: RoleRecord = {
      roleId: randomDigits(18),
      roleName: input.roleName,
      arn: roleArnOf(accountId, input.roleName),
      description: input.description ?? '',
      assumeRolePolicyDocument: trust,
      maxSessionDuration,
      createDate: now,
      updateDate: now,
      tags,
      policies: [],
    };
    this.journal.put(ns, k, role);
    return role;
  }

  getRole(accountId: string, roleName: string): RoleRecord {
    validateRoleName(roleName);
    const r = this.findRole(accountId, roleName);
    if (!r) throw RamErrors.roleNotExist(roleArnOf(accountId, roleName));
    return r;
  }

  findRole(accountId: string, roleName: string): RoleRecord | undefined {
    return this.journal.get<RoleRecord>(NS.roles(accountId), roleName.toLowerCase());
  }

  updateRole(accountId: string, roleName: string, input: UpdateRoleInput): RoleRecord {
    const r = structuredClone(this.getRole(accountId, roleName));
    if (input.newAssumeRolePolicyDocument !== undefined) {
      const text = docText(input.newAssumeRolePolicyDocument);
      validateDocument(text, 'NewAssumeRolePolicyDocument', 'trust');
      r.assumeRolePolicyDocument = text;
    }
    if (input.newMaxSessionDuration !== undefined) {
      validateMaxSession(input.newMaxSessionDuration, 'NewMaxSessionDuration');
      r.maxSessionDuration = input.newMaxSessionDuration;
    }
    if (input.newDescription !== undefined) {
      if (input.newDescription.length > RAM_LIMITS.description) throw RamErrors.length('NewDescription');
      r.description = input.newDescription;
    }
    r.updateDate = this.stamp();
    this.journal.put(NS.roles(accountId), r.roleName.toLowerCase(), r);
    return r;
  }

  deleteRole(accountId: string, roleName: string): void {
    const r = this.getRole(accountId, roleName);
    if (r.policies.length > 0) throw RamErrors.deleteRoleWithPolicies();
    this.journal.delete(NS.roles(accountId), r.roleName.toLowerCase());
  }

  /** Roles sorted by name, paged by an opaque marker (the last name returned). */
  listRoles(accountId: string, opts: ListRolesOptions = {}): { roles: RoleRecord[]; isTruncated: boolean; marker?: string } {
    const maxItems = opts.maxItems ?? 100;
    if (!Number.isInteger(maxItems) || maxItems < 1 || maxItems > 1000) throw RamErrors.invalid('MaxItems', 'must be between 1 and 1000');
    let after = '';
    if (opts.marker !== undefined && opts.marker !== '') {
      after = Buffer.from(opts.marker, 'base64url').toString('utf8');
      if (after === '') throw RamErrors.invalid('Marker');
    }
    const filter = opts.tags ?? [];
    const all = this.journal
      .entries<RoleRecord>(NS.roles(accountId))
      .filter(([k, r]) => k > after && filter.every((f) => r.tags.some((t) => t.key === f.key && (f.value === undefined || t.value === f.value))))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const page = all.slice(0, maxItems);
    const isTruncated = all.length > maxItems;
    const last = page[page.length - 1];
    return { roles: page.map(([, r]) => r), isTruncated, ...(isTruncated && last ? { marker: Buffer.from(last[0]).toString('base64url') } : {}) };
  }
}

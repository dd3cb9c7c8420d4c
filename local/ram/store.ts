/**
 * The local RAM's state (RamStore): accounts, access keys, users, groups, roles, system and
 * custom policies with versions, attachments and tags, durable through one Journal. This last
 * layer adds tags, the read-outs the access-control room needs, and reset.
 */
import { RamErrors } from './errors';
import type { CustomPolicyRecord, PolicyAttachment, RoleRecord, Tag, TagResourceType, TagResourceView } from './models';
import { RAM_LIMITS } from './quotas';
import { NS } from './store-base';
import { RamPolicyStore } from './store-policies';
import { mergeTags, tagList, validatePolicyName, validateTags } from './validation';

interface ListTagResourcesOptions {
  resourceNames?: string[];
  tags?: Array<{ key: string; value?: string }>;
  nextToken?: string;
  pageSize?: number;
}

export class RamStore extends RamPolicyStore {
  // ---------------------------------------------------------------- tags

  private taggable(accountId: string, type: string, name: string): { ns: string; key: string; rec: RoleRecord | CustomPolicyRecord; resourceName: string } {
    if (type === 'role') {
      const r = this.getRole(accountId, name);
      return { ns: NS.roles(accountId), key: r.roleName.toLowerCase(), rec: r, resourceName: r.roleName };
    }
    if (type === 'policy') {
      validatePolicyName(name);
      const p = this.findCustomPolicy(accountId, name);
      if (!p) throw RamErrors.policyNotExist(name);
      return { ns: NS.policies(accountId), key: p.policyName.toLowerCase(), rec: p, resourceName: p.policyName };
    }
    throw RamErrors.invalid('ResourceType', 'must be role or policy');
  }

  private checkResourceCount(resourceNames: string[]): void {
    if (resourceNames.length === 0 || resourceNames.length > RAM_LIMITS.resourcesPerTagCall) {
      throw RamErrors.invalid('ResourceNames', `must name 1 to ${RAM_LIMITS.resourcesPerTagCall} resources`);
    }
  }

  tagResources(accountId: string, resourceType: string, resourceNames: string[], tags: Tag[] | Record<string, string>): void {
    const list = tagList(tags);
    if (list.length === 0) throw RamErrors.invalid('Tag', 'must not be empty');
    validateTags(list);
    this.checkResourceCount(resourceNames);
    const writes = resourceNames.map((n) => {
      const t = this.taggable(accountId, resourceType, n);
      const copy = structuredClone(t.rec);
      copy.tags = mergeTags(copy.tags, list);
      if (copy.tags.length > RAM_LIMITS.tagsPerResource) throw RamErrors.invalid('Tag', `a resource can have at most ${RAM_LIMITS.tagsPerResource} tags`);
      return { ns: t.ns, key: t.key, value: copy };
    });
    this.journal.batch(writes);
  }

  untagResources(accountId: string, resourceType: string, resourceNames: string[], tagKeys: string[], all = false): void {
    this.checkResourceCount(resourceNames);
    const writes = resourceNames.map((n) => {
      const t = this.taggable(accountId, resourceType, n);
      const copy = structuredClone(t.rec);
      copy.tags = all ? [] : copy.tags.filter((x) => !tagKeys.includes(x.key));
      return { ns: t.ns, key: t.key, value: copy };
    });
    this.journal.batch(writes);
  }

  listTagResources(accountId: string, resourceType: string, opts: ListTagResourcesOptions = {}): { tagResources: TagResourceView[]; nextToken: string } {
    const pageSize = opts.pageSize ?? 50;
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 100) throw RamErrors.invalid('PageSize', 'must be between 1 and 100');
    let resources: Array<{ name: string; tags: Tag[] }>;
    if (opts.resourceNames !== undefined && opts.resourceNames.length > 0) {
      resources = opts.resourceNames.map((n) => {
        const t = this.taggable(accountId, resourceType, n);
        return { name: t.resourceName, tags: t.rec.tags };
      });
    } else if (resourceType === 'role') {
      resources = this.journal.values<RoleRecord>(NS.roles(accountId)).map((r) => ({ name: r.roleName, tags: r.tags }));
    } else if (resourceType === 'policy') {
      resources = this.journal.values<CustomPolicyRecord>(NS.policies(accountId)).map((p) => ({ name: p.policyName, tags: p.tags }));
    } else {
      throw RamErrors.invalid('ResourceType', 'must be role or policy');
    }
    const filter = opts.tags ?? [];
    const rows: TagResourceView[] = [];
    for (const r of resources) {
      if (!filter.every((f) => r.tags.some((t) => t.key === f.key && (f.value === undefined || t.value === f.value)))) continue;
      for (const t of r.tags) rows.push({ resourceName: r.name, resourceType: resourceType as TagResourceType, tagKey: t.key, tagValue: t.value });
    }
    const start = opts.nextToken ? Number.parseInt(Buffer.from(opts.nextToken, 'base64url').toString('utf8'), 10) : 0;
    if (!Number.isInteger(start) || start < 0) throw RamErrors.invalid('NextToken');
    const page = rows.slice(start, start + pageSize);
    const next = start + pageSize < rows.length ? Buffer.from(String(start + pageSize)).toString('base64url') : '';
    return { tagResources: page, nextToken: next };
  }

  // ---------------------------------------------------------------- read-outs for access control

  /**
   * The documents (default versions) that apply to a RAM user: its own attachments and its
   * groups'. Undefined if the user no longer exists.
   */
  userPolicyDocuments(accountId: string, userName: string): string[] | undefined {
    const u = this.findUser(accountId, userName);
    if (!u) return undefined;
    const attachments: PolicyAttachment[] = [...u.policies];
    for (const m of u.groups) attachments.push(...(this.findGroup(accountId, m.groupName)?.policies ?? []));
    return this.documentsOf(accountId, attachments);
  }

  /** The documents attached to a role, read at every call: a detach cuts off issued tokens. */
  rolePolicyDocuments(role: RoleRecord, accountId: string): string[] {
    return this.documentsOf(accountId, role.policies);
  }

  private documentsOf(accountId: string, attachments: PolicyAttachment[]): string[] {
    const out: string[] = [];
    for (const a of attachments) {
      const text = this.attachedDocument(accountId, a);
      if (text !== undefined) out.push(text);
    }
    return out;
  }

  // ---------------------------------------------------------------- lifecycle

  /** Forget everything (all accounts, keys, and the STS sessions that share the journal). */
  reset(): void {
    this.journal.reset();
  }
}

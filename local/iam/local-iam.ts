/**
 * The local cloud's identity state, shared by RAM and STS (and used by every other local
 * service through IdentityProvider): accounts, RAM users, groups, access keys, roles, system
 * and custom policies, tags and STS sessions. Durable through the Journal: every mutation is
 * one journal write (or one batch), so an acknowledged change survives `kill -9`.
 *
 * Methods take an account ID and enforce the real service's rules and error codes, so the
 * RAM/STS handlers stay thin and tests can seed state with plain calls (no signatures).
 */
import type { AuthzContext, IdentityProvider, IssuedCredentials, KeyLookup, Principal, ServiceRoleIssuer } from '../core/contract';
import type { Journal } from '../core/journal';
import { ServiceError } from '../core/errors';
import { evaluate, parsePolicyDocument, type PolicyDocument } from '../../shared/policy';
import { RamErrors, StsErrors } from './errors';
import {
  ACCOUNT_ID,
  isoSeconds,
  newAccessKeyId,
  newAccessKeySecret,
  newSecurityToken,
  newStsAccessKeyId,
  randomDigits,
} from './ids';
import type {
  AccessKeyRecord,
  AccountRecord,
  CustomPolicyRecord,
  GroupRecord,
  PolicyAttachment,
  PolicyType,
  PolicyVersionRecord,
  RoleRecord,
  SessionRecord,
  Tag,
  UserRecord,
} from './models';
import { findSystemPolicy, SYSTEM_POLICIES } from './system-policies';

export interface IamQuotas {
  roles: number;
  policies: number;
  customPoliciesPerRole: number;
  systemPoliciesPerRole: number;
  versionsPerPolicy: number;
  accessKeysPerUser: number;
}

/** Defaults of a real account (ims GetAccountSummary, fc-sdevs-ram.md §3.2). */
export const DEFAULT_QUOTAS: IamQuotas = {
  roles: 1000,
  policies: 1500,
  customPoliciesPerRole: 5,
  systemPoliciesPerRole: 20,
  versionsPerPolicy: 5,
  accessKeysPerUser: 2,
};

export interface LocalIamOptions {
  /** Enforce the account quotas (off by default, like elasticmq's `sqs-limits = relaxed`). */
  strictLimits?: boolean;
  quotas?: Partial<IamQuotas>;
  /** Server clock (tests may move it). */
  now?: () => Date;
}

export interface AccessKeyPair {
  accessKeyId: string;
  accessKeySecret: string;
}

export interface CreateRoleInput {
  roleName: string;
  /** JSON text, or a document object (serialised compactly). */
  assumeRolePolicyDocument: string | object;
  description?: string;
  maxSessionDuration?: number;
  tags?: Tag[] | Record<string, string>;
}

export interface UpdateRoleInput {
  newAssumeRolePolicyDocument?: string | object;
  newMaxSessionDuration?: number;
  newDescription?: string;
}

export interface CreatePolicyInput {
  policyName: string;
  policyDocument: string | object;
  description?: string;
  tags?: Tag[] | Record<string, string>;
}

export interface AssumeRoleInput {
  roleArn: string;
  roleSessionName: string;
  durationSeconds?: number;
  policy?: string;
  externalId?: string;
  sourceIdentity?: string;
}

export interface AssumeRoleResult {
  credentials: IssuedCredentials;
  assumedRoleUser: { arn: string; assumedRoleId: string };
  sourceIdentity?: string;
}

export interface PolicyView {
  policyName: string;
  policyType: PolicyType;
  description: string;
  defaultVersion: string;
  createDate: string;
  updateDate: string;
  attachmentCount: number;
  policyDocument: string;
}

export interface PolicyVersionView {
  versionId: string;
  isDefaultVersion: boolean;
  policyDocument: string;
  createDate: string;
}

export interface AttachedPolicyView {
  policyName: string;
  policyType: PolicyType;
  description: string;
  defaultVersion: string;
  attachDate: string;
}

export interface TagResourceView {
  resourceName: string;
  resourceType: 'role' | 'policy';
  tagKey: string;
  tagValue: string;
}

export type TagResourceType = 'role' | 'policy';

const NS = {
  accounts: 'accounts',
  keys: 'keys',
  sessions: 'sessions',
  users: (a: string) => `users:${a}`,
  groups: (a: string) => `groups:${a}`,
  roles: (a: string) => `roles:${a}`,
  policies: (a: string) => `policies:${a}`,
};

const ROLE_NAME = /^[A-Za-z0-9.-]+$/;
const POLICY_NAME = /^[A-Za-z0-9-]+$/;
const USER_NAME = /^[A-Za-z0-9._-]+$/;
const GROUP_NAME = /^[A-Za-z0-9._-]+$/;
const SESSION_NAME = /^[A-Za-z0-9.@_-]{2,64}$/;
const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;
const ROLE_ARN = /^acs:ram::(\d{16}):role\/([A-Za-z0-9.-]{1,64})$/i;
const MAX_SESSION_POLICY = 2048;
const MAX_POLICY_DOCUMENT = 6144;
const MAX_TRUST_DOCUMENT = 2048;
/** Expired sessions are kept this long so their callers get `Expired`, not `NotFound`. */
const SESSION_GRACE_MS = 6 * 3600 * 1000;

export const roleArnOf = (accountId: string, roleName: string): string => `acs:ram::${accountId}:role/${roleName.toLowerCase()}`;
export const rootArnOf = (accountId: string): string => `acs:ram::${accountId}:root`;
export const userArnOf = (accountId: string, userName: string): string => `acs:ram::${accountId}:user/${userName}`;

/** Resource ARNs as RAM's authorization checks them (`acs:ram:*:<uid>:role/<name>`). */
export const RamResource = {
  role: (a: string, name: string): string => `acs:ram:*:${a}:role/${name}`,
  policy: (a: string, name: string): string => `acs:ram:*:${a}:policy/${name}`,
  user: (a: string, name: string): string => `acs:ram:*:${a}:user/${name}`,
  group: (a: string, name: string): string => `acs:ram:*:${a}:group/${name}`,
};

function docText(doc: string | object): string {
  return typeof doc === 'string' ? doc : JSON.stringify(doc);
}

function byteLength(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

function tagList(tags: Tag[] | Record<string, string> | undefined): Tag[] {
  if (tags === undefined) return [];
  if (Array.isArray(tags)) return tags.map((t) => ({ key: t.key, value: t.value }));
  return Object.entries(tags).map(([key, value]) => ({ key, value }));
}

function validateTags(tags: Tag[]): void {
  if (tags.length > 20) throw RamErrors.invalid('Tag', 'can have at most 20 tags');
  for (const t of tags) {
    if (t.key === '' || t.key.length > 128) throw RamErrors.length('Tag.Key');
    if (t.value.length > 256) throw RamErrors.length('Tag.Value');
    if (/^(acs|aliyun):/i.test(t.key)) throw RamErrors.invalid('Tag.Key', 'cannot start with acs: or aliyun:');
  }
}

function mergeTags(existing: Tag[], add: Tag[]): Tag[] {
  const out = existing.map((t) => ({ ...t }));
  for (const t of add) {
    const found = out.find((o) => o.key === t.key);
    if (found) found.value = t.value;
    else out.push({ ...t });
  }
  return out;
}

function validateName(value: string, param: string, pattern: RegExp, max: number): void {
  if (value.length < 1 || value.length > max) throw RamErrors.length(param);
  if (!pattern.test(value)) throw RamErrors.invalidChars(param);
}

function validatePolicyType(t: string): PolicyType {
  if (t !== 'System' && t !== 'Custom') throw RamErrors.policyTypeInvalid();
  return t;
}

/** The account of an ARN (`acs:<svc>:<region>:<account>:<resource>`), or undefined. */
function arnAccount(arn: string): string | undefined {
  const parts = arn.split(':');
  return parts.length >= 5 ? parts[3] : undefined;
}

function normalizeIp(ip: string): string {
  return ip.startsWith('::ffff:') ? ip.slice(7) : ip;
}

export class LocalIam implements IdentityProvider, ServiceRoleIssuer {
  private readonly quotas: IamQuotas;
  private readonly strict: boolean;
  private readonly now: () => Date;
  /** Parsed policy documents by text: evaluation is on every call, parsing only once. */
  private readonly parsed = new Map<string, PolicyDocument>();
  private assumeCount = 0;

  constructor(
    private readonly journal: Journal,
    options: LocalIamOptions = {},
  ) {
    this.quotas = { ...DEFAULT_QUOTAS, ...options.quotas };
    this.strict = options.strictLimits === true;
    this.now = options.now ?? (() => new Date());
    this.pruneSessions();
  }

  // ================================================================ accounts, users, keys, groups

  /**
   * Create an account with its root identity and one root access key (idempotent: an existing
   * account is returned with its first root key). `rootKey` fixes the key (e.g. for `npm start`).
   */
  createAccount(accountId: string, displayName?: string, rootKey?: AccessKeyPair): { accountId: string; displayName: string; rootArn: string; rootAccessKey: AccessKeyPair } {
    if (!ACCOUNT_ID.test(accountId)) throw new ServiceError('InvalidParameter.AccountId', 400, `An account ID has 16 digits: ${accountId}.`);
    let account = this.journal.get<AccountRecord>(NS.accounts, accountId);
    if (!account) {
      account = { accountId, displayName: displayName ?? `account-${accountId}`, createDate: isoSeconds(this.now()) };
      this.journal.put(NS.accounts, accountId, account);
    }
    const existing = this.journal.values<AccessKeyRecord>(NS.keys).find((k) => k.accountId === accountId && k.userName === undefined);
    const key =
      rootKey !== undefined && !this.journal.has(NS.keys, rootKey.accessKeyId)
        ? this.putKey(accountId, undefined, rootKey)
        : (existing ?? this.putKey(accountId, undefined));
    return { accountId, displayName: account.displayName, rootArn: rootArnOf(accountId), rootAccessKey: { accessKeyId: key.accessKeyId, accessKeySecret: key.accessKeySecret } };
  }

  getAccount(accountId: string): AccountRecord | undefined {
    return this.journal.get<AccountRecord>(NS.accounts, accountId);
  }

  listAccounts(): AccountRecord[] {
    return this.journal.values<AccountRecord>(NS.accounts);
  }

  private requireAccount(accountId: string): AccountRecord {
    const a = this.getAccount(accountId);
    if (!a) throw new ServiceError('EntityNotExist.Account', 404, `The account not exists: ${accountId}.`);
    return a;
  }

  private putKey(accountId: string, userName: string | undefined, pair?: AccessKeyPair): AccessKeyRecord {
    const rec: AccessKeyRecord = {
      accessKeyId: pair?.accessKeyId ?? newAccessKeyId(),
      accessKeySecret: pair?.accessKeySecret ?? newAccessKeySecret(),
      accountId,
      ...(userName === undefined ? {} : { userName }),
      status: 'Active',
      createDate: isoSeconds(this.now()),
    };
    this.journal.put(NS.keys, rec.accessKeyId, rec);
    return rec;
  }

  createUser(accountId: string, input: string | { userName: string; displayName?: string; comments?: string; email?: string; mobilePhone?: string }): UserRecord {
    this.requireAccount(accountId);
    const i = typeof input === 'string' ? { userName: input } : input;
    validateName(i.userName, 'UserName', USER_NAME, 64);
    if (i.displayName !== undefined && (i.displayName.length < 1 || i.displayName.length > 128)) throw RamErrors.length('DisplayName');
    const k = i.userName.toLowerCase();
    if (this.journal.has(NS.users(accountId), k)) throw RamErrors.userExists(i.userName);
    const now = isoSeconds(this.now());
    const user: UserRecord = {
      userId: randomDigits(16),
      userName: i.userName,
      displayName: i.displayName ?? i.userName,
      comments: i.comments ?? '',
      email: i.email ?? '',
      mobilePhone: i.mobilePhone ?? '',
      createDate: now,
      updateDate: now,
      policies: [],
      groups: [],
    };
    this.journal.put(NS.users(accountId), k, user);
    return user;
  }

  getUser(accountId: string, userName: string): UserRecord {
    validateName(userName, 'UserName', USER_NAME, 64);
    const u = this.journal.get<UserRecord>(NS.users(accountId), userName.toLowerCase());
    if (!u) throw RamErrors.userNotExist(userName);
    return u;
  }

  /** A new access key for a RAM user, or for the root identity when `userName` is undefined. */
  createAccessKey(accountId: string, userName?: string, pair?: AccessKeyPair): AccessKeyRecord {
    this.requireAccount(accountId);
    let owner: string | undefined;
    if (userName !== undefined) {
      owner = this.getUser(accountId, userName).userName;
      if (this.strict) {
        const n = this.journal.values<AccessKeyRecord>(NS.keys).filter((k) => k.accountId === accountId && k.userName?.toLowerCase() === userName.toLowerCase()).length;
        if (n >= this.quotas.accessKeysPerUser) throw RamErrors.limitAccessKeys(this.quotas.accessKeysPerUser);
      }
    }
    return this.putKey(accountId, owner, pair);
  }

  createGroup(accountId: string, groupName: string, comments = ''): GroupRecord {
    this.requireAccount(accountId);
    validateName(groupName, 'GroupName', GROUP_NAME, 64);
    const k = groupName.toLowerCase();
    if (this.journal.has(NS.groups(accountId), k)) throw RamErrors.groupExists(groupName);
    const now = isoSeconds(this.now());
    const g: GroupRecord = { groupId: randomDigits(16), groupName, comments, createDate: now, updateDate: now, policies: [] };
    this.journal.put(NS.groups(accountId), k, g);
    return g;
  }

  getGroup(accountId: string, groupName: string): GroupRecord {
    validateName(groupName, 'GroupName', GROUP_NAME, 64);
    const g = this.journal.get<GroupRecord>(NS.groups(accountId), groupName.toLowerCase());
    if (!g) throw RamErrors.groupNotExist(groupName);
    return g;
  }

  addUserToGroup(accountId: string, groupName: string, userName: string): void {
    const g = this.getGroup(accountId, groupName);
    const u = structuredClone(this.getUser(accountId, userName));
    if (u.groups.some((x) => x.groupName.toLowerCase() === g.groupName.toLowerCase())) throw RamErrors.userInGroup();
    u.groups.push({ groupName: g.groupName, joinDate: isoSeconds(this.now()) });
    this.journal.put(NS.users(accountId), u.userName.toLowerCase(), u);
  }

  listGroupsForUser(accountId: string, userName: string): Array<{ group: GroupRecord; joinDate: string }> {
    const u = this.getUser(accountId, userName);
    const out: Array<{ group: GroupRecord; joinDate: string }> = [];
    for (const m of u.groups) {
      const g = this.journal.get<GroupRecord>(NS.groups(accountId), m.groupName.toLowerCase());
      if (g) out.push({ group: g, joinDate: m.joinDate });
    }
    return out;
  }

  // ================================================================ policies

  private resolvePolicy(accountId: string, policyType: string, policyName: string): { type: PolicyType; name: string; document: string; description: string; defaultVersion: string; custom?: CustomPolicyRecord } {
    const type = validatePolicyType(policyType);
    validateName(policyName, 'PolicyName', POLICY_NAME, 128);
    if (type === 'System') {
      const p = findSystemPolicy(policyName);
      if (!p) throw RamErrors.policyNotExist(policyName);
      return { type, name: p.policyName, document: p.policyDocument, description: p.description, defaultVersion: 'v1' };
    }
    const c = this.journal.get<CustomPolicyRecord>(NS.policies(accountId), policyName.toLowerCase());
    if (!c) throw RamErrors.policyNotExist(policyName);
    const v = c.versions.find((x) => x.versionId === c.defaultVersion);
    return { type, name: c.policyName, document: v?.policyDocument ?? '', description: c.description, defaultVersion: c.defaultVersion, custom: c };
  }

  private parseOrMalformed(text: string, field: string, trust: boolean): PolicyDocument {
    try {
      return parsePolicyDocument(text, field, trust ? { trust: true } : {});
    } catch (e: unknown) {
      throw RamErrors.malformedPolicy(e instanceof Error ? e.message : String(e));
    }
  }

  createPolicy(accountId: string, input: CreatePolicyInput): CustomPolicyRecord {
    this.requireAccount(accountId);
    validateName(input.policyName, 'PolicyName', POLICY_NAME, 128);
    if (input.description !== undefined && input.description.length > 1024) throw RamErrors.length('Description');
    const text = docText(input.policyDocument);
    if (byteLength(text) > MAX_POLICY_DOCUMENT) throw RamErrors.length('PolicyDocument');
    this.parseOrMalformed(text, 'PolicyDocument', false);
    const tags = tagList(input.tags);
    validateTags(tags);
    const ns = NS.policies(accountId);
    const k = input.policyName.toLowerCase();
    if (this.journal.has(ns, k) || findSystemPolicy(input.policyName)) throw RamErrors.policyExists(input.policyName);
    if (this.strict) {
      const n = this.journal.values(ns).length;
      if (n >= this.quotas.policies) throw RamErrors.limitPolicies(this.quotas.policies);
    }
    const now = isoSeconds(this.now());
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

  deletePolicy(accountId: string, policyName: string, cascadingDelete = false): void {
    validateName(policyName, 'PolicyName', POLICY_NAME, 128);
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
    const writes: Array<{ ns: string; key: string; value?: unknown }> = [];
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
    validateName(policyName, 'PolicyName', POLICY_NAME, 128);
    if (rotateStrategy !== 'None' && rotateStrategy !== 'DeleteOldestNonDefaultVersionWhenLimitExceeded') throw RamErrors.invalid('RotateStrategy');
    const ns = NS.policies(accountId);
    const k = policyName.toLowerCase();
    const existing = this.journal.get<CustomPolicyRecord>(ns, k);
    if (!existing) throw RamErrors.policyNotExist(policyName);
    const text = docText(policyDocument);
    if (byteLength(text) > MAX_POLICY_DOCUMENT) throw RamErrors.length('PolicyDocument');
    this.parseOrMalformed(text, 'PolicyDocument', false);
    const p = structuredClone(existing);
    if (p.versions.length >= this.quotas.versionsPerPolicy) {
      if (rotateStrategy === 'DeleteOldestNonDefaultVersionWhenLimitExceeded') {
        const oldest = p.versions.findIndex((v) => v.versionId !== p.defaultVersion);
        if (oldest >= 0) p.versions.splice(oldest, 1);
      } else if (this.strict) {
        throw RamErrors.limitPolicyVersions(this.quotas.versionsPerPolicy);
      }
    }
    const now = isoSeconds(this.now());
    const v: PolicyVersionRecord = { versionId: `v${p.nextVersion}`, policyDocument: text, createDate: now };
    p.versions.push(v);
    p.nextVersion++;
    if (setAsDefault) p.defaultVersion = v.versionId;
    p.updateDate = now;
    this.journal.put(ns, k, p);
    return { versionId: v.versionId, isDefaultVersion: setAsDefault, policyDocument: text, createDate: now };
  }

  listPolicyVersions(accountId: string, policyType: string, policyName: string): PolicyVersionView[] {
    const p = this.resolvePolicy(accountId, policyType, policyName);
    if (!p.custom) {
      return [{ versionId: 'v1', isDefaultVersion: true, policyDocument: p.document, createDate: findSystemPolicy(p.name)?.createDate ?? '' }];
    }
    const c = p.custom;
    return c.versions.map((v) => ({ versionId: v.versionId, isDefaultVersion: v.versionId === c.defaultVersion, policyDocument: v.policyDocument, createDate: v.createDate }));
  }

  /** System policies (for listings and tests). */
  listSystemPolicies(): ReadonlyArray<{ policyName: string; description: string; policyDocument: string }> {
    return SYSTEM_POLICIES;
  }

  // ================================================================ attachments (roles, users, groups)

  private attach(accountId: string, kind: 'Role' | 'User' | 'Group', targetNs: string, targetKey: string, target: { policies: PolicyAttachment[] }, policyType: string, policyName: string): void {
    const p = this.resolvePolicy(accountId, policyType, policyName);
    if (target.policies.some((a) => a.policyType === p.type && a.policyName.toLowerCase() === p.name.toLowerCase())) throw RamErrors.alreadyAttached(kind);
    if (this.strict && kind === 'Role') {
      const quota = p.type === 'Custom' ? this.quotas.customPoliciesPerRole : this.quotas.systemPoliciesPerRole;
      if (target.policies.filter((a) => a.policyType === p.type).length >= quota) throw RamErrors.limitRolePolicies(p.type, quota);
    }
    const copy = structuredClone(target);
    copy.policies.push({ policyType: p.type, policyName: p.name, attachDate: isoSeconds(this.now()) });
    const writes: Array<{ ns: string; key: string; value?: unknown }> = [{ ns: targetNs, key: targetKey, value: copy }];
    if (p.custom) {
      const pc = structuredClone(p.custom);
      pc.attachments.push(`${kind.toLowerCase()}:${targetKey}`);
      writes.push({ ns: NS.policies(accountId), key: p.custom.policyName.toLowerCase(), value: pc });
    }
    this.journal.batch(writes);
  }

  private detach(accountId: string, kind: 'Role' | 'User' | 'Group', targetNs: string, targetKey: string, target: { policies: PolicyAttachment[] }, policyType: string, policyName: string): void {
    const type = validatePolicyType(policyType);
    validateName(policyName, 'PolicyName', POLICY_NAME, 128);
    const idx = target.policies.findIndex((a) => a.policyType === type && a.policyName.toLowerCase() === policyName.toLowerCase());
    if (idx < 0) {
      // A policy that does not exist at all is reported as such; an existing one as not attached.
      this.resolvePolicy(accountId, type, policyName);
      throw RamErrors.notAttached(kind);
    }
    const copy = structuredClone(target);
    copy.policies.splice(idx, 1);
    const writes: Array<{ ns: string; key: string; value?: unknown }> = [{ ns: targetNs, key: targetKey, value: copy }];
    if (type === 'Custom') {
      const pk = policyName.toLowerCase();
      const pc = this.journal.get<CustomPolicyRecord>(NS.policies(accountId), pk);
      if (pc) {
        const c = structuredClone(pc);
        c.attachments = c.attachments.filter((a) => a !== `${kind.toLowerCase()}:${targetKey}`);
        writes.push({ ns: NS.policies(accountId), key: pk, value: c });
      }
    }
    this.journal.batch(writes);
  }

  private attachedViews(accountId: string, attachments: PolicyAttachment[]): AttachedPolicyView[] {
    return attachments.map((a) => {
      let description = '';
      let defaultVersion = 'v1';
      if (a.policyType === 'System') description = findSystemPolicy(a.policyName)?.description ?? '';
      else {
        const c = this.journal.get<CustomPolicyRecord>(NS.policies(accountId), a.policyName.toLowerCase());
        description = c?.description ?? '';
        defaultVersion = c?.defaultVersion ?? 'v1';
      }
      return { policyName: a.policyName, policyType: a.policyType, description, defaultVersion, attachDate: a.attachDate };
    });
  }

  attachPolicyToRole(accountId: string, policyType: string, policyName: string, roleName: string): void {
    const r = this.getRole(accountId, roleName);
    this.attach(accountId, 'Role', NS.roles(accountId), r.roleName.toLowerCase(), r, policyType, policyName);
  }

  detachPolicyFromRole(accountId: string, policyType: string, policyName: string, roleName: string): void {
    const r = this.getRole(accountId, roleName);
    this.detach(accountId, 'Role', NS.roles(accountId), r.roleName.toLowerCase(), r, policyType, policyName);
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

  // ================================================================ roles

  private validateTrust(text: string, param: string): void {
    if (byteLength(text) > MAX_TRUST_DOCUMENT) throw RamErrors.length(param);
    this.parseOrMalformed(text, param, true);
  }

  private validateMaxSession(v: number, param: string): void {
    if (!Number.isInteger(v) || v < 3600 || v > 43200) throw RamErrors.invalid(param, 'must be an integer between 3600 and 43200');
  }

  createRole(accountId: string, input: CreateRoleInput): RoleRecord {
    this.requireAccount(accountId);
    validateName(input.roleName, 'RoleName', ROLE_NAME, 64);
    if (input.description !== undefined && input.description.length > 1024) throw RamErrors.length('Description');
    const trust = docText(input.assumeRolePolicyDocument);
    this.validateTrust(trust, 'AssumeRolePolicyDocument');
    const maxSessionDuration = input.maxSessionDuration ?? 3600;
    this.validateMaxSession(maxSessionDuration, 'MaxSessionDuration');
    const tags = tagList(input.tags);
    validateTags(tags);
    const ns = NS.roles(accountId);
    const k = input.roleName.toLowerCase();
    if (this.journal.has(ns, k)) throw RamErrors.roleExists(input.roleName);
    if (this.strict && this.journal.values(ns).length >= this.quotas.roles) throw RamErrors.limitRoles(this.quotas.roles);
    const now = isoSeconds(this.now());
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
    validateName(roleName, 'RoleName', ROLE_NAME, 64);
    const r = this.journal.get<RoleRecord>(NS.roles(accountId), roleName.toLowerCase());
    if (!r) throw RamErrors.roleNotExist(roleArnOf(accountId, roleName));
    return r;
  }

  findRole(accountId: string, roleName: string): RoleRecord | undefined {
    return this.journal.get<RoleRecord>(NS.roles(accountId), roleName.toLowerCase());
  }

  updateRole(accountId: string, roleName: string, input: UpdateRoleInput): RoleRecord {
    const existing = this.getRole(accountId, roleName);
    const r = structuredClone(existing);
    if (input.newAssumeRolePolicyDocument !== undefined) {
      const text = docText(input.newAssumeRolePolicyDocument);
      this.validateTrust(text, 'NewAssumeRolePolicyDocument');
      r.assumeRolePolicyDocument = text;
    }
    if (input.newMaxSessionDuration !== undefined) {
      this.validateMaxSession(input.newMaxSessionDuration, 'NewMaxSessionDuration');
      r.maxSessionDuration = input.newMaxSessionDuration;
    }
    if (input.newDescription !== undefined) {
      if (input.newDescription.length > 1024) throw RamErrors.length('NewDescription');
      r.description = input.newDescription;
    }
    r.updateDate = isoSeconds(this.now());
    this.journal.put(NS.roles(accountId), r.roleName.toLowerCase(), r);
    return r;
  }

  deleteRole(accountId: string, roleName: string): void {
    const r = this.getRole(accountId, roleName);
    if (r.policies.length > 0) throw RamErrors.deleteRoleWithPolicies();
    this.journal.delete(NS.roles(accountId), r.roleName.toLowerCase());
  }

  /** Roles sorted by name, paged by an opaque marker (the last name returned). */
  listRoles(accountId: string, opts: { marker?: string; maxItems?: number; tags?: Array<{ key: string; value?: string }> } = {}): { roles: RoleRecord[]; isTruncated: boolean; marker?: string } {
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

  // ================================================================ tags

  private taggable(accountId: string, type: string, name: string): { ns: string; key: string; rec: RoleRecord | CustomPolicyRecord; resourceName: string } {
    if (type === 'role') {
      const r = this.getRole(accountId, name);
      return { ns: NS.roles(accountId), key: r.roleName.toLowerCase(), rec: r, resourceName: r.roleName };
    }
    if (type === 'policy') {
      validateName(name, 'PolicyName', POLICY_NAME, 128);
      const p = this.journal.get<CustomPolicyRecord>(NS.policies(accountId), name.toLowerCase());
      if (!p) throw RamErrors.policyNotExist(name);
      return { ns: NS.policies(accountId), key: p.policyName.toLowerCase(), rec: p, resourceName: p.policyName };
    }
    throw RamErrors.invalid('ResourceType', 'must be role or policy');
  }

  tagResources(accountId: string, resourceType: string, resourceNames: string[], tags: Tag[] | Record<string, string>): void {
    const list = tagList(tags);
    if (list.length === 0) throw RamErrors.invalid('Tag', 'must not be empty');
    validateTags(list);
    if (resourceNames.length === 0 || resourceNames.length > 50) throw RamErrors.invalid('ResourceNames', 'must name 1 to 50 resources');
    const writes = resourceNames.map((n) => {
      const t = this.taggable(accountId, resourceType, n);
      const copy = structuredClone(t.rec);
      copy.tags = mergeTags(copy.tags, list);
      if (copy.tags.length > 20) throw RamErrors.invalid('Tag', 'a resource can have at most 20 tags');
      return { ns: t.ns, key: t.key, value: copy };
    });
    this.journal.batch(writes);
  }

  untagResources(accountId: string, resourceType: string, resourceNames: string[], tagKeys: string[], all = false): void {
    if (resourceNames.length === 0 || resourceNames.length > 50) throw RamErrors.invalid('ResourceNames', 'must name 1 to 50 resources');
    const writes = resourceNames.map((n) => {
      const t = this.taggable(accountId, resourceType, n);
      const copy = structuredClone(t.rec);
      copy.tags = all ? [] : copy.tags.filter((x) => !tagKeys.includes(x.key));
      return { ns: t.ns, key: t.key, value: copy };
    });
    this.journal.batch(writes);
  }

  listTagResources(
    accountId: string,
    resourceType: string,
    opts: { resourceNames?: string[]; tags?: Array<{ key: string; value?: string }>; nextToken?: string; pageSize?: number } = {},
  ): { tagResources: TagResourceView[]; nextToken: string } {
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

  // ================================================================ authentication (IdentityProvider)

  lookupKey(accessKeyId: string, securityToken: string | undefined, now: Date): KeyLookup {
    if (accessKeyId.startsWith('STS.')) {
      const s = this.journal.get<SessionRecord>(NS.sessions, accessKeyId);
      if (!s) return { ok: false, code: 'InvalidAccessKeyId.NotFound', message: 'Specified access key is not found.' };
      if (securityToken === undefined || securityToken === '') return { ok: false, code: 'MissingSecurityToken', message: 'SecurityToken is mandatory for this action.' };
      if (securityToken !== s.securityToken) return { ok: false, code: 'InvalidSecurityToken.MismatchWithAccessKey', message: 'Specified SecurityToken mismatch with the AccessKey.' };
      if (now.getTime() >= s.expiresAt) return { ok: false, code: 'InvalidSecurityToken.Expired', message: 'Specified SecurityToken is expired.' };
      const role = this.findRole(s.accountId, s.roleName);
      if (!role || role.roleId !== s.roleId) {
        // The role was deleted (or deleted and re-created): its sessions die with it.
        return { ok: false, code: 'InvalidSecurityToken.Expired', message: 'Specified SecurityToken is expired: its role no longer exists.' };
      }
      return { ok: true, secret: s.accessKeySecret, principal: this.sessionPrincipal(s) };
    }
    const k = this.journal.get<AccessKeyRecord>(NS.keys, accessKeyId);
    if (!k || !this.getAccount(k.accountId)) return { ok: false, code: 'InvalidAccessKeyId.NotFound', message: 'Specified access key is not found.' };
    if (k.status !== 'Active') return { ok: false, code: 'InvalidAccessKeyId.Inactive', message: 'Specified access key is disabled.' };
    if (securityToken !== undefined && securityToken !== '') {
      return { ok: false, code: 'InvalidSecurityToken.MismatchWithAccessKey', message: 'Specified SecurityToken mismatch with the AccessKey.' };
    }
    if (k.userName === undefined) {
      return { ok: true, secret: k.accessKeySecret, principal: { accountId: k.accountId, arn: rootArnOf(k.accountId), kind: 'root', principalId: k.accountId, accessKeyId } };
    }
    const u = this.journal.get<UserRecord>(NS.users(k.accountId), k.userName.toLowerCase());
    if (!u) return { ok: false, code: 'InvalidAccessKeyId.NotFound', message: 'Specified access key is not found.' };
    return {
      ok: true,
      secret: k.accessKeySecret,
      principal: { accountId: k.accountId, arn: userArnOf(k.accountId, u.userName), kind: 'user', name: u.userName, principalId: u.userId, accessKeyId },
    };
  }

  private sessionPrincipal(s: SessionRecord): Principal {
    return {
      accountId: s.accountId,
      arn: `acs:ram::${s.accountId}:assumed-role/${s.roleName.toLowerCase()}/${s.sessionName}`,
      kind: 'assumed-role',
      name: s.roleName,
      sessionName: s.sessionName,
      principalId: `${s.roleId}:${s.sessionName}`,
      accessKeyId: s.accessKeyId,
    };
  }

  /** The session behind an STS key (for GetCallerIdentity's RoleId). */
  getSession(accessKeyId: string): SessionRecord | undefined {
    return this.journal.get<SessionRecord>(NS.sessions, accessKeyId);
  }

  // ================================================================ authorization

  private doc(text: string, trust = false): PolicyDocument | undefined {
    const key = trust ? `trust:${text}` : text;
    let d = this.parsed.get(key);
    if (d === undefined) {
      try {
        d = parsePolicyDocument(text, 'policy', trust ? { trust: true } : {});
      } catch {
        // Stored documents were validated on write; an unparsable one (older grammar) grants nothing.
        return undefined;
      }
      if (this.parsed.size > 5000) this.parsed.clear();
      this.parsed.set(key, d);
    }
    return d;
  }

  private documentsOf(accountId: string, attachments: PolicyAttachment[]): PolicyDocument[] {
    const out: PolicyDocument[] = [];
    for (const a of attachments) {
      let text: string | undefined;
      if (a.policyType === 'System') text = findSystemPolicy(a.policyName)?.policyDocument;
      else {
        const c = this.journal.get<CustomPolicyRecord>(NS.policies(accountId), a.policyName.toLowerCase());
        text = c?.versions.find((v) => v.versionId === c.defaultVersion)?.policyDocument;
      }
      const d = text === undefined ? undefined : this.doc(text);
      if (d) out.push(d);
    }
    return out;
  }

  private conditionContext(ctx: AuthzContext): Record<string, string | string[] | undefined> {
    return { 'acs:CurrentTime': isoSeconds(ctx.currentTime), 'acs:SourceIp': normalizeIp(ctx.sourceIp), ...ctx.extra };
  }

  private static decideOver(policies: PolicyDocument[], action: string, resources: string[], context: Record<string, string | string[] | undefined>): 'Allow' | 'ExplicitDeny' | 'ImplicitDeny' {
    let allowed = false;
    for (const resource of resources) {
      const d = evaluate(policies, { action, resource, context });
      if (d === 'ExplicitDeny') return d;
      if (d === 'Allow') allowed = true;
    }
    return allowed ? 'Allow' : 'ImplicitDeny';
  }

  /**
   * The caller's identity-based decision. `resources` are equivalent spellings of one resource
   * (e.g. a role ARN as requested and as canonical): any Allow allows, any explicit Deny denies.
   */
  private identityAllows(principal: Principal, action: string, resources: string[], ctx: AuthzContext, crossAccount: boolean): boolean {
    if (!crossAccount) {
      for (const r of resources) {
        const acct = arnAccount(r);
        if (acct !== undefined && acct !== '' && acct !== '*' && acct !== principal.accountId) return false;
      }
    }
    const context = this.conditionContext(ctx);
    switch (principal.kind) {
      case 'root':
        return !crossAccount && this.getAccount(principal.accountId) !== undefined;
      case 'user': {
        const u = this.journal.get<UserRecord>(NS.users(principal.accountId), (principal.name ?? '').toLowerCase());
        if (!u) return false;
        const attachments = [...u.policies];
        for (const m of u.groups) {
          const g = this.journal.get<GroupRecord>(NS.groups(principal.accountId), m.groupName.toLowerCase());
          if (g) attachments.push(...g.policies);
        }
        return LocalIam.decideOver(this.documentsOf(principal.accountId, attachments), action, resources, context) === 'Allow';
      }
      case 'assumed-role': {
        const s = this.getSession(principal.accessKeyId);
        if (!s) return false;
        // Every call re-reads the role's CURRENT policies: detaching one cuts off issued tokens.
        const role = this.findRole(s.accountId, s.roleName);
        if (!role || role.roleId !== s.roleId) return false;
        if (LocalIam.decideOver(this.documentsOf(s.accountId, role.policies), action, resources, context) !== 'Allow') return false;
        if (s.policy !== undefined) {
          const sp = this.doc(s.policy);
          if (!sp || LocalIam.decideOver([sp], action, resources, context) !== 'Allow') return false;
        }
        return true;
      }
      default:
        return false;
    }
  }

  isAllowed(principal: Principal, action: string, resource: string, context: AuthzContext): boolean {
    return this.identityAllows(principal, action, [resource], context, false);
  }

  // ================================================================ STS

  private issue(role: RoleRecord, accountId: string, sessionName: string, durationSeconds: number, assumedBy: string, policy?: string, sourceIdentity?: string): AssumeRoleResult {
    const now = this.now().getTime();
    const s: SessionRecord = {
      accessKeyId: newStsAccessKeyId(),
      accessKeySecret: newAccessKeySecret(),
      securityToken: newSecurityToken(),
      accountId,
      roleId: role.roleId,
      roleName: role.roleName,
      sessionName,
      expiresAt: now + durationSeconds * 1000,
      ...(policy === undefined ? {} : { policy }),
      assumedBy,
      ...(sourceIdentity === undefined ? {} : { sourceIdentity }),
    };
    this.journal.put(NS.sessions, s.accessKeyId, s);
    if (++this.assumeCount % 1000 === 0) this.pruneSessions();
    return {
      credentials: { accessKeyId: s.accessKeyId, accessKeySecret: s.accessKeySecret, securityToken: s.securityToken, expiration: isoSeconds(s.expiresAt) },
      assumedRoleUser: { arn: `${role.arn}/${sessionName}`, assumedRoleId: `${role.roleId}:${sessionName}` },
      ...(sourceIdentity === undefined ? {} : { sourceIdentity }),
    };
  }

  /** Drop sessions long expired (O(n); on open and every 1,000 AssumeRole calls). */
  private pruneSessions(): void {
    const cutoff = this.now().getTime() - SESSION_GRACE_MS;
    const dead = this.journal.entries<SessionRecord>(NS.sessions).filter(([, s]) => s.expiresAt < cutoff);
    if (dead.length > 0) this.journal.batch(dead.map(([k]) => ({ ns: NS.sessions, key: k })));
  }

  /** STS AssumeRole by a RAM identity (trust policy, ExternalId, caller's own permission, duration). */
  assumeRole(caller: Principal, input: AssumeRoleInput, ctx: AuthzContext): AssumeRoleResult {
    if (!SESSION_NAME.test(input.roleSessionName)) throw StsErrors.sessionName();
    const m = ROLE_ARN.exec(input.roleArn);
    if (!m) throw StsErrors.roleArn();
    const [, roleAccount = '', roleName = ''] = m;
    if (input.externalId !== undefined && !EXTERNAL_ID.test(input.externalId)) throw StsErrors.externalId();
    if (input.sourceIdentity !== undefined && !/^[A-Za-z0-9.@_=,+-]{2,64}$/.test(input.sourceIdentity)) throw StsErrors.sourceIdentity();
    if (input.durationSeconds !== undefined && (!Number.isInteger(input.durationSeconds) || input.durationSeconds < 900)) throw StsErrors.duration();
    if (input.policy !== undefined) {
      if (byteLength(input.policy) > MAX_SESSION_POLICY) throw StsErrors.policySize();
      try {
        parsePolicyDocument(input.policy, 'Policy', { maxLength: MAX_SESSION_POLICY });
      } catch {
        throw StsErrors.policyGrammar();
      }
    }
    if (caller.kind === 'root') throw StsErrors.rootCannotAssume();
    const role = this.findRole(roleAccount, roleName);
    if (!role) throw StsErrors.roleNotExist();
    // Tutorial step 2: the caller's own account must allow it sts:AssumeRole on this role.
    const resources = [...new Set([role.arn, input.roleArn, `acs:ram::${roleAccount}:role/${roleName}`])];
    if (!this.identityAllows(caller, 'sts:AssumeRole', resources, ctx, true)) throw StsErrors.notAuthorized();
    const trust = this.doc(role.assumeRolePolicyDocument, true);
    const context = this.conditionContext({ ...ctx, extra: { ...ctx.extra, ...(input.externalId === undefined ? {} : { 'sts:ExternalId': input.externalId }) } });
    const decision = trust ? evaluate([trust], { action: 'sts:AssumeRole', resource: role.arn, principal: { arn: caller.arn, accountId: caller.accountId }, context }) : 'ImplicitDeny';
    if (decision !== 'Allow') throw StsErrors.notTrusted();
    const duration = input.durationSeconds ?? 3600;
    if (duration > role.maxSessionDuration) throw StsErrors.duration();
    return this.issue(role, roleAccount, input.roleSessionName, duration, caller.arn, input.policy, input.sourceIdentity);
  }

  assumeRoleAsService(roleArn: string, service: string, sessionName: string, durationSeconds: number): IssuedCredentials {
    const m = ROLE_ARN.exec(roleArn);
    if (!m) throw StsErrors.roleArn();
    const [, roleAccount = '', roleName = ''] = m;
    const role = this.findRole(roleAccount, roleName);
    if (!role) throw StsErrors.roleNotExist();
    const trust = this.doc(role.assumeRolePolicyDocument, true);
    const ctx = this.conditionContext({ sourceIp: '127.0.0.1', currentTime: this.now() });
    const decision = trust ? evaluate([trust], { action: 'sts:AssumeRole', resource: role.arn, principal: { arn: `acs:service::${service}`, accountId: '', service }, context: ctx }) : 'ImplicitDeny';
    if (decision !== 'Allow') throw StsErrors.notTrusted();
    const name = SESSION_NAME.test(sessionName) ? sessionName : sessionName.replace(/[^A-Za-z0-9.@_-]/g, '-').slice(0, 64).padEnd(2, '-');
    return this.issue(role, roleAccount, name, durationSeconds, `service:${service}`).credentials;
  }

  // ================================================================ lifecycle

  /** Forget everything (all accounts, keys and sessions). */
  reset(): void {
    this.journal.reset();
    this.parsed.clear();
  }
}

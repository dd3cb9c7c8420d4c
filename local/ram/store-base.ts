/**
 * The local RAM's state, first layer: accounts, access keys, RAM users and groups. Durable
 * through the Journal: every mutation is one journal write (or one batch), so an acknowledged
 * change survives `kill -9`. Methods take an account ID and enforce the real service's rules
 * and error codes, so the handlers stay thin and tests can seed state with plain calls.
 *
 * The store is split by subject into layers (this file → roles → policies → tags, RamStore in
 * store.ts): each stays a readable size, and the public surface is one object.
 */
import { ServiceError } from '../core/errors';
import type { Journal } from '../core/journal';
import { rootArnOf } from './arns';
import { RamErrors } from './errors';
import { ACCOUNT_ID, isoSeconds, newAccessKeyId, newAccessKeySecret, randomDigits } from './ids';
import type { AccessKeyPair, AccessKeyRecord, AccountRecord, GroupRecord, UserRecord } from './models';
import { DEFAULT_RAM_QUOTAS, type RamQuotas } from './quotas';
import { validateGroupName, validateUserName } from './validation';

/** Journal namespaces. `sessions` belongs to STS, which shares the journal (one state file). */
export const NS = {
  accounts: 'accounts',
  keys: 'keys',
  users: (a: string) => `users:${a}`,
  groups: (a: string) => `groups:${a}`,
  roles: (a: string) => `roles:${a}`,
  policies: (a: string) => `policies:${a}`,
};

interface RamStoreOptions {
  /** Enforce the account quotas (off by default, like elasticmq's `sqs-limits = relaxed`). */
  strictLimits?: boolean;
  quotas?: Partial<RamQuotas>;
  /** Server clock (tests may move it). */
  now?: () => Date;
}

interface CreateUserInput {
  userName: string;
  displayName?: string;
  comments?: string;
  email?: string;
  mobilePhone?: string;
}

export class RamStoreBase {
  protected readonly quotas: RamQuotas;
  protected readonly strict: boolean;
  protected readonly now: () => Date;

  constructor(
    protected readonly journal: Journal,
    options: RamStoreOptions = {},
  ) {
    this.quotas = { ...DEFAULT_RAM_QUOTAS, ...options.quotas };
    this.strict = options.strictLimits === true;
    this.now = options.now ?? (() => new Date());
  }

  protected stamp(): string {
    return isoSeconds(this.now());
  }

  // ---------------------------------------------------------------- accounts and keys

  /**
   * Create an account with its root identity and one root access key (idempotent: an existing
   * account is returned with its first root key). `rootKey` fixes the key (e.g. for `npm start`).
   */
  createAccount(accountId: string, displayName?: string, rootKey?: AccessKeyPair): { accountId: string; displayName: string; rootArn: string; rootAccessKey: AccessKeyPair } {
    if (!ACCOUNT_ID.test(accountId)) throw new ServiceError('InvalidParameter.AccountId', 400, `An account ID has 16 digits: ${accountId}.`);
    let account = this.journal.get<AccountRecord>(NS.accounts, accountId);
    if (!account) {
      account = { accountId, displayName: displayName ?? `account-${accountId}`, createDate: this.stamp() };
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

  protected requireAccount(accountId: string): AccountRecord {
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
      createDate: this.stamp(),
    };
    this.journal.put(NS.keys, rec.accessKeyId, rec);
    return rec;
  }

  /** A permanent access key by ID (authentication), or undefined. */
  findAccessKey(accessKeyId: string): AccessKeyRecord | undefined {
    return this.journal.get<AccessKeyRecord>(NS.keys, accessKeyId);
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

  // ---------------------------------------------------------------- users and groups

  createUser(accountId: string, input: string | CreateUserInput): UserRecord {
    this.requireAccount(accountId);
    const i = typeof input === 'string' ? { userName: input } : input;
    validateUserName(i.userName);
    if (i.displayName !== undefined && (i.displayName.length < 1 || i.displayName.length > 128)) throw RamErrors.length('DisplayName');
    const k = i.userName.toLowerCase();
    if (this.journal.has(NS.users(accountId), k)) throw RamErrors.userExists(i.userName);
    const now = this.stamp();
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

  findUser(accountId: string, userName: string): UserRecord | undefined {
    return this.journal.get<UserRecord>(NS.users(accountId), userName.toLowerCase());
  }

  getUser(accountId: string, userName: string): UserRecord {
    validateUserName(userName);
    const u = this.findUser(accountId, userName);
    if (!u) throw RamErrors.userNotExist(userName);
    return u;
  }

  createGroup(accountId: string, groupName: string, comments = ''): GroupRecord {
    this.requireAccount(accountId);
    validateGroupName(groupName);
    const k = groupName.toLowerCase();
    if (this.journal.has(NS.groups(accountId), k)) throw RamErrors.groupExists(groupName);
    const now = this.stamp();
    const g: GroupRecord = { groupId: randomDigits(16), groupName, comments, createDate: now, updateDate: now, policies: [] };
    this.journal.put(NS.groups(accountId), k, g);
    return g;
  }

  findGroup(accountId: string, groupName: string): GroupRecord | undefined {
    return this.journal.get<GroupRecord>(NS.groups(accountId), groupName.toLowerCase());
  }

  getGroup(accountId: string, groupName: string): GroupRecord {
    validateGroupName(groupName);
    const g = this.findGroup(accountId, groupName);
    if (!g) throw RamErrors.groupNotExist(groupName);
    return g;
  }

  addUserToGroup(accountId: string, groupName: string, userName: string): void {
    const g = this.getGroup(accountId, groupName);
    const u = structuredClone(this.getUser(accountId, userName));
    if (u.groups.some((x) => x.groupName.toLowerCase() === g.groupName.toLowerCase())) throw RamErrors.userInGroup();
    u.groups.push({ groupName: g.groupName, joinDate: this.stamp() });
    this.journal.put(NS.users(accountId), u.userName.toLowerCase(), u);
  }

  listGroupsForUser(accountId: string, userName: string): Array<{ group: GroupRecord; joinDate: string }> {
    const u = this.getUser(accountId, userName);
    const out: Array<{ group: GroupRecord; joinDate: string }> = [];
    for (const m of u.groups) {
      const g = this.findGroup(accountId, m.groupName);
      if (g) out.push({ group: g, joinDate: m.joinDate });
    }
    return out;
  }
}


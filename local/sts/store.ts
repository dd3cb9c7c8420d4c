/**
 * The local STS's state and AssumeRole logic: sessions (issue, look up, prune) kept in the same
 * Journal as RAM (one state file, so a role and the sessions of it survive `kill -9` together),
 * and AssumeRole for RAM identities and for cloud services (FC's execution role).
 *
 * Authorization is not decided here: the caller's own permission (identity side) is the
 * `authorizeCaller` callback the handler passes (the STS authorization table), and the trust
 * policy is evaluated by the access-control room through `TrustEvaluator`.
 */
import type { AuthzContext, IssuedCredentials, Principal, ServiceRoleIssuer } from '../core/contract';
import type { Journal } from '../core/journal';
import { PolicyGrammarError, parsePolicy } from '../access/engine';
import { isoSeconds, newAccessKeySecret, newSecurityToken, newStsAccessKeyId } from '../ram/ids';
import type { RoleRecord } from '../ram/models';
import type { RamStore } from '../ram/store';
import { StsErrors } from './errors';
import { EXTERNAL_ID, SESSION_NAME, SOURCE_IDENTITY, STS_LIMITS } from './quotas';

export interface SessionRecord {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken: string;
  /** Account of the role (the session acts there). */
  accountId: string;
  roleId: string;
  roleName: string;
  sessionName: string;
  /** Epoch ms. */
  expiresAt: number;
  /** Session policy (STS `Policy`), narrowing the role's rights. */
  policy?: string;
  /** Who assumed it: an ARN, or `service:<name>` for a cloud service. */
  assumedBy: string;
  sourceIdentity?: string;
}

interface AssumeRoleInput {
  roleArn: string;
  roleSessionName: string;
  durationSeconds?: number;
  policy?: string;
  externalId?: string;
  sourceIdentity?: string;
}

interface AssumeRoleResult {
  credentials: IssuedCredentials;
  assumedRoleUser: { arn: string; assumedRoleId: string };
  sourceIdentity?: string;
}

/** Who asks to assume a role, as the trust policy sees it. */
export type TrustCaller = { kind: 'identity'; principal: Principal } | { kind: 'service'; service: string };

/** Implemented by the access-control room (local/access). */
export interface TrustEvaluator {
  trustAdmits(role: RoleRecord, caller: TrustCaller, ctx: AuthzContext): boolean;
}

const SESSIONS = 'sessions';
/** Expired sessions are kept this long so their callers get `Expired`, not `NotFound`. */
const SESSION_GRACE_MS = 6 * 3600 * 1000;
const ROLE_ARN = /^acs:ram::(\d{16}):role\/([A-Za-z0-9.-]{1,64})$/i;

/** `acs:ram::<account>:role/<name>` → its parts, or undefined when malformed. */
export function parseRoleArn(arn: string): { accountId: string; roleName: string } | undefined {
  const m = ROLE_ARN.exec(arn);
  return m ? { accountId: m[1] ?? '', roleName: m[2] ?? '' } : undefined;
}

export class StsSessions {
  private issued = 0;

  constructor(
    private readonly journal: Journal,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.prune();
  }

  get(accessKeyId: string): SessionRecord | undefined {
    return this.journal.get<SessionRecord>(SESSIONS, accessKeyId);
  }

  issue(role: RoleRecord, accountId: string, sessionName: string, durationSeconds: number, assumedBy: string, policy?: string, sourceIdentity?: string): AssumeRoleResult {
    const s: SessionRecord = {
      accessKeyId: newStsAccessKeyId(),
      accessKeySecret: newAccessKeySecret(),
      securityToken: newSecurityToken(),
      accountId,
      roleId: role.roleId,
      roleName: role.roleName,
      sessionName,
      expiresAt: this.now().getTime() + durationSeconds * 1000,
      ...(policy === undefined ? {} : { policy }),
      assumedBy,
      ...(sourceIdentity === undefined ? {} : { sourceIdentity }),
    };
    this.journal.put(SESSIONS, s.accessKeyId, s);
    if (++this.issued % 1000 === 0) this.prune();
    return {
      credentials: { accessKeyId: s.accessKeyId, accessKeySecret: s.accessKeySecret, securityToken: s.securityToken, expiration: isoSeconds(s.expiresAt) },
      assumedRoleUser: { arn: `${role.arn}/${sessionName}`, assumedRoleId: `${role.roleId}:${sessionName}` },
      ...(sourceIdentity === undefined ? {} : { sourceIdentity }),
    };
  }

  /** Drop sessions long expired (O(n); on open and every 1,000 issued sessions). */
  prune(): void {
    const cutoff = this.now().getTime() - SESSION_GRACE_MS;
    const dead = this.journal.entries<SessionRecord>(SESSIONS).filter(([, s]) => s.expiresAt < cutoff);
    if (dead.length > 0) this.journal.batch(dead.map(([k]) => ({ ns: SESSIONS, key: k })));
  }
}

export class StsStore implements ServiceRoleIssuer {
  constructor(
    private readonly ram: RamStore,
    readonly sessions: StsSessions,
    private readonly trust: TrustEvaluator,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** The session behind an STS key (for GetCallerIdentity's RoleId). */
  getSession(accessKeyId: string): SessionRecord | undefined {
    return this.sessions.get(accessKeyId);
  }

  /**
   * STS AssumeRole by a RAM identity: parameters, then the caller's own `sts:AssumeRole` on the
   * role (`authorizeCaller`, throws the denial), then the role's trust policy, then the duration.
   * Both sides are required even within one account (doc-detail/39744 lists either missing as a
   * cause of "You are not authorized to do this action").
   */
  assumeRole(caller: Principal, input: AssumeRoleInput, ctx: AuthzContext, authorizeCaller: () => void): AssumeRoleResult {
    if (!SESSION_NAME.test(input.roleSessionName)) throw StsErrors.sessionName();
    const arn = parseRoleArn(input.roleArn);
    if (!arn) throw StsErrors.roleArn();
    if (input.externalId !== undefined && !EXTERNAL_ID.test(input.externalId)) throw StsErrors.externalId();
    if (input.sourceIdentity !== undefined && !SOURCE_IDENTITY.test(input.sourceIdentity)) throw StsErrors.sourceIdentity();
    if (input.durationSeconds !== undefined && (!Number.isInteger(input.durationSeconds) || input.durationSeconds < STS_LIMITS.minDurationSeconds)) throw StsErrors.duration();
    if (input.policy !== undefined) {
      if (Buffer.byteLength(input.policy, 'utf8') > STS_LIMITS.sessionPolicy) throw StsErrors.policySize();
      try {
        parsePolicy(input.policy, 'session', 'Policy', STS_LIMITS.sessionPolicy);
      } catch (e: unknown) {
        if (e instanceof PolicyGrammarError) throw StsErrors.policyGrammar();
        throw e;
      }
    }
    // "Roles may not be assumed by root accounts" (AssumeRole reference, prerequisites).
    if (caller.kind === 'root') throw StsErrors.rootCannotAssume();
    const role = this.ram.findRole(arn.accountId, arn.roleName);
    if (!role) throw StsErrors.roleNotExist();
    authorizeCaller();
    const trustCtx: AuthzContext = { ...ctx, extra: { ...ctx.extra, ...(input.externalId === undefined ? {} : { 'sts:ExternalId': input.externalId }) } };
    if (!this.trust.trustAdmits(role, { kind: 'identity', principal: caller }, trustCtx)) throw StsErrors.notTrusted();
    const duration = input.durationSeconds ?? STS_LIMITS.defaultDurationSeconds;
    if (duration > role.maxSessionDuration) throw StsErrors.duration();
    return this.sessions.issue(role, arn.accountId, input.roleSessionName, duration, caller.arn, input.policy, input.sourceIdentity);
  }

  /** A cloud service (e.g. FC for a function's execution role) assumes a role that trusts it. */
  assumeRoleAsService(roleArn: string, service: string, sessionName: string, durationSeconds: number): IssuedCredentials {
    const arn = parseRoleArn(roleArn);
    if (!arn) throw StsErrors.roleArn();
    const role = this.ram.findRole(arn.accountId, arn.roleName);
    if (!role) throw StsErrors.roleNotExist();
    if (!this.trust.trustAdmits(role, { kind: 'service', service }, { sourceIp: '127.0.0.1', currentTime: this.now() })) throw StsErrors.notTrusted();
    const name = SESSION_NAME.test(sessionName) ? sessionName : sessionName.replace(/[^A-Za-z0-9.@_-]/g, '-').slice(0, 64).padEnd(2, '-');
    return this.sessions.issue(role, arn.accountId, name, durationSeconds, `service:${service}`).credentials;
  }
}

/**
 * Access control of the local cloud, in one place: authentication (keys and STS tokens →
 * principals) and authorization as RAM decides it:
 *
 * - an account's root identity may do anything in its own account, nothing in another;
 * - a RAM user by the policies attached to it and to its groups;
 * - an assumed role by the role's CURRENT policies intersected with the session policy (a
 *   detach cuts off tokens already issued; with the fault `policyPropagationMs`, only once the
 *   change has propagated: until then the sessions see the role's previous attachments);
 * - a resource of another account is always denied, except where the action is meant to cross
 *   accounts (sts:AssumeRole, whose other half is the role's trust policy, `trustAdmits`);
 * - cloud services are principals of trust policies only.
 *
 * Each resource RAM checks for an action (the services' authorization tables) must be allowed;
 * one explicit Deny denies. Policy grammar and evaluation live behind ./engine.
 */
import type { ActionAuthorizer, AuthorizeOptions, AuthzContext, IdentityProvider, KeyLookup, Principal } from '../core/contract';
import { arnAccount } from '../ram/arns';
import { isoSeconds } from '../ram/ids';
import type { RoleRecord } from '../ram/models';
import type { RamStore } from '../ram/store';
import type { StsSessions, TrustCaller, TrustEvaluator } from '../sts/store';
import { lookupKey } from './authenticate';
import { evaluatePolicies, evaluateTrust, parsePolicy, type ParsedPolicy, type PolicyContext, type PolicyKind } from './engine';

type Context = PolicyContext;

/** Pseudo-account of RAM's system policies (`acs:ram:*:system:policy/<name>`). */
const SYSTEM_ACCOUNT = 'system';
const PARSED_CACHE_LIMIT = 5000;

/** RAM's view of a role's attachments while a change propagates (local/core/faults.ts). */
interface AttachmentPropagation {
  attachmentsSeenAt(roleId: string, atMs: number): readonly string[] | undefined;
}

function normalizeIp(ip: string): string {
  return ip.startsWith('::ffff:') ? ip.slice(7) : ip;
}

export class AccessControl implements IdentityProvider, ActionAuthorizer, TrustEvaluator {
  /** Parsed documents by kind and text: evaluation happens on every call, parsing once. */
  private readonly parsed = new Map<string, ParsedPolicy>();

  constructor(
    private readonly ram: RamStore,
    private readonly sessions: StsSessions,
    private readonly propagation?: AttachmentPropagation,
  ) {}

  // ---------------------------------------------------------------- authentication

  lookupKey(accessKeyId: string, securityToken: string | undefined, now: Date): KeyLookup {
    return lookupKey(this.ram, this.sessions, accessKeyId, securityToken, now);
  }

  // ---------------------------------------------------------------- authorization

  isAllowed(principal: Principal, action: string, resource: string, context: AuthzContext): boolean {
    return this.allowsAll(principal, action, [resource], context);
  }

  allowsAll(principal: Principal, action: string, resources: readonly string[], ctx: AuthzContext, options: AuthorizeOptions = {}): boolean {
    if (resources.length === 0) return false;
    if (options.crossAccount !== true && resources.some((r) => this.foreign(principal, r))) return false;
    if (principal.kind === 'root') return options.crossAccount !== true && this.ram.getAccount(principal.accountId) !== undefined;
    const sets = this.policySets(principal, ctx.currentTime.getTime());
    if (sets === undefined) return false;
    const context = this.conditionContext(ctx);
    // Every set must allow every resource: for a role session the role's policies AND the session policy.
    return resources.every((resource) => sets.every((set) => evaluatePolicies(set, { action, resource, context }) === 'Allow'));
  }

  /** Does the role's trust policy admit the caller (a RAM identity, or a cloud service)? */
  trustAdmits(role: RoleRecord, caller: TrustCaller, ctx: AuthzContext): boolean {
    const trust = this.doc(role.assumeRolePolicyDocument, 'trust');
    if (!trust) return false;
    // A service acts for the account whose resource it runs (FC: the function's, which is the role's).
    const who = caller.kind === 'service' ? { service: caller.service, onBehalfOf: arnAccount(role.arn) ?? '' } : { arn: caller.principal.arn };
    return evaluateTrust(trust, { roleArn: role.arn, caller: who, context: this.conditionContext(ctx) }) === 'Allow';
  }

  /** Forget parsed documents (the state itself is reset by its owners). */
  reset(): void {
    this.parsed.clear();
  }

  // ---------------------------------------------------------------- internals

  /** A resource of an account other than the caller's (system policies belong to nobody). */
  private foreign(principal: Principal, resource: string): boolean {
    const account = arnAccount(resource);
    return account !== undefined && account !== '' && account !== '*' && account !== SYSTEM_ACCOUNT && account !== principal.accountId;
  }

  /**
   * The policy sets that must each allow a request: one set for a user (its and its groups'
   * policies), two for a role session with a session policy. Undefined if the identity is gone.
   */
  private policySets(principal: Principal, atMs: number): ParsedPolicy[][] | undefined {
    if (principal.kind === 'user') {
      const texts = this.ram.userPolicyDocuments(principal.accountId, principal.name ?? '');
      return texts === undefined ? undefined : [this.docs(texts)];
    }
    if (principal.kind === 'assumed-role') {
      const s = this.sessions.get(principal.accessKeyId);
      if (!s) return undefined;
      const role = this.ram.findRole(s.accountId, s.roleName);
      if (!role || role.roleId !== s.roleId) return undefined;
      const documents = this.propagation?.attachmentsSeenAt(role.roleId, atMs) ?? this.ram.rolePolicyDocuments(role, s.accountId);
      const sets = [this.docs(documents)];
      if (s.policy !== undefined) {
        const sp = this.doc(s.policy, 'session');
        if (!sp) return undefined;
        sets.push([sp]);
      }
      return sets;
    }
    return undefined;
  }

  private docs(texts: readonly string[]): ParsedPolicy[] {
    const out: ParsedPolicy[] = [];
    for (const t of texts) {
      const d = this.doc(t, 'identity');
      if (d) out.push(d);
    }
    return out;
  }

  private doc(text: string, kind: PolicyKind): ParsedPolicy | undefined {
    const key = `${kind}:${text}`;
    let d = this.parsed.get(key);
    if (d === undefined) {
      try {
        // No size limit here: stored documents were checked on write, by their own limits.
        d = parsePolicy(text, kind, 'policy', Number.MAX_SAFE_INTEGER);
      } catch {
        // An unparsable stored document (older grammar) grants nothing.
        return undefined;
      }
      if (this.parsed.size > PARSED_CACHE_LIMIT) this.parsed.clear();
      this.parsed.set(key, d);
    }
    return d;
  }

  private conditionContext(ctx: AuthzContext): Context {
    return { 'acs:CurrentTime': isoSeconds(ctx.currentTime), 'acs:SourceIp': normalizeIp(ctx.sourceIp), ...ctx.extra };
  }
}

/**
 * Deciding a request against policies.
 *
 * Sources:
 * - Policy evaluation process (AlibabaCloudDocs/ram intl.en-US/Policy Management/Policy language/Policy
 *   evaluation process.md; listed today as "How RAM evaluates policies" under help.aliyun.com/en/ram/policy-language/):
 *   the basic process is "checks whether a policy ... includes a Deny statement ... Explicit Deny is
 *   returned", else "includes an Allow statement ... Allow is returned", else "Implicit Deny"; session
 *   policies are evaluated first and "If Explicit Deny or Implicit Deny is returned, the evaluation ends".
 * - Policy evaluation process of assuming a RAM role (same repo): the caller's identity decision (A) and
 *   the role's trust policy decision (B) combine as "If an explicit deny exists, the final decision is
 *   Explicit Deny. If Decision A and Decision B are both allowed, the final decision is Allow" else
 *   Implicit Deny.
 * - Policy elements: Action values are "not case-sensitive" in most cases (www.alibabacloud.com/help/en/ram/policy-elements).
 *
 * One request names one action on one resource. An API call that touches several resources is
 * authorized by decideAll(), which requires Allow for each.
 *
 * Case of resources and principals: the docs say nothing. A statement's reach is therefore read
 * narrowly for Allow and broadly for Deny, so the local cloud never allows what the real cloud might
 * deny: Resource and Principal match in exact case in an Allow and in any case in a Deny; NotResource
 * the other way round (an Allow covers only resources that match no listed pattern in any case).
 * Actions match in any case for both effects, as documented.
 */
import { conditionsHold, type ConditionContext, type Effect } from './conditions';
import type { PatternSet, Policy, Statement } from './document';
import { principalMatches, type TrustCaller } from './principals';
import { wildcardMatch } from './wildcard';

export type Decision = 'Allow' | 'ExplicitDeny' | 'ImplicitDeny';

interface AccessRequest {
  /** `<service>:<Action>`, e.g. `ram:CreateRole`. */
  readonly action: string;
  /** The ARN the action is authorized on, e.g. `acs:ram:*:1511928242963727:role/crossrole-x`. */
  readonly resource: string;
  readonly context: ConditionContext;
}

interface TrustRequest {
  /** The role being assumed, `acs:ram::<account-id>:role/<name>`. */
  readonly roleArn: string;
  readonly caller: TrustCaller;
  /** Condition keys of the AssumeRole call: acs:CurrentTime, acs:SourceIp, sts:ExternalId ... */
  readonly context: ConditionContext;
}

/** Trust policies authorize exactly this action. */
const ASSUME_ROLE_ACTION = 'sts:AssumeRole';

function covers(set: PatternSet, value: string, fold: boolean): boolean {
  const hit = set.patterns.some((p) => wildcardMatch(p, value, fold));
  return set.negated ? !hit : hit;
}

/** Case-insensitive where the reading is broad: a Deny's Resource, an Allow's NotResource. */
const foldResource = (effect: Effect, set: PatternSet): boolean => (effect === 'Deny') !== set.negated;

function applies(s: Statement, action: string, resource: string, context: ConditionContext): boolean {
  return covers(s.action, action, true)
    && (s.resource === undefined || covers(s.resource, resource, foldResource(s.effect, s.resource)))
    && conditionsHold(s.conditions, context, s.effect);
}

function basic(statements: Iterable<Statement>, matches: (s: Statement) => boolean): Decision {
  let allowed = false;
  for (const s of statements) {
    if (!matches(s)) continue;
    if (s.effect === 'Deny') return 'ExplicitDeny';
    allowed = true;
  }
  return allowed ? 'Allow' : 'ImplicitDeny';
}

function* statementsOf(policies: readonly Policy[], kinds: ReadonlySet<Policy['kind']>): Generator<Statement> {
  for (const p of policies) {
    if (!kinds.has(p.kind)) throw new TypeError(`decide() takes identity or session policies, not a ${p.kind} policy`);
    yield* p.statements;
  }
}

const PERMISSION_KINDS: ReadonlySet<Policy['kind']> = new Set(['identity', 'session']);

/** The basic evaluation over a set of permission policies (a user's, group's or role's, taken together). */
export function decide(policies: readonly Policy[], req: AccessRequest): Decision {
  return basic(statementsOf(policies, PERMISSION_KINDS), (s) => applies(s, req.action, req.resource, req.context));
}

/**
 * One action on several resources (or on several spellings of one resource, such as
 * `acs:ram::<uid>:role/x` and `acs:ram:*:<uid>:role/x`): Allow only if every resource is allowed,
 * ExplicitDeny if any is explicitly denied, else ImplicitDeny. Never looser than any single answer.
 */
export function decideAll(policies: readonly Policy[], action: string, resources: readonly string[], context: ConditionContext): Decision {
  if (resources.length === 0) throw new TypeError('decideAll() needs at least one resource');
  const answers = resources.map((resource) => decide(policies, { action, resource, context }));
  if (answers.includes('ExplicitDeny')) return 'ExplicitDeny';
  return answers.every((a) => a === 'Allow') ? 'Allow' : 'ImplicitDeny';
}

/**
 * A role session's permission: the session policy (AssumeRole `Policy`), if any, is evaluated first and
 * must Allow; then the role's own policies decide. The result never exceeds either.
 */
export function decideWithSession(identity: readonly Policy[], session: Policy | undefined, req: AccessRequest): Decision {
  if (session !== undefined) {
    const first = decide([session], req);
    if (first !== 'Allow') return first;
  }
  return decide(identity, req);
}

const ROLE_ARN = /^acs:ram::(\d+):role\/[^/]+$/;

/** Decision B for AssumeRole: does the role's trust policy let this caller in? */
export function decideTrust(trust: Policy, req: TrustRequest): Decision {
  if (trust.kind !== 'trust') throw new TypeError(`decideTrust() takes a trust policy, not a ${trust.kind} policy`);
  const roleAccountId = ROLE_ARN.exec(req.roleArn)?.[1];
  if (roleAccountId === undefined) return 'ImplicitDeny';
  return basic(trust.statements, (s) => {
    const fold = s.effect === 'Deny';
    return (s.principal ?? []).some((ref) => principalMatches(ref, req.caller, roleAccountId, fold))
      && applies(s, ASSUME_ROLE_ACTION, req.roleArn, req.context);
  });
}

/**
 * AssumeRole's final decision from the caller's own permission to call sts:AssumeRole on the role
 * (Decision A: decide() or decideWithSession() over the caller's policies) and decideTrust() (Decision B).
 */
export function combineAssumeRole(identity: Decision, trust: Decision): Decision {
  if (identity === 'ExplicitDeny' || trust === 'ExplicitDeny') return 'ExplicitDeny';
  return identity === 'Allow' && trust === 'Allow' ? 'Allow' : 'ImplicitDeny';
}

/**
 * The RAM policy evaluator shared by the guardrails and the local cloud.
 * An explicit Deny in any applicable statement wins; otherwise any applicable Allow allows;
 * otherwise the request is implicitly denied. A statement applies when its action, resource,
 * principal (trust policies) and every condition match.
 */
import { conditionValues, isConditionOperator, testCondition } from './conditions';
import { asList, type PolicyDocument, type PolicyPrincipal, type Statement } from './policy-document';
import { matchesWildcard } from './wildcard';

export type Decision = 'Allow' | 'ExplicitDeny' | 'ImplicitDeny';

export interface EvalPrincipal {
  /** The caller's ARN: `acs:ram::<uid>:root`, `:user/<n>`, `:role/<n>` or `:assumed-role/<role>/<session>`. */
  arn: string;
  accountId: string;
  /** Set when the caller is a cloud service (e.g. `fc.aliyuncs.com`), not a RAM identity. */
  service?: string;
}

export interface EvalRequest {
  /** `<service>:<Action>`, e.g. `sts:AssumeRole`. */
  action: string;
  /** The resource ARN. Omitted: the request has no resource dimension and Resource/NotResource are not consulted. */
  resource?: string;
  /** The caller; only trust-policy statements (those with Principal) look at it. */
  principal?: EvalPrincipal;
  /** Condition keys (case-insensitive): `acs:CurrentTime`, `acs:SourceIp`, `sts:ExternalId`, … */
  context: Record<string, string | string[] | undefined>;
}

type Context = Map<string, string[]>;

function normalizeContext(context: EvalRequest['context']): Context {
  const out: Context = new Map();
  for (const [k, v] of Object.entries(context)) {
    if (v === undefined) continue;
    const values = Array.isArray(v) ? v : [v];
    // An empty multi-value key is as good as absent.
    if (values.length > 0) out.set(k.toLowerCase(), [...(out.get(k.toLowerCase()) ?? []), ...values]);
  }
  return out;
}

function actionMatches(s: Statement, action: string): boolean {
  if (s.Action !== undefined) return asList(s.Action).some((p) => matchesWildcard(p, action, true));
  if (s.NotAction !== undefined) return !asList(s.NotAction).some((p) => matchesWildcard(p, action, true));
  return false;
}

function resourceMatches(s: Statement, resource: string | undefined): boolean {
  if (resource === undefined) return true;
  if (s.Resource !== undefined) return asList(s.Resource).some((p) => matchesWildcard(p, resource));
  if (s.NotResource !== undefined) return !asList(s.NotResource).some((p) => matchesWildcard(p, resource));
  // Trust policies usually have no Resource: the role itself is the resource.
  return true;
}

const RAM_ARN = /^acs:ram::(\d{16}):(.+)$/i;

/** Does one `Principal.RAM` entry designate the caller? */
export function ramPrincipalMatches(entry: string, p: EvalPrincipal): boolean {
  // A service acting on its own behalf is not an identity of any account.
  if (p.service !== undefined) return false;
  if (entry === '*') return true;
  // A bare account ID and the account's root both mean "any identity of that account".
  if (/^\d{16}$/.test(entry)) return entry === p.accountId;
  const e = RAM_ARN.exec(entry);
  if (!e || e[1] !== p.accountId) return false;
  const what = e[2] ?? '';
  if (what.toLowerCase() === 'root') return true;
  const c = RAM_ARN.exec(p.arn);
  if (!c || c[1] !== p.accountId) return false;
  const who = c[2] ?? '';
  const role = /^role\/([^/]+)$/i.exec(what);
  if (role) {
    // A trusted role is the caller both as itself and as any session of it; role names are case-insensitive.
    const name = (role[1] ?? '').toLowerCase();
    const callerRole = /^(?:role\/([^/]+)|assumed-role\/([^/]+)\/[^/]+)$/i.exec(who);
    return callerRole !== null && (callerRole[1] ?? callerRole[2] ?? '').toLowerCase() === name;
  }
  return what === who;
}

function principalMatches(principal: PolicyPrincipal | undefined, p: EvalPrincipal | undefined): boolean {
  if (principal === undefined) return true;
  if (p === undefined || typeof principal !== 'object' || principal === null) return false;
  if (asList(principal.RAM).some((entry) => ramPrincipalMatches(entry, p))) return true;
  if (p.service !== undefined && asList(principal.Service).some((svc) => svc === '*' || svc.toLowerCase() === (p.service ?? '').toLowerCase())) return true;
  return asList(principal.Federated).some((idp) => idp === p.arn);
}

/**
 * Do the statement's conditions hold? Operators and keys are ANDed, values ORed.
 * An operator this evaluator does not know fails closed: it never lets an Allow apply, and
 * always lets a Deny apply.
 */
function conditionsHold(s: Statement, ctx: Context): boolean {
  if (s.Condition === undefined) return true;
  for (const [op, block] of Object.entries(s.Condition)) {
    if (!isConditionOperator(op) || typeof block !== 'object' || block === null) return s.Effect === 'Deny';
    for (const [key, value] of Object.entries(block)) {
      if (!testCondition(op, conditionValues(value), ctx.get(key.toLowerCase()))) return false;
    }
  }
  return true;
}

function applies(s: Statement, request: EvalRequest, ctx: Context): boolean {
  return actionMatches(s, request.action) && resourceMatches(s, request.resource) && principalMatches(s.Principal, request.principal) && conditionsHold(s, ctx);
}

/** Does this one statement apply to the request (whatever its Effect)? */
export function statementApplies(statement: Statement, request: EvalRequest): boolean {
  return applies(statement, request, normalizeContext(request.context));
}

export function evaluate(policies: readonly PolicyDocument[], request: EvalRequest): Decision {
  const ctx = normalizeContext(request.context);
  let allowed = false;
  for (const policy of policies) {
    for (const s of policy.Statement) {
      if (!applies(s, request, ctx)) continue;
      if (s.Effect === 'Deny') return 'ExplicitDeny';
      if (s.Effect === 'Allow') allowed = true;
    }
  }
  return allowed ? 'Allow' : 'ImplicitDeny';
}

export function isAllowed(policies: readonly PolicyDocument[], request: EvalRequest): boolean {
  return evaluate(policies, request) === 'Allow';
}

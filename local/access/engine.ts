/**
 * The ONE door of the local cloud to a policy engine: every parse and every evaluation of a RAM
 * policy document in local/ goes through this module, and the engine behind it is the local
 * cloud's own (./policy), written from Alibaba Cloud's documentation. It shares nothing with the
 * product's policy code (shared/policy), so it can catch the product's mistakes instead of
 * repeating them (local/COVERAGE.md, "Authorization").
 */
import {
  decide,
  decideTrust as decideTrustPolicy,
  parsePolicy as parseDocument,
  PolicyGrammarError as EngineGrammarError,
  type ConditionContext,
  type Decision,
  type Policy,
  type PolicyKind,
  type TrustCaller,
} from './policy';

/** A parsed, validated policy document (opaque to callers). */
export type ParsedPolicy = Policy;
type PolicyDecision = Decision;
export type { PolicyKind };

/** Condition keys of a request: `acs:CurrentTime`, `acs:SourceIp`, `sts:ExternalId`, … */
export type PolicyContext = ConditionContext;

/** The document does not follow RAM's policy grammar; `message` says where. */
export class PolicyGrammarError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PolicyGrammarError';
  }
}

/**
 * Parse and validate a policy document; `field` names the request parameter in messages. Size
 * limits are the caller's (each API has its own, in characters or bytes); `maxLength` is a guard.
 * @throws PolicyGrammarError
 */
export function parsePolicy(text: string, kind: PolicyKind, field: string, maxLength?: number): ParsedPolicy {
  if (maxLength !== undefined && text.length > maxLength) throw new PolicyGrammarError(`${field}: longer than ${maxLength} characters`);
  try {
    return parseDocument(text, kind);
  } catch (e: unknown) {
    if (e instanceof EngineGrammarError) throw new PolicyGrammarError(`${field}: ${e.message}`);
    throw e;
  }
}

/** RAM's evaluation of identity (or session) policies for one action on one resource. */
export function evaluatePolicies(policies: readonly ParsedPolicy[], request: { action: string; resource: string; context: PolicyContext }): PolicyDecision {
  return decide(policies, request);
}

/** Does a role's trust policy admit the caller for sts:AssumeRole? */
export function evaluateTrust(trust: ParsedPolicy, request: { roleArn: string; caller: TrustCaller; context: PolicyContext }): PolicyDecision {
  return decideTrustPolicy(trust, request);
}

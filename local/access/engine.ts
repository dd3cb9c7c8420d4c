/**
 * The ONE door of the local cloud to a policy engine: every parse and every evaluation of a RAM
 * policy document in local/ goes through this module and nothing else imports a policy engine.
 *
 * For now it adapts the product's evaluator (`shared/policy`). That is a stopgap: a witness
 * that shares the product's understanding of RAM policies cannot catch the product's mistakes.
 * The lead replaces this single file with the emulator's own engine at merge; the surface below
 * (`parsePolicy`, `evaluatePolicies`, `PolicyGrammarError`, the types) is what it must provide.
 */
import { evaluate, parsePolicyDocument, type PolicyDocument } from '../../shared/policy';

/** A parsed, validated policy document (opaque to callers). */
export type ParsedPolicy = PolicyDocument;

export type PolicyDecision = 'Allow' | 'ExplicitDeny' | 'ImplicitDeny';

/**
 * What a document is for: an identity policy (users, groups, roles), a role's trust policy
 * (Principal required, Resource optional), or an STS session policy (2,048 characters at most).
 */
export type PolicyKind = 'identity' | 'trust' | 'session';

export interface PolicyRequest {
  /** `<service>:<Action>`, e.g. `ram:AttachPolicyToRole`. */
  action: string;
  /** The resource ARN as RAM checks it. Omitted for trust policies (the role itself). */
  resource?: string;
  /** The caller, for trust policies only. `service` is set for a cloud service principal. */
  principal?: { arn: string; accountId: string; service?: string };
  /** Condition keys: `acs:CurrentTime`, `acs:SourceIp`, `sts:ExternalId`, … */
  context: Record<string, string | string[] | undefined>;
}

/** The document does not follow RAM's policy grammar; `message` says where. */
export class PolicyGrammarError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PolicyGrammarError';
  }
}

/**
 * Parse and validate a policy document. `field` names the request parameter in messages.
 * @throws PolicyGrammarError
 */
export function parsePolicy(text: string, kind: PolicyKind, field: string, maxLength?: number): ParsedPolicy {
  try {
    return parsePolicyDocument(text, field, {
      ...(kind === 'trust' ? { trust: true } : {}),
      ...(maxLength === undefined ? {} : { maxLength }),
    });
  } catch (e: unknown) {
    throw new PolicyGrammarError(e instanceof Error ? e.message : String(e));
  }
}

/** RAM's evaluation over a set of documents: an explicit Deny wins, else any Allow, else implicit deny. */
export function evaluatePolicies(policies: readonly ParsedPolicy[], request: PolicyRequest): PolicyDecision {
  return evaluate(policies, request);
}

/**
 * The local cloud's own RAM policy engine: grammar check and authorization decisions, written from
 * Alibaba Cloud's documentation and independent of the product's evaluator (it imports nothing outside
 * this folder), so that it can catch the product's mistakes instead of sharing them.
 *
 * Documentation it is built from (each module cites the passages it follows):
 * - Policy structure and syntax  www.alibabacloud.com/help/en/ram/policy-structure-and-syntax
 * - Policy elements              www.alibabacloud.com/help/en/ram/policy-elements
 * - Conditional operators        www.alibabacloud.com/help/en/ram/conditional-operator
 * - Policy evaluation process, and the one for assuming a role (AlibabaCloudDocs/ram, Policy language/)
 * - Modify the trust policy of a RAM role  help.aliyun.com/en/ram/user-guide/edit-the-trust-policy-of-a-ram-role
 * - Use ExternalId to prevent the confused deputy problem  alibabacloud.com/help/zh/ram/use-cases/use-externalid-to-prevent-the-confused-deputy-problem
 *
 * Where the docs are silent the engine is stricter, per effect: an Allow reads narrowly and a Deny
 * broadly (case of resources, principals and condition keys; negated operators on missing keys;
 * request values of the wrong type; multi-valued keys). See conditions.ts and evaluate.ts.
 *
 * It imports nothing outside this folder (test/unit/local-access/isolation.test.ts); in local/ only
 * ../engine.ts imports it, the one door every parse and evaluation goes through.
 *
 * How the local cloud wires it in
 * -------------------------------
 * This index exports what ../engine.ts calls; the other functions named below are in evaluate.ts
 * (decideWithSession, decideAll, combineAssumeRole, ASSUME_ROLE_ACTION) and limits.ts (POLICY_LIMITS).
 * 1. Accepting a document (CreatePolicy, CreatePolicyVersion, CreateRole, UpdateRole, AssumeRole's Policy):
 *      if (text.length > POLICY_LIMITS.customPolicyChars) -> the API's own length error
 *      try { parsePolicy(text, 'identity' | 'trust' | 'session') }
 *      catch (e) { if (e instanceof PolicyGrammarError) -> RAM `MalformedPolicyDocument`
 *                  (STS: `InvalidParameter.PolicyGrammar`), message from e.message }
 *    Parse once when stored and keep the Policy; parsing is pure, so a cache by text is safe.
 * 2. Authorizing a RAM user's or role's call (one resource):
 *      decide(policiesOfUserAndGroups, { action: 'ram:CreateRole', resource: arn, context })
 *    A role session with a session policy: decideWithSession(rolePolicies, sessionPolicy, req).
 *    Several resources, or several spellings of one ARN (RAM's role ARN with and without the `*` region):
 *      decideAll(policies, action, [arn1, arn2], context) === 'Allow' (every one allowed, no Deny on any).
 *    The account's root identity is not evaluated at all, as local/iam does today.
 * 3. AssumeRole by a RAM user or role:
 *      const a = decide(callerPolicies, { action: ASSUME_ROLE_ACTION, resource: roleArn, context })
 *                (decideWithSession if the caller is itself a session with a session policy)
 *      const b = decideTrust(trustPolicy, { roleArn, caller: { arn: callerArn }, context: { ...context, 'sts:ExternalId': externalId } })
 *      combineAssumeRole(a, b) === 'Allow'
 *    The STS handler refuses a root caller before any of this (AssumeRole: the caller "can only be a
 *    RAM user or RAM role"). Omit 'sts:ExternalId' from the context when the call carries none.
 *    A service assuming a role (FC starting a function) has no identity policies:
 *      decideTrust(trustPolicy, { roleArn, caller: { service: 'fc.aliyuncs.com', onBehalfOf: functionAccountId }, context })
 * 4. The context: condition keys in their canonical spelling, values as strings:
 *      'acs:CurrentTime': '2026-01-02T03:04:05Z' (ISO 8601, UTC), 'acs:SourceIp': '203.0.113.7',
 *      'acs:SecureTransport': 'true' | 'false', 'acs:MFAPresent': 'true' | 'false', 'sts:ExternalId': '...'.
 *    Leave a key out (or undefined) when the request does not carry it.
 */
export { PolicyGrammarError } from './errors';
export { parsePolicy, type Policy, type PolicyKind } from './document';
export type { ConditionContext } from './conditions';
export type { TrustCaller } from './principals';
export { decide, decideTrust, type Decision } from './evaluate';

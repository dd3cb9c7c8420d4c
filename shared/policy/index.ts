/**
 * shared/policy: the RAM policy documents Crossrole writes (trust, expiry guard, partner step 2,
 * the execution role's), their grammar check and size limits, the guardrails and privilege rules
 * over a small action/resource matcher (not an evaluator), and the System policy table. Pure like
 * shared/domain, which is all it imports. The product may import it; the local cloud's services may
 * not (they judge these documents with their own engine, local/access/policy).
 */
export * from './limits';
export * from './json-text';
export * from './policy-document';
export { grants } from './matcher';
export * from './trust-policy';
export * from './guard-policy';
export * from './partner-policy';
export * from './guardrails';
export * from './exec-role-policy';
export * from './system-policies';
export * from './privilege';
export * from './catalog-check';
export * from './approver-policy';
export * from './exec-role-trust';
export * from './policy-diff';

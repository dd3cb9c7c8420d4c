/**
 * shared/policy: the RAM policy documents Crossrole writes (trust, expiry guard, partner step 2,
 * the execution role's), their grammar check and size limits, the guardrails and privilege rules
 * over a small action/resource matcher (not an evaluator), and the System policy table. Pure like
 * shared/domain, which is all it imports. The product may import it; the local cloud's services may
 * not (they judge these documents with their own engine, local/access/policy).
 */
export { parseExternalId, buildTrustPolicy, removeTrustedPartner, trustedAccounts, ownerOnlyTrustPolicy, trustsBeyondOwner, sameTrustPolicy } from './trust-policy';
export { buildGuardPolicy } from './guard-policy';
export { buildPartnerPolicy } from './partner-policy';
export { checkCatalogGuardrails } from './guardrails';
export { sameDocument } from './policy-document';
export type { PolicyClassification, CatalogProblem } from './privilege';
export { checkCatalogDocument, type ProfileReport, type CatalogReport } from './catalog-check';

/**
 * RAM/STS size limits for policy documents (www.alibabacloud.com/help/en/ram/product-overview/limits;
 * alibabacloud.com/help/en/ram/api-assumerole).
 * Lengths are counted in UTF-8 bytes of the JSON text as sent: CreatePolicy documents the
 * limit in characters and CreatePolicyVersion in bytes, and bytes is never the looser of the two.
 */

/** Custom permission policy (CreatePolicy / CreatePolicyVersion `PolicyDocument`). */
export const MAX_POLICY_LENGTH = 6144;

/**
 * Trust policy (CreateRole `AssumeRolePolicyDocument`). RAM's limit is UNCONFIRMED in the reference;
 * 2,048 (the old `PolicySizeQuota` and the STS session-policy limit) is the conservative choice:
 * a document that passes here cannot be rejected by a larger real limit.
 */
export const MAX_TRUST_POLICY_LENGTH = 2048;

/** STS AssumeRole `ExternalId`: 2–1,224 characters of `[\w+=,.@:\/-]`. */
export const EXTERNAL_ID_MIN_LENGTH = 2;
export const EXTERNAL_ID_MAX_LENGTH = 1224;
export const EXTERNAL_ID_PATTERN = /^[\w+=,.@:/-]*$/;

/** Byte length of `text` in UTF-8, the unit the size limits are checked in. */
export function policyTextLength(text: string): number {
  return new TextEncoder().encode(text).length;
}

/**
 * Names of the RAM policies Crossrole creates in the owner account. They live in the domain because
 * two layers must agree on them: the workflow creates and attaches these policies, and the
 * functions' execution-role policy (shared/policy/exec-role-policy.ts) must name exactly them.
 */

/** Everything Crossrole creates in RAM starts with this: it marks the resource as ours. */
const CROSSROLE_PREFIX = 'crossrole-';
/** The per-grant expiry guards (see shared/policy/guard-policy.ts). */
export const GUARD_POLICY_PREFIX = 'crossrole-guard-';

/** RAM policy names: 1–128 letters, digits and "-" (CreatePolicyRequest of @alicloud/ram20150501). */
const MAX_POLICY_NAME = 128;

/** Small, stable, non-cryptographic hash (FNV-1a, 32 bits) to keep long names unique. */
function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

/**
 * A profile's custom policy, created once in the owner account and shared by all grants of the
 * profile: `crossrole-<profile>-<policy name>`. Scoped by profile so that two profiles may reuse a
 * policy name with different documents. Names over RAM's 128 characters are cut and suffixed with
 * a hash of the full name, which keeps them unique and stable.
 */
export function sharedPolicyName(profileName: string, policyName: string): string {
  const full = `${CROSSROLE_PREFIX}${profileName}-${policyName}`;
  if (full.length <= MAX_POLICY_NAME) return full;
  return `${full.slice(0, MAX_POLICY_NAME - 9)}-${fnv1a(full)}`;
}

/**
 * Names of the RAM resources a grant owns, and the tags that prove ownership.
 * Everything is `crossrole-*`: the functions' own role may only touch such names (s.yaml).
 */
import { defaultRoleName, shortId } from '../../domain/access-request';
import type { Profile, ProfilePolicy } from '../../domain/catalog';
import { ValidationError } from '../../domain/errors';
import { parseRoleName } from '../../domain/identifiers';
import { sharedPolicyName } from '../../domain/policy-names';
import type { PolicyRef } from '../../domain/ports';

export const NAME_PREFIX = 'crossrole-';
const GUARD_PREFIX = 'crossrole-guard-';

export const Tag = {
  REQUEST_ID: 'crossrole:request-id',
  PARTNER: 'crossrole:partner',
  EXPIRES_AT: 'crossrole:expires-at',
  MANAGED: 'crossrole:managed',
} as const;

const MAX_ROLE_NAME = 64;
/** A `-`/`.`-delimited run of 12 hex digits: the shape of a short request id. */
const SHORT_ID_SEGMENT = /(^|[-.])[0-9a-f]{12}([-.]|$)/;

/**
 * The role a request will create.
 * - Requested name: validated by parseRoleName, lower-cased (RAM role names are case-insensitive,
 *   and lower case keeps the ARN we print equal to the one RAM matches), then prefixed with
 *   `crossrole-` unless it already starts with it: the prefix is what the functions' least-privilege
 *   role may touch and what marks the role as ours, so a partner can never name a role outside it.
 *   The result must still fit RAM's 64 characters, and must not contain a segment shaped like a
 *   short request id (12 hex digits), which is reserved for generated names: otherwise a partner
 *   could pre-empt the name of somebody else's future grant and make its provisioning fail.
 * - No requested name: the profile's template (`{id}` -> short id), else `crossrole-<short id>`.
 */
export function grantRoleName(requested: string | undefined, profile: Pick<Profile, 'roleNameTemplate'>, id: string): string {
  if (requested !== undefined) {
    const lower = parseRoleName(requested).toLowerCase();
    const name = lower.startsWith(NAME_PREFIX) ? lower : `${NAME_PREFIX}${lower}`;
    if (name.length === NAME_PREFIX.length) throw new ValidationError('INVALID_ROLE_NAME', 'roleName', `needs a name after "${NAME_PREFIX}"`);
    if (name.length > MAX_ROLE_NAME) throw new ValidationError('INVALID_ROLE_NAME', 'roleName', `"${name}" is longer than ${MAX_ROLE_NAME} characters with the "${NAME_PREFIX}" prefix`);
    if (SHORT_ID_SEGMENT.test(name.slice(NAME_PREFIX.length))) {
      throw new ValidationError('INVALID_ROLE_NAME', 'roleName', 'a segment of 12 hex digits is reserved for generated role names');
    }
    return name;
  }
  if (profile.roleNameTemplate !== undefined) {
    return parseRoleName(profile.roleNameTemplate.split('{id}').join(shortId(id)), 'profiles.roleNameTemplate').toLowerCase();
  }
  return defaultRoleName(id);
}

/** The RAM policy a catalog entry attaches: system policies by name, custom ones by shared name. */
export function policyRefOf(profileName: string, policy: ProfilePolicy): PolicyRef {
  return policy.type === 'System' ? { type: 'System', name: policy.name } : { type: 'Custom', name: sharedPolicyName(profileName, policy.name) };
}

export function isGuardPolicy(ref: PolicyRef): boolean {
  return ref.type === 'Custom' && ref.name.toLowerCase().startsWith(GUARD_PREFIX);
}

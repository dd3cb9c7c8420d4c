/**
 * The catalog/config document: who owns, who approves, who may ask, and what can be granted.
 * Validated once at cold start; every error names the offending field (e.g. `profiles[1].maxDuration`).
 */
import { z } from 'zod/v3';
import { ValidationError, errorMessage } from './errors';
import { parseDuration } from './duration';
import { isAccountId, parsePrincipalArn } from './identifiers';
import { formatPath } from './validation';

const accountId = z.string().refine(isAccountId, { message: 'must be a 16-digit account ID' });
const durationText = z.string().superRefine((v, ctx) => {
  try {
    parseDuration(v);
  } catch (e) {
    ctx.addIssue({ code: 'custom', message: errorMessage(e).replace(/^duration: /, '') });
  }
});
const principalArn = z.string().superRefine((v, ctx) => {
  try {
    parsePrincipalArn(v);
  } catch (e) {
    ctx.addIssue({ code: 'custom', message: errorMessage(e).replace(/^arn: /, '') });
  }
});

const systemPolicy = z.strictObject({
  type: z.literal('System'),
  name: z.string().regex(/^[A-Za-z0-9-]{1,128}$/, 'must be a RAM policy name'),
});
const customPolicy = z.strictObject({
  type: z.literal('Custom'),
  /** Created once in the owner account as `crossrole-<name>`, shared by all grants of the profile. */
  name: z.string().regex(/^[A-Za-z0-9-]{1,100}$/, 'must be 1–100 letters, digits or "-"'),
  /** The policy document, as an object (checked by the guardrails). */
  document: z.record(z.string(), z.unknown()),
});

const profile = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,47}$/, 'must be 1–48 lowercase letters, digits or "-"'),
  description: z.string().max(500).optional(),
  policies: z.array(z.discriminatedUnion('type', [systemPolicy, customPolicy])).min(1).max(5),
  maxDuration: durationText,
  autoApprove: z.boolean().default(false),
  privileged: z.boolean().default(false),
  /** Role name template; `{id}` is replaced by the short request id. Must keep the `crossrole-` prefix. */
  roleNameTemplate: z.string().regex(/^crossrole-[A-Za-z0-9.{}-]*\{id\}[A-Za-z0-9.{}-]*$/, 'must start with "crossrole-" and contain "{id}"').optional(),
});

export const catalogSchema = z.strictObject({
  ownerAccountId: accountId,
  approvers: z.array(principalArn).min(1),
  partners: z.union([z.literal('open'), z.array(accountId).min(1)]),
  pendingTtl: durationText.default('72h'),
  /**
   * How long a trust-mode revocation stays reversible: after that the scan deletes the role and its
   * guard policy, so revoked grants do not use up the account's RAM role quota (~1,000) for ever.
   */
  revokedRoleRetention: durationText.default('7d'),
  profiles: z.array(profile).min(1),
});

export type CatalogInput = z.input<typeof catalogSchema>;
type ParsedCatalog = z.output<typeof catalogSchema>;
export type Profile = ParsedCatalog['profiles'][number];
export type ProfilePolicy = Profile['policies'][number];

export interface Catalog extends Omit<ParsedCatalog, 'pendingTtl' | 'revokedRoleRetention' | 'profiles'> {
  pendingTtlSeconds: number;
  revokedRoleRetentionSeconds: number;
  profiles: Array<Profile & { maxDurationSeconds: number }>;
}

/** An unknown key is reported at the key itself (`profiles[1].maxDurationHours`), not at its parent object. */
function issuePath(issue: z.ZodIssue): ReadonlyArray<PropertyKey> {
  if (issue.code === 'unrecognized_keys' && issue.keys.length > 0) return [...issue.path, issue.keys[0] as string];
  return issue.path;
}

/** Parse and validate a catalog. Throws a ValidationError (code INVALID_CONFIG) naming the first bad field. */
export function parseCatalog(input: unknown): Catalog {
  const r = catalogSchema.safeParse(input);
  if (!r.success) {
    const issue = r.error.issues[0];
    const field = issue ? formatPath(issuePath(issue)) : '(root)';
    throw new ValidationError('INVALID_CONFIG', field, issue?.message ?? 'invalid', { details: { issues: r.error.issues.map((i) => ({ field: formatPath(issuePath(i)), message: i.message })) } });
  }
  const c = r.data;
  const names = new Set<string>();
  c.profiles.forEach((p, i) => {
    if (names.has(p.name)) throw new ValidationError('INVALID_CONFIG', `profiles[${i}].name`, `duplicate profile "${p.name}"`);
    names.add(p.name);
  });
  c.approvers.forEach((a, i) => {
    const p = parsePrincipalArn(a, `approvers[${i}]`);
    if (p.accountId !== c.ownerAccountId) throw new ValidationError('INVALID_CONFIG', `approvers[${i}]`, 'approvers must belong to the owner account');
  });
  if (Array.isArray(c.partners) && c.partners.includes(c.ownerAccountId)) {
    throw new ValidationError('INVALID_CONFIG', 'partners', 'the owner account cannot be its own partner');
  }
  return {
    ownerAccountId: c.ownerAccountId,
    approvers: c.approvers,
    partners: c.partners,
    pendingTtlSeconds: parseDuration(c.pendingTtl, 'pendingTtl'),
    revokedRoleRetentionSeconds: parseDuration(c.revokedRoleRetention, 'revokedRoleRetention'),
    profiles: c.profiles.map((p) => ({ ...p, maxDurationSeconds: parseDuration(p.maxDuration, 'maxDuration') })),
  };
}

export function findProfile(catalog: Catalog, name: string): Catalog['profiles'][number] | undefined {
  return catalog.profiles.find((p) => p.name === name);
}

export function isPartnerAllowed(catalog: Catalog, accountId: string): boolean {
  return accountId !== catalog.ownerAccountId && (catalog.partners === 'open' || catalog.partners.includes(accountId));
}

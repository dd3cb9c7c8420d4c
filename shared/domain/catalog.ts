/**
 * The catalog/config document: who owns, who approves, who may ask, and what can be granted.
 * Validated once at cold start; every error names the offending field (e.g. `profiles[1].maxDuration`).
 * The same schema is published as JSON Schema (`catalog.schema.json`, see catalog-json-schema.ts),
 * so the descriptions here are what an editor shows next to each field.
 */
import { z } from 'zod';
import { ValidationError } from './errors';
import { parseDuration } from './duration';
import { parsePrincipalArn } from './identifiers';
import { notificationSettings, notificationsSchema, type NotificationSettings } from './notifications';
import { parsePartnerPattern } from './partner-roles';
import { formatPath } from './validation';

// A guide for editors only: parseDuration is the judge (it also bounds the value).
const DURATION_PATTERN = '^((?=[0-9])([1-9][0-9]{0,7}d)?([1-9][0-9]{0,7}h)?([1-9][0-9]{0,7}m)?([1-9][0-9]{0,7}s)?|P(?!$)([0-9]{1,6}D)?(T(?=[0-9])([0-9]{1,7}H)?([0-9]{1,9}M)?([0-9]{1,10}S)?)?)$';

/**
 * A string the domain's own parser judges: what it throws is the issue, without the parser's
 * `<field>: ` prefix (zod's issue carries the path instead).
 */
function judgedBy(parse: (v: string) => unknown, field: string, fallback: string): z.ZodString {
  return z.string().superRefine((v, ctx) => {
    try {
      parse(v);
    } catch (e) {
      const message = e instanceof Error ? e.message : undefined;
      ctx.addIssue({ code: 'custom', message: message === undefined ? fallback : message.startsWith(`${field}: `) ? message.slice(field.length + 2) : message });
    }
  });
}

const accountId = z.string().regex(/^\d{16}$/, 'must be a 16-digit account ID');
const durationText = judgedBy(parseDuration, 'duration', 'invalid duration').meta({ pattern: DURATION_PATTERN, examples: ['8h', '90m', '1h30m', '7d', 'PT8H'] });
const principalArn = judgedBy(parsePrincipalArn, 'arn', 'invalid ARN')
  .meta({ pattern: '^acs:ram::[0-9]{16}:(root|user/.+|role/.+)$', examples: ['acs:ram::1234567890123456:user/alice'] });

const partnerPattern = judgedBy(parsePartnerPattern, 'pattern', 'invalid pattern')
  .meta({
    pattern: '^(acs:ram::[0-9]{16}:)?(user/[A-Za-z0-9._@*-]{1,64}|role/[A-Za-z0-9.*-]{1,64})$',
    examples: ['user/*', 'role/security-*', 'acs:ram::1879324520397241:user/alice'],
  });

const partnerRolesEntry = z
  .strictObject({
    account: z
      .union([accountId, z.literal('*')], { error: 'must be a 16-digit account ID or "*"' })
      .meta({ description: 'The partner account this entry is about, or "*" for every partner account without an entry of its own (e.g. with partners: "open").' }),
    requesters: z.array(partnerPattern).optional().meta({
      description: 'Who of the account may ask for access: user/<name> or role/<name> patterns ("*" in the name; a role pattern matches the role\'s sessions), or full ARNs of this account. Omitted: any identity of the account. [] : only the managers and the root. Anyone else is refused (403 FORBIDDEN_NOT_REQUESTER).',
    }),
    managers: z.array(partnerPattern).default([]).meta({
      description: 'Who of the account sees, cancels and revokes all of the account\'s requests (and may ask). The account\'s root always does. Everybody else sees, cancels and revokes only the requests they asked for themselves (a role session: those of any session of the same role).',
    }),
  })
  .meta({ title: 'Partner roles' });

const systemPolicy = z
  .strictObject({
    type: z.literal('System'),
    name: z.string().regex(/^[A-Za-z0-9-]{1,128}$/, 'must be a RAM policy name').meta({ description: 'System policy name, e.g. AliyunECSReadOnlyAccess. Judged by its known document; an unknown name counts as possibly privileged.' }),
  })
  .meta({ title: 'System policy' });
const customPolicy = z
  .strictObject({
    type: z.literal('Custom'),
    name: z.string().regex(/^[A-Za-z0-9-]{1,100}$/, 'must be 1–100 letters, digits or "-"').meta({ description: 'Created once in the owner account as `crossrole-<name>`, shared by all grants of the profile.' }),
    document: z.record(z.string(), z.unknown()).meta({ description: 'The RAM policy document (Version "1", Statement [...]), as an object. Checked by the guardrails.' }),
  })
  .meta({ title: 'Custom policy' });

/**
 * The longest a break-glass grant may last: one hour, the role's MaxSessionDuration (RAM's
 * minimum, so one STS session at most). Nobody approved it beforehand, so its exposure is bounded
 * by the clock instead: an emergency fix that takes longer asks again (another ticket, another
 * review) or goes through an approver.
 */
const BREAK_GLASS_MAX_DURATION_SECONDS = 3600;
/** A break-glass ask without a ticket needs a justification at least this long (a sentence, not "fix"). */
export const BREAK_GLASS_MIN_JUSTIFICATION = 20;
/** The longest a ticket pattern may be: a reference format, not a program. */
const MAX_TICKET_PATTERN = 200;

/**
 * A ticket pattern: a JavaScript regular expression (with the `u` flag), anchored at both ends so
 * that `CHG-1` cannot pass inside `see CHG-1 later`. Compiled here, so a bad one is a catalog
 * error at load, never a 500 at intake.
 */
const ticketPattern = z.string().min(2).max(MAX_TICKET_PATTERN).superRefine((v, ctx) => {
  try {
    new RegExp(v, 'u');
  } catch (e) {
    ctx.addIssue({ code: 'custom', message: `not a valid regular expression: ${e instanceof Error ? e.message : String(e)}` });
    return;
  }
  if (!v.startsWith('^') || !v.endsWith('$') || v.endsWith('\\$')) ctx.addIssue({ code: 'custom', message: 'must be anchored: start with ^ and end with $' });
}).meta({ examples: ['^(CHG|INC)-\\d+$'] });

const ticketSpec = z
  .strictObject({
    required: z.boolean().default(false).meta({ description: 'Refuse a request without a ticket reference (400 TICKET_REQUIRED).' }),
    pattern: ticketPattern.optional().meta({ description: 'An anchored regular expression the ticket must match (400 TICKET_INVALID otherwise), e.g. ^(CHG|INC)-\\d+$.' }),
    description: z.string().max(200).optional().meta({ description: 'What to put there, shown to a requester who got it wrong (e.g. "a change or incident number").' }),
  })
  .meta({ title: 'Ticket' });

export const profileSchema = z
  .strictObject({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,47}$/, 'must be 1–48 lowercase letters, digits or "-"').meta({ description: 'What partners ask for (`crossrole request --access-profile <name>`).' }),
    description: z.string().max(500).optional(),
    policies: z.array(z.discriminatedUnion('type', [systemPolicy, customPolicy])).min(1, 'must list at least one policy').max(5, 'at most 5 policies').meta({ description: 'Attached to the grant\'s role. RAM allows 5 custom policies per role by default.' }),
    maxDuration: durationText.meta({ description: 'Longest grant a partner may ask for. At most 4h on a privileged profile.' }),
    autoApprove: z.boolean().default(false).meta({ description: 'Grant without an approver. Refused for privileged profiles and for policies whose content is unknown.' }),
    maxTotalDuration: durationText.optional().meta({ description: 'Longest a grant may last in all, extensions included, counted from its activation. Default: maxDuration (an extension then only gives back what the partner did not ask for at first). At least maxDuration; at most 4h on a privileged profile.' }),
    autoExtend: z.union([z.literal(false), durationText]).default(false).meta({ description: 'Extensions of an ACTIVE grant by up to this much are approved without an approver (e.g. "1h"); false (default): every extension needs an approver. Refused for privileged profiles. Shortening never needs approval.' }),
    approvals: z.number().int().min(1, 'must be at least 1').max(5, 'at most 5').default(1).meta({
      description: 'Distinct approvers whose approval the request needs (quorum); one rejection rejects. The requester and identities of the partner account never count. An auto-approved profile needs 1. At most the number of approvers listed.',
    }),
    maxLeadTime: durationText.default('14d').meta({ description: 'Furthest ahead a request may ask its grant to start (`startAt`).' }),
    privileged: z.boolean().default(false).meta({ description: 'Grants escalating policies: required when a policy can escalate (ram:* writes, sts:AssumeRole, resourcemanager, actiontrail, kms, or *). Then approval is required, maxDuration is at most 4h, and requesters must send "acknowledgePrivileged": true. Not break-glass (see breakGlass): a privileged profile is never approved automatically.' }),
    breakGlass: z.boolean().default(false).meta({ description: 'Break-glass (emergency) profile: approved automatically, at most 1h, with a ticket or a justification of at least 20 characters, and reviewed afterwards by an approver (crossrole review) within reviewWithin. Refused on a privileged profile.' }),
    reviewWithin: durationText.optional().meta({ description: 'Break-glass profiles only: the post-hoc review is due this long after the grant (default: the catalog\'s reviewWithin).' }),
    ticket: ticketSpec.optional().meta({ description: 'A ticket reference (change, incident) with each request: required or not, and its format. Shown wherever the reason is.' }),
    roleNameTemplate: z.string().regex(/^crossrole-[A-Za-z0-9.{}-]*\{id\}[A-Za-z0-9.{}-]*$/, 'must start with "crossrole-" and contain "{id}"').optional().meta({ description: 'Role name template; `{id}` is replaced by the short request id. Must keep the `crossrole-` prefix.' }),
  })
  .meta({ title: 'Profile' });

export const catalogSchema = z
  .strictObject({
    $schema: z.string().optional().meta({ description: 'Path or URL of catalog.schema.json, for editors. Ignored by Crossrole.' }),
    ownerAccountId: accountId.meta({ description: 'Account A: where roles are created.' }),
    approvers: z.array(principalArn).min(1, 'must name at least one approver').meta({ description: 'RAM users or roles of the owner account who may approve, reject and revoke.' }),
    partners: z
      .union([z.literal('open'), z.array(accountId).min(1)], { error: 'must be "open" or a non-empty list of 16-digit account IDs' })
      .meta({ description: '"open" (any account may ask) or the account IDs that may ask.' }),
    partnerRoles: z.array(partnerRolesEntry).default([]).meta({
      description: 'Roles inside partner accounts: who may ask, and who manages the account\'s requests. Default: any identity of an allowed partner may ask, sees only its own requests, and the partner\'s root sees all of them.',
    }),
    pendingTtl: durationText.default('72h').meta({ description: 'How long a request waits for a decision before it lapses.' }),
    revokedRoleRetention: durationText.default('7d').meta({
      description: 'How long a trust-mode revocation stays reversible: after that the scan deletes the role and its guard policy, so revoked grants do not use up the account\'s RAM role quota (~1,000).',
    }),
    reviewWithin: durationText.default('24h').meta({ description: 'When the post-hoc review of a break-glass grant is due, after the grant (a profile may say otherwise). Unreviewed grants past it show in list --unreviewed and doctor.' }),
    profiles: z.array(profileSchema).min(1, 'must define at least one profile'),
    // Its own block (shared/domain/notifications.ts): who is told what, through which webhooks.
    notifications: notificationsSchema.optional().meta({ description: 'Webhooks (DingTalk, Feishu/Lark, Slack, generic) told of each step someone waits for, and the expiring-soon lead. Omitted: no notifications.' }),
  })
  .meta({ title: 'Crossrole catalog' });

export type CatalogInput = z.input<typeof catalogSchema>;
type ParsedCatalog = z.output<typeof catalogSchema>;
export type Profile = ParsedCatalog['profiles'][number];
export type ProfilePolicy = Profile['policies'][number];
export type CatalogProfile = Profile & {
  maxDurationSeconds: number;
  maxLeadTimeSeconds: number;
  /** maxTotalDuration in seconds (maxDuration when not given). */
  maxTotalDurationSeconds: number;
  /** autoExtend in seconds; 0 when every extension needs an approver. */
  autoExtendSeconds: number;
};

export interface Catalog extends Omit<ParsedCatalog, '$schema' | 'pendingTtl' | 'revokedRoleRetention' | 'reviewWithin' | 'profiles' | 'notifications'> {
  pendingTtlSeconds: number;
  notifications: NotificationSettings;
  revokedRoleRetentionSeconds: number;
  /** The default review window of break-glass grants. */
  reviewWithinSeconds: number;
  profiles: CatalogProfile[];
}

/** One thing wrong with a catalog document, at its field. */
interface CatalogIssue {
  field: string;
  message: string;
}

type CatalogValidation = { ok: true; catalog: Catalog } | { ok: false; issues: CatalogIssue[] };

/** zod issues as catalog issues; an unknown key is reported at the key itself (`profiles[1].maxDurationHours`), one issue per key. */
function zodIssues(issues: readonly z.core.$ZodIssue[]): CatalogIssue[] {
  return issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys' && issue.keys.length > 0) {
      return issue.keys.map((key) => ({ field: formatPath([...issue.path, key]), message: `unknown key "${key}"` }));
    }
    return [{ field: formatPath(issue.path), message: issue.message }];
  });
}

/** A profile that passed the schema, with its maxima in seconds. */
export function withDurationSeconds(p: Profile): CatalogProfile {
  const maxDurationSeconds = parseDuration(p.maxDuration, 'maxDuration');
  return {
    ...p,
    maxDurationSeconds,
    maxLeadTimeSeconds: parseDuration(p.maxLeadTime, 'maxLeadTime'),
    maxTotalDurationSeconds: p.maxTotalDuration === undefined ? maxDurationSeconds : parseDuration(p.maxTotalDuration, 'maxTotalDuration'),
    autoExtendSeconds: p.autoExtend === false ? 0 : parseDuration(p.autoExtend, 'autoExtend'),
  };
}

/** Rules across fields, which the schema cannot express. */
function crossFieldIssues(c: ParsedCatalog): CatalogIssue[] {
  const issues: CatalogIssue[] = [];
  const names = new Set<string>();
  c.profiles.forEach((p, i) => {
    if (names.has(p.name)) issues.push({ field: `profiles[${i}].name`, message: `duplicate profile "${p.name}"` });
    names.add(p.name);
    if (p.autoApprove && p.approvals !== 1) issues.push({ field: `profiles[${i}].approvals`, message: 'an auto-approved profile needs no approver: approvals must be 1' });
    if (p.approvals > c.approvers.length) issues.push({ field: `profiles[${i}].approvals`, message: `needs ${p.approvals} distinct approvers but the catalog lists ${c.approvers.length}` });
    const { maxDurationSeconds, maxTotalDurationSeconds } = withDurationSeconds(p);
    if (maxTotalDurationSeconds < maxDurationSeconds) issues.push({ field: `profiles[${i}].maxTotalDuration`, message: `must be at least maxDuration (${p.maxDuration})` });
  });
  c.approvers.forEach((a, i) => {
    if (parsePrincipalArn(a, `approvers[${i}]`).accountId !== c.ownerAccountId) issues.push({ field: `approvers[${i}]`, message: 'approvers must belong to the owner account' });
  });
  if (Array.isArray(c.partners) && c.partners.includes(c.ownerAccountId)) issues.push({ field: 'partners', message: 'the owner account cannot be its own partner' });
  issues.push(...partnerRolesIssues(c));
  c.profiles.forEach((p, i) => issues.push(...breakGlassIssues(p, `profiles[${i}]`)));
  return issues;
}

/**
 * A break-glass profile skips the approver, so what it may grant is bounded instead: an hour at
 * most, and never escalating policies (a privileged profile needs an approver before, not a
 * reviewer after: its holder could mint credentials that outlive the grant). The policies' content
 * is judged by config check and the guardrails (shared/policy/privilege.ts), like autoApprove.
 */
function breakGlassIssues(p: Profile, at: string): CatalogIssue[] {
  const issues: CatalogIssue[] = [];
  if (!p.breakGlass) {
    if (p.reviewWithin !== undefined) issues.push({ field: `${at}.reviewWithin`, message: 'only a break-glass profile ("breakGlass": true) is reviewed afterwards' });
    return issues;
  }
  if (p.privileged) issues.push({ field: `${at}.breakGlass`, message: 'a privileged profile cannot be break-glass: escalating policies need an approver before, not a review after' });
  if (parseDuration(p.maxDuration, 'maxDuration') > BREAK_GLASS_MAX_DURATION_SECONDS) {
    issues.push({ field: `${at}.maxDuration`, message: `a break-glass profile lasts at most 1h (it is granted without an approver), not ${p.maxDuration}` });
  }
  // Extensions included: an extension must not turn a one-hour emergency grant into a long one.
  if (p.maxTotalDuration !== undefined && parseDuration(p.maxTotalDuration, 'maxTotalDuration') > BREAK_GLASS_MAX_DURATION_SECONDS) {
    issues.push({ field: `${at}.maxTotalDuration`, message: `a break-glass grant lasts at most 1h in all, extensions included, not ${p.maxTotalDuration}` });
  }
  if (p.autoExtend !== false) issues.push({ field: `${at}.autoExtend`, message: 'a break-glass grant is extended only with an approver: set "autoExtend": false' });
  // Granted at once by nobody: a quorum would be a contradiction.
  if (p.approvals !== 1) issues.push({ field: `${at}.approvals`, message: 'a break-glass profile is approved automatically: approvals must be 1' });
  return issues;
}

/** When the review of a break-glass grant of `profile` is due, in seconds after the grant. */
export function reviewWindowSeconds(catalog: Catalog, profile: Pick<Profile, 'reviewWithin'>): number {
  return profile.reviewWithin === undefined ? catalog.reviewWithinSeconds : parseDuration(profile.reviewWithin, 'reviewWithin');
}

/** partnerRoles: one entry per account, for an allowed partner, with patterns of that account. */
function partnerRolesIssues(c: ParsedCatalog): CatalogIssue[] {
  const issues: CatalogIssue[] = [];
  const seen = new Set<string>();
  c.partnerRoles.forEach((entry, i) => {
    const field = `partnerRoles[${i}]`;
    if (seen.has(entry.account)) issues.push({ field: `${field}.account`, message: `duplicate entry for "${entry.account}"` });
    seen.add(entry.account);
    if (entry.account === c.ownerAccountId) issues.push({ field: `${field}.account`, message: 'the owner account is not a partner' });
    else if (entry.account !== '*' && Array.isArray(c.partners) && !c.partners.includes(entry.account)) {
      issues.push({ field: `${field}.account`, message: `${entry.account} is not in partners` });
    }
    const lists: Array<['requesters' | 'managers', readonly string[]]> = [['requesters', entry.requesters ?? []], ['managers', entry.managers]];
    for (const [list, patterns] of lists) {
      patterns.forEach((text, j) => {
        const { accountId: patternAccount } = parsePartnerPattern(text);
        if (patternAccount === undefined || patternAccount === entry.account) return;
        issues.push({
          field: `${field}.${list}[${j}]`,
          message: entry.account === '*' ? 'the "*" entry takes short patterns only (user/<name>, role/<name>)' : `must be an identity of account ${entry.account}`,
        });
      });
    }
  });
  return issues;
}

/** Validate a catalog, collecting every issue (schema first; the cross-field rules once the schema passes). */
export function validateCatalog(input: unknown): CatalogValidation {
  const r = catalogSchema.safeParse(input);
  if (!r.success) return { ok: false, issues: zodIssues(r.error.issues) };
  const c = r.data;
  const notifications = notificationSettings(c.notifications);
  const issues = [...crossFieldIssues(c), ...notifications.issues];
  if (issues.length > 0) return { ok: false, issues };
  return {
    ok: true,
    catalog: {
      ownerAccountId: c.ownerAccountId,
      approvers: c.approvers,
      partners: c.partners,
      partnerRoles: c.partnerRoles,
      pendingTtlSeconds: parseDuration(c.pendingTtl, 'pendingTtl'),
      revokedRoleRetentionSeconds: parseDuration(c.revokedRoleRetention, 'revokedRoleRetention'),
      reviewWithinSeconds: parseDuration(c.reviewWithin, 'reviewWithin'),
      profiles: c.profiles.map(withDurationSeconds),
      notifications: notifications.settings,
    },
  };
}

/** Parse and validate a catalog. Throws a ValidationError (code INVALID_CONFIG) naming the first bad field; details.issues lists them all. */
export function parseCatalog(input: unknown): Catalog {
  const r = validateCatalog(input);
  if (r.ok) return r.catalog;
  const first = r.issues[0] ?? { field: '(root)', message: 'invalid' };
  throw new ValidationError('INVALID_CONFIG', first.field, first.message, { details: { issues: r.issues } });
}

export function findProfile(catalog: Catalog, name: string): Catalog['profiles'][number] | undefined {
  return catalog.profiles.find((p) => p.name === name);
}

export function isPartnerAllowed(catalog: Catalog, accountId: string): boolean {
  return accountId !== catalog.ownerAccountId && (catalog.partners === 'open' || catalog.partners.includes(accountId));
}

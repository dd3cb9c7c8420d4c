/**
 * Roles inside a partner account: who of the partner's identities may ask for access (requesters)
 * and who may see, cancel and revoke all of the account's requests (managers). The catalog names
 * them per account (`partnerRoles`, catalog.ts) as patterns; this module parses and matches them,
 * and says which requests are an identity's own.
 *
 * Defaults, when the catalog says nothing about an account: any identity of an allowed partner may
 * ask; everyone sees, cancels and revokes only their own requests; the account's root manages all.
 */
import { ValidationError } from './errors';
import { parsePrincipalArn, type RamPrincipal } from './identifiers';

/** A parsed catalog pattern: users or roles (by a name with `*` wildcards) of one or any partner account. */
interface PartnerPattern {
  kind: 'user' | 'role';
  /** Set for a full-ARN pattern; a short pattern (`user/...`) means "of the caller's own account". */
  accountId?: string;
  glob: string;
}

/** One `partnerRoles` entry of the catalog, as parsed by its schema. */
export interface PartnerRolesEntry {
  /** A partner account ID, or `*` for every partner account without an entry of its own. */
  account: string;
  /** Omitted: any identity of the account may ask. */
  requesters?: string[] | undefined;
  managers: string[];
}

type PartnerStanding = 'manager' | 'requester' | 'none';

// RAM name alphabets (identifiers.ts), plus `*`.
const USER_GLOB = /^[A-Za-z0-9._@*-]{1,64}$/;
const ROLE_GLOB = /^[A-Za-z0-9.*-]{1,64}$/;
const PATTERN = /^(?:acs:ram::(\d{16}):)?(user|role)\/([^/]*)$/;

/**
 * `user/<name>`, `role/<name>` (in the caller's own account) or the full ARN
 * `acs:ram::<account>:user/<name>` / `:role/<name>`; `*` in the name matches any run of
 * characters. Wildcards are allowed in the name only: never in the account, never for `root`
 * (the root is always a manager) and never for role sessions (a role pattern matches the role's
 * sessions, which is how STS reports a role's callers).
 */
export function parsePartnerPattern(text: string, field = 'pattern'): PartnerPattern {
  const m = PATTERN.exec(text);
  if (m === null) {
    throw new ValidationError('INVALID_ARN', field, `"${text.slice(0, 80)}" must be user/<name>, role/<name>, or acs:ram::<16-digit account>:user/<name> or :role/<name> ("*" allowed in the name)`);
  }
  const kind = m[2] === 'user' ? 'user' : 'role';
  const glob = m[3] ?? '';
  if (!(kind === 'user' ? USER_GLOB : ROLE_GLOB).test(glob)) {
    throw new ValidationError('INVALID_ARN', field, kind === 'user'
      ? 'a user name pattern is 1–64 letters, digits, ".", "_", "@", "-" or "*"'
      : 'a role name pattern is 1–64 letters, digits, ".", "-" or "*"');
  }
  return { kind, glob, ...(m[1] === undefined ? {} : { accountId: m[1] }) };
}

function globMatches(glob: string, name: string, ignoreCase: boolean): boolean {
  const body = glob.split('*').map((part) => part.replace(/[.]/g, '\\.')).join('.*');
  return new RegExp(`^${body}$`, ignoreCase ? 'i' : '').test(name);
}

/**
 * Does `pattern` designate this principal? User names compare exactly (as approver entries do);
 * role names case-insensitively, as everywhere in Crossrole (RAM role names are treated as
 * case-insensitive, identifiers.roleArn). A role pattern matches the role's sessions.
 */
export function patternMatches(pattern: PartnerPattern, principal: RamPrincipal): boolean {
  if (pattern.accountId !== undefined && pattern.accountId !== principal.accountId) return false;
  if (pattern.kind === 'user') return principal.kind === 'user' && globMatches(pattern.glob, principal.name, false);
  return (principal.kind === 'assumed-role' || principal.kind === 'role') && globMatches(pattern.glob, principal.name, true);
}

/** The entry that governs `accountId`: its own, else the `*` entry, else none (the defaults). */
function partnerRolesFor(entries: readonly PartnerRolesEntry[], accountId: string): PartnerRolesEntry | undefined {
  return entries.find((e) => e.account === accountId) ?? entries.find((e) => e.account === '*');
}

function tryParse(arn: string): RamPrincipal | undefined {
  try {
    return parsePrincipalArn(arn);
  } catch {
    return undefined;
  }
}

function anyMatches(patterns: readonly string[], principal: RamPrincipal): boolean {
  return patterns.some((p) => patternMatches(parsePartnerPattern(p), principal));
}

/**
 * What a partner identity may do in its own account: `manager` (the root, or a managers pattern),
 * `requester` (a requesters pattern, or anyone when the entry names none), else `none`. Managers
 * may also ask. Says nothing about whether the account is an allowed partner (catalog.isPartnerAllowed).
 */
export function partnerStanding(entries: readonly PartnerRolesEntry[], caller: { accountId: string; arn: string }): PartnerStanding {
  const principal = tryParse(caller.arn);
  if (principal === undefined || principal.accountId !== caller.accountId) return 'none';
  if (principal.kind === 'root') return 'manager';
  const entry = partnerRolesFor(entries, caller.accountId);
  if (entry !== undefined && anyMatches(entry.managers, principal)) return 'manager';
  if (entry?.requesters === undefined || anyMatches(entry.requesters, principal)) return 'requester';
  return 'none';
}

/**
 * The requests that are an identity's own, as a ledger filter: those it asked for itself (same
 * ARN); for a role session, those asked by any session of the same role (sessions come and go,
 * the role is the identity: a requester who logs in again must still see its request).
 */
export type RequesterFilter =
  | { kind: 'arn'; arn: string }
  | { kind: 'role-sessions'; accountId: string; roleName: string };

export function requesterFilterOf(callerArn: string): RequesterFilter {
  const p = tryParse(callerArn);
  if (p?.kind === 'assumed-role') return { kind: 'role-sessions', accountId: p.accountId, roleName: p.name.toLowerCase() };
  return { kind: 'arn', arn: callerArn };
}

/** The prefix (lower case) every session ARN of the filter's role starts with. */
export function roleSessionPrefix(filter: Extract<RequesterFilter, { kind: 'role-sessions' }>): string {
  return `acs:ram::${filter.accountId}:assumed-role/${filter.roleName.toLowerCase()}/`;
}

/** The in-memory twin of the ledger's filter (the repository contract holds the two equal). */
export function requesterMatches(filter: RequesterFilter, requesterArn: string): boolean {
  if (filter.kind === 'arn') return requesterArn === filter.arn;
  const p = tryParse(requesterArn);
  return p?.kind === 'assumed-role' && p.accountId === filter.accountId && p.name.toLowerCase() === filter.roleName.toLowerCase();
}

/**
 * Human renderings of requests, grants and history (JSON mode prints the API objects instead).
 */
import type { AccessRequest, AuditEvent } from '../shared/domain/access-request';
import type { ApprovalsView } from '../shared/domain/quorum';
import type { Extension } from '../shared/domain/extension';
import { formatDuration } from '../shared/domain/duration';
import type { Colors } from './ui';

/**
 * What a partner wrote must not be able to forge what an approver reads: a newline in a reason
 * could draw a fake "decided by" row, a bidi override (U+202E, U+2066–U+2069, U+200E/F, U+061C)
 * reverses what follows on screen, and zero-width or other invisible characters make two different
 * names look alike. Controls (C0, DEL, C1), format characters (bidi marks, zero-width, BOM, tag
 * characters), line and paragraph separators, surrogate halves, private-use and unassigned code
 * points, and whitespace other than the plain space are shown as escapes instead.
 */
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}\p{Co}\p{Cn}]|[^\S ]/u;
const UNSAFE_IN_QUOTES = new RegExp(`${INVISIBLE.source}|["\\\\]`, 'gu');
const UNSAFE_BARE = new RegExp(INVISIBLE.source, 'gu');
/** Identifiers that can be shown as they are: no spaces, quotes, commas or anything invisible. */
const PLAIN_NAME = /^[A-Za-z0-9._:/@+=?&%#~*-]+$/;

function escapeChar(ch: string): string {
  switch (ch) {
    case '\n':
      return '\\n';
    case '\r':
      return '\\r';
    case '\t':
      return '\\t';
    case '"':
      return '\\"';
    case '\\':
      return '\\\\';
    default: {
      const cp = ch.codePointAt(0) ?? 0;
      return cp > 0xffff ? `\\u{${cp.toString(16)}}` : `\\u${cp.toString(16).padStart(4, '0')}`;
    }
  }
}

/** What the CLI shows of a profile's policies: from a catalog, or from GET /profiles. */
export interface ProfilePolicies {
  policies: ReadonlyArray<{ type: string; name: string }>;
}

/** Free text from a request (a reason): always in double quotes, escaped (`\n`, `\u202e`, `\"`). */
export function quoteText(s: string): string {
  return `"${s.replace(UNSAFE_IN_QUOTES, escapeChar)}"`;
}

/**
 * An identifier from a request (id, role name, principal, ARN, profile, actor): as it is when it
 * is plain ASCII without spaces, commas or quotes, else quoted and escaped like {@link quoteText},
 * so a principal cannot pass for two and a role name cannot read backwards.
 */
export function safeName(s: string): string {
  return PLAIN_NAME.test(s) ? s : quoteText(s);
}

/** Text from a server (an error message) shown without quotes: only the invisible characters escaped. */
export function escapeInvisible(s: string): string {
  return s.replace(UNSAFE_BARE, escapeChar);
}

export function statusColour(c: Colors, status: string): string {
  switch (status) {
    case 'ACTIVE':
      return c.green(status);
    case 'PENDING':
    case 'SCHEDULED':
    case 'APPROVED':
    case 'REVOKING':
      return c.yellow(status);
    case 'FAILED':
    case 'REJECTED':
      return c.red(status);
    default:
      return c.dim(status);
  }
}

function row(c: Colors, label: string, value: string): string {
  return `  ${c.dim(label.padEnd(11))} ${value}`;
}

export function profilePolicies(profile: ProfilePolicies): string {
  return profile.policies.map((p) => `${p.type} ${p.name}`).join(', ');
}

/** The lines of `crossrole status` (and of each inbox entry). Every value from the request goes through quoteText or safeName. */
export function requestLines(c: Colors, r: AccessRequest, profile?: ProfilePolicies): string[] {
  const lines = [
    `${c.bold(safeName(r.id))}  ${statusColour(c, safeName(r.status))}`,
    row(c, 'partner', `account ${safeName(r.partnerAccountId)}, asked by ${safeName(r.requesterArn)}`),
    row(c, 'profile', profile ? `${safeName(r.profile)} (${profilePolicies(profile)})` : safeName(r.profile)),
    row(c, 'duration', formatDuration(r.durationSeconds)),
    ...(r.startAt === undefined ? [] : [row(c, 'starts', `${safeName(r.startAt)} (the grant ends at start + duration)`)]),
    row(c, 'role', safeName(r.grant?.roleArn ?? r.roleName)),
    row(c, 'trusts', r.principals.map(safeName).join(', ')),
    row(c, 'reason', quoteText(r.reason)),
  ];
  if (r.ticket !== undefined) lines.push(row(c, 'ticket', quoteText(r.ticket)));
  if (r.breakGlass !== undefined) lines.push(row(c, 'break-glass', breakGlassText(c, r.breakGlass)));
  lines.push(row(c, 'created', safeName(r.createdAt)));
  if (r.decidedBy !== undefined) lines.push(row(c, 'decided by', `${safeName(r.decidedBy)}${r.decisionReason ? ` ${quoteText(r.decisionReason)}` : ''}`));
  if (r.expiresAt !== undefined) lines.push(row(c, 'expires', safeName(r.expiresAt)));
  if (r.revokeMode !== undefined) lines.push(row(c, 'revoke mode', safeName(r.revokeMode)));
  if (r.lastError !== undefined) lines.push(row(c, 'last error', c.red(quoteText(r.lastError))));
  if (r.grant !== undefined) lines.push(row(c, 'externalId', safeName(r.grant.externalId)), row(c, 'switch role', safeName(r.grant.switchRole.url)));
  return lines;
}

/** A break-glass grant's review: done (verdict, by whom, note) or due (and whether overdue). */
function breakGlassText(c: Colors, b: NonNullable<AccessRequest['breakGlass']>, now = Date.now()): string {
  if (b.verdict !== undefined) {
    const verdict = b.verdict === 'ok' ? c.green('reviewed ok') : c.red('FLAGGED');
    return `${verdict} by ${safeName(b.reviewedBy ?? '?')} at ${safeName(b.reviewedAt ?? '?')}${b.reviewNote === undefined ? '' : ` ${quoteText(b.reviewNote)}`}`;
  }
  const overdue = Date.parse(b.reviewDueAt) < now;
  return `${overdue ? c.red('review OVERDUE') : c.yellow('review due')} by ${safeName(b.reviewDueAt)} (crossrole review <id> --ok|--flag --note ...)`;
}

/** The list's marker for a break-glass grant: `!unreviewed` (overdue: `!OVERDUE`), `flagged`, `reviewed`; empty for others. */
function reviewMarker(r: AccessRequest, now = Date.now()): string {
  const b = r.breakGlass;
  if (b === undefined) return '';
  if (b.verdict !== undefined) return b.verdict === 'ok' ? 'bg:reviewed' : 'bg:FLAGGED';
  return Date.parse(b.reviewDueAt) < now ? 'bg:OVERDUE' : 'bg:unreviewed';
}

export function historyLines(c: Colors, history: readonly AuditEvent[]): string[] {
  return history.map((e) => {
    const from = e.fromStatus === null ? null : safeName(e.fromStatus);
    const to = e.toStatus === null ? null : safeName(e.toStatus);
    const move = from === null ? `-> ${to ?? ''}` : to === null ? '' : `${from} -> ${to}`;
    return `  ${c.dim(safeName(e.at))}  ${safeName(e.action).padEnd(14)} ${move.padEnd(22)} ${safeName(e.actor)}${e.reason ? c.dim(` ${quoteText(e.reason)}`) : ''}`;
  });
}

/** One line per extension or shortening of a grant, for `crossrole status`. */
export function extensionLines(c: Colors, extensions: readonly Extension[]): string[] {
  return extensions.map((e) => {
    const who = e.decidedBy === undefined ? '' : ` by ${safeName(e.decidedBy)}`;
    return `  ${c.dim(safeName(e.createdAt))}  ${safeName(e.kind).padEnd(8)} ${safeName(e.fromExpiresAt)} -> ${safeName(e.newExpiresAt)}  ${safeName(e.status)}${who}${c.dim(` ${quoteText(e.reason)}`)}`;
  });
}

export function listLines(c: Colors, items: readonly AccessRequest[]): string[] {
  if (items.length === 0) return [c.dim('(no requests)')];
  return items.map((r) => {
    const marker = reviewMarker(r);
    const ticket = r.ticket === undefined ? '' : `  ticket ${quoteText(r.ticket)}`;
    return `${safeName(r.id)}  ${statusColour(c, safeName(r.status)).padEnd(10 + (c.isColorSupported ? 9 : 0))}  ${safeName(r.profile).padEnd(18)} ${formatDuration(r.durationSeconds).padEnd(5)} ${safeName(r.partnerAccountId)}  ${safeName(r.roleName)}${marker === '' ? '' : `  ${marker}`}${ticket}`;
  });
}

/**
 * POSIX shell single-quoting; a word of harmless characters stays bare. zsh (the macOS default
 * shell) expands an unquoted `=` at the start of a word, and after a `:` in an assignment, to a
 * command's path (EQUALS option: `export X==` fails with "= not found"), so those are quoted too.
 */
export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./:=@+-]+$/.test(s) && !s.startsWith('=') && !s.includes(':=') ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** "1 of 2 approvals" and who approved when (`GET /requests/{id}`'s approvals). */
export function approvalLines(c: Colors, a: ApprovalsView): string[] {
  const head = `${a.received} of ${a.required} approval${a.required === 1 ? '' : 's'}${a.remaining > 0 ? `, ${a.remaining} more needed` : ''}`;
  return [row(c, 'approvals', head), ...a.decisions.map((d) => `               ${c.dim(safeName(d.at))}  ${safeName(d.decision)} by ${safeName(d.arn)}${d.reason ? c.dim(` ${quoteText(d.reason)}`) : ''}`)];
}

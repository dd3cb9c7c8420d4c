/**
 * Human renderings of requests, grants and history (JSON mode prints the API objects instead).
 */
import type { AccessRequest, AuditEvent } from '../shared/domain/access-request';
import type { Profile } from '../shared/domain/catalog';
import { formatDuration } from '../shared/domain/duration';
import type { Colors } from './ui';

export function statusColour(c: Colors, status: string): string {
  switch (status) {
    case 'ACTIVE':
      return c.green(status);
    case 'PENDING':
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

export function profilePolicies(profile: Pick<Profile, 'policies'>): string {
  return profile.policies.map((p) => `${p.type} ${p.name}`).join(', ');
}

/** The lines of `crossrole status` (and of each inbox entry). */
export function requestLines(c: Colors, r: AccessRequest, profile?: Pick<Profile, 'policies'>): string[] {
  const lines = [
    `${c.bold(r.id)}  ${statusColour(c, r.status)}`,
    row(c, 'partner', `account ${r.partnerAccountId}, asked by ${r.requesterArn}`),
    row(c, 'profile', profile ? `${r.profile} (${profilePolicies(profile)})` : r.profile),
    row(c, 'duration', formatDuration(r.durationSeconds)),
    row(c, 'role', r.grant?.roleArn ?? r.roleName),
    row(c, 'trusts', r.principals.join(', ')),
    row(c, 'reason', r.reason),
    row(c, 'created', r.createdAt),
  ];
  if (r.decidedBy !== undefined) lines.push(row(c, 'decided by', `${r.decidedBy}${r.decisionReason ? ` (${r.decisionReason})` : ''}`));
  if (r.expiresAt !== undefined) lines.push(row(c, 'expires', r.expiresAt));
  if (r.revokeMode !== undefined) lines.push(row(c, 'revoke mode', r.revokeMode));
  if (r.lastError !== undefined) lines.push(row(c, 'last error', c.red(r.lastError)));
  if (r.grant !== undefined) lines.push(row(c, 'externalId', r.grant.externalId), row(c, 'switch role', r.grant.switchRole.url));
  return lines;
}

export function historyLines(c: Colors, history: readonly AuditEvent[]): string[] {
  return history.map((e) => {
    const move = e.fromStatus === null ? `-> ${e.toStatus ?? ''}` : e.toStatus === null ? '' : `${e.fromStatus} -> ${e.toStatus}`;
    return `  ${c.dim(e.at)}  ${e.action.padEnd(14)} ${move.padEnd(22)} ${e.actor}${e.reason ? c.dim(` "${e.reason}"`) : ''}`;
  });
}

export function listLines(c: Colors, items: readonly AccessRequest[]): string[] {
  if (items.length === 0) return [c.dim('(no requests)')];
  return items.map((r) => `${r.id}  ${statusColour(c, r.status).padEnd(10 + (c.isColorSupported ? 9 : 0))}  ${r.profile.padEnd(18)} ${formatDuration(r.durationSeconds).padEnd(5)} ${r.partnerAccountId}  ${r.roleName}`);
}

/** POSIX shell single-quoting. */
export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./:=@+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

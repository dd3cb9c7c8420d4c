/**
 * Who is behind a session, in the two AssumeRole parameters the owner's ActionTrail records:
 * RoleSessionName (part of the assumed-role ARN every later call is logged under) and
 * SourceIdentity. Both derived from the caller's own ARN (STS GetCallerIdentity), so every partner
 * identity gets its own, instead of one name shared by everybody. Pure.
 *
 * RoleSessionName: `<name>@<account>`, where <name> is the user's name, the session name of an
 * assumed-role caller, or `root`; characters outside `[A-Za-z0-9._@-]` become `-` and <name> is cut
 * to 47 characters, so the whole fits the 2–64 characters STS allows (AssumeRoleRequest,
 * @alicloud/sts20150401: "2 to 64 characters ... letters, digits, and `. @ - _`").
 *
 * SourceIdentity: the caller's ARN cannot be sent as it is, since `:` and `/` are outside the
 * characters the local STS accepts (`[A-Za-z0-9.@_=,+-]`, 2–64, local/sts/quotas.ts; Alibaba
 * Cloud's own limit is not documented where we could read it, and the AWS one it mirrors is the
 * same). The closest faithful value keeps the ARN's whole path with `/` as `.` and the account
 * after `@`: `user.bob@1879324520397241`, `assumed-role.ops.alice@1879324520397241`. When that is
 * longer than 64, the path is cut and 8 hex digits of the full ARN's SHA-256 keep distinct
 * callers distinct.
 */
import { createHash } from 'node:crypto';

const ARN = /^acs:ram::(\d+):(.+)$/;
const SESSION_NAME_MAX = 64;
const SOURCE_IDENTITY_MAX = 64;

interface ArnParts {
  accountId: string;
  /** `user/bob`, `assumed-role/ops/alice`, `root`. */
  path: string;
}

function parts(arn: string): ArnParts | undefined {
  const m = ARN.exec(arn);
  return m?.[1] !== undefined && m[2] !== undefined ? { accountId: m[1], path: m[2] } : undefined;
}

/** The RoleSessionName for a caller (format above); `crossrole-cli` for an ARN it cannot read. */
export function roleSessionNameFor(callerArn: string): string {
  const p = parts(callerArn);
  if (p === undefined) return 'crossrole-cli';
  const segments = p.path.split('/');
  const name = segments.length > 1 ? (segments[segments.length - 1] ?? '') : (segments[0] ?? '');
  const suffix = `@${p.accountId}`;
  const safe = (name || 'unknown').replace(/[^A-Za-z0-9._@-]/g, '-').slice(0, Math.max(1, SESSION_NAME_MAX - suffix.length));
  return `${safe}${suffix}`.slice(0, SESSION_NAME_MAX).padEnd(2, '-');
}

/** The SourceIdentity for a caller (format above); undefined for an ARN it cannot read. */
export function sourceIdentityFor(callerArn: string): string | undefined {
  const p = parts(callerArn);
  if (p === undefined) return undefined;
  const suffix = `@${p.accountId}`;
  const path = p.path.replace(/\//g, '.').replace(/[^A-Za-z0-9.@_=,+-]/g, '-');
  if (path.length + suffix.length <= SOURCE_IDENTITY_MAX) return `${path}${suffix}`;
  const hash = createHash('sha256').update(callerArn).digest('hex').slice(0, 8);
  return `${path.slice(0, SOURCE_IDENTITY_MAX - suffix.length - hash.length - 1)}-${hash}${suffix}`;
}

/**
 * Strict parsers for the identifiers Crossrole handles: account IDs, role names and RAM ARNs.
 * Limits from the RAM API references (CreateRoleRequest of @alicloud/ram20150501;
 * www.alibabacloud.com/help/doc-detail/159988.htm). Every failure is a ValidationError naming the field.
 */
import { ValidationError } from './errors';
import { truncate } from './duration';

const ACCOUNT_ID = /^\d{16}$/;
// Role names: 1–64 characters of letters, digits, '.' and '-'.
const ROLE_NAME = /^[A-Za-z0-9.-]{1,64}$/;
// RAM user names: 1-64 of letters, digits, '.', '_', '-' (and '@' for logon-name style).
const USER_NAME = /^[A-Za-z0-9._@-]{1,64}$/;
const SESSION_NAME = /^[A-Za-z0-9.@_-]{2,64}$/;

export function parseAccountId(input: unknown, field = 'accountId'): string {
  if (typeof input !== 'string' || !ACCOUNT_ID.test(input)) {
    throw new ValidationError('INVALID_ACCOUNT_ID', field, `must be a 16-digit Alibaba Cloud account ID${typeof input === 'string' ? `, got "${truncate(input)}"` : ''}`);
  }
  return input;
}

export function isAccountId(input: unknown): input is string {
  return typeof input === 'string' && ACCOUNT_ID.test(input);
}

export function parseRoleName(input: unknown, field = 'roleName'): string {
  if (typeof input !== 'string' || !ROLE_NAME.test(input)) {
    throw new ValidationError('INVALID_ROLE_NAME', field, 'must be 1–64 characters of letters, digits, "." and "-"');
  }
  return input;
}

export function isValidSessionName(input: string): boolean {
  return SESSION_NAME.test(input);
}

/** A parsed RAM principal ARN: `acs:ram::<uid>:root`, `:user/<name>`, `:role/<name>`, `:assumed-role/<role>/<session>`. */
export type RamPrincipal =
  | { kind: 'root'; accountId: string; arn: string }
  | { kind: 'user'; accountId: string; name: string; arn: string }
  | { kind: 'role'; accountId: string; name: string; arn: string }
  | { kind: 'assumed-role'; accountId: string; name: string; session: string; arn: string };

const ARN = /^acs:ram::(\d{16}):(root|user\/([^/\s]+)|role\/([^/\s]+)|assumed-role\/([^/\s]+)\/([^/\s]+))$/;

/**
 * Parse a principal ARN strictly. Names are validated and returned as written: whether RAM folds
 * role-name case is unconfirmed (local/COVERAGE.md, RAM "Role names"), so comparing names is the caller's decision.
 */
export function parsePrincipalArn(input: unknown, field = 'arn'): RamPrincipal {
  const bad = (why: string): never => {
    throw new ValidationError('INVALID_ARN', field, `${why}; expected acs:ram::<16-digit uid>:root, :user/<name> or :role/<name>`);
  };
  if (typeof input !== 'string') return bad('must be a string');
  const m = ARN.exec(input);
  if (!m) return bad(`"${truncate(input)}" is not a RAM principal ARN`);
  const accountId = m[1] as string;
  if (m[2] === 'root') return { kind: 'root', accountId, arn: input };
  if (m[3] !== undefined) {
    if (!USER_NAME.test(m[3])) return bad('invalid user name');
    return { kind: 'user', accountId, name: m[3], arn: input };
  }
  if (m[4] !== undefined) {
    if (!ROLE_NAME.test(m[4])) return bad('invalid role name');
    return { kind: 'role', accountId, name: m[4], arn: input };
  }
  if (m[5] !== undefined && m[6] !== undefined) {
    if (!ROLE_NAME.test(m[5]) || !SESSION_NAME.test(m[6])) return bad('invalid assumed-role ARN');
    return { kind: 'assumed-role', accountId, name: m[5], session: m[6], arn: input };
  }
  return bad('unrecognised principal');
}

export function rootArn(accountId: string): string {
  return `acs:ram::${accountId}:root`;
}

export function roleArn(accountId: string, roleName: string): string {
  // RAM returns role ARNs with the name as created; matching is case-insensitive.
  return `acs:ram::${accountId}:role/${roleName.toLowerCase()}`;
}

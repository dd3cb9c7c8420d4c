/**
 * How the CLI fails: every expected failure is a CliError with a stable code, a message that says
 * what was wrong, and a hint that says what to do. Exit codes: 0 ok, 1 failed, 2 usage.
 */
import { CrossroleError } from '../shared/domain/errors';
import { describeCloudFailure } from '../shared/cloud/errors';

export const ExitCode = { OK: 0, FAILED: 1, USAGE: 2 } as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

interface CliErrorOptions {
  hint?: string;
  exitCode?: ExitCode;
  /** HTTP status of the API answer, when the server refused. */
  status?: number;
  field?: string;
  requestId?: string;
  cause?: unknown;
}

export class CliError extends Error {
  readonly code: string;
  readonly hint?: string;
  readonly exitCode: ExitCode;
  readonly status?: number;
  readonly field?: string;
  readonly requestId?: string;

  constructor(code: string, message: string, options: CliErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CliError';
    this.code = code;
    this.exitCode = options.exitCode ?? ExitCode.FAILED;
    if (options.hint !== undefined) this.hint = options.hint;
    if (options.status !== undefined) this.status = options.status;
    if (options.field !== undefined) this.field = options.field;
    if (options.requestId !== undefined) this.requestId = options.requestId;
  }
}

/** Bad command line: exit 2. */
export class UsageError extends CliError {
  constructor(message: string, hint?: string) {
    super('USAGE', message, { exitCode: ExitCode.USAGE, ...(hint === undefined ? {} : { hint }) });
    this.name = 'UsageError';
  }
}

/** What to do about a server error code, in the user's terms. */
const API_HINTS: Record<string, string> = {
  IDENTITY_REJECTED: 'STS did not accept your credentials: check the access key (or --as/--profile) and try again.',
  IDENTITY_EXPIRED: 'your identity proof is too old: check this machine\'s clock.',
  IDENTITY_ENDPOINT_NOT_ALLOWED: 'the server does not trust this STS endpoint: pass the one it is configured with (--sts-endpoint).',
  IDENTITY_MISSING: 'no identity proof reached the server: check --endpoint (a proxy may strip the X-Crossrole-Identity header).',
  FORBIDDEN_NOT_APPROVER: 'only the approvers named in the catalog may do this: run it with an approver\'s credentials (e.g. --as approver).',
  FORBIDDEN_SELF_APPROVAL: 'another approver must decide this request.',
  FORBIDDEN_NOT_OWNER: 'only approvers, the requester and the managers of its partner account (catalog partnerRoles) may do this.',
  FORBIDDEN_NOT_REQUESTER: 'the catalog does not let this identity ask for access: ask with one it names (partnerRoles), or ask its owner.',
  ROLE_NAME_TAKEN: 'choose another --role-name (or none: a name is generated).',
  TICKET_REQUIRED: 'pass the ticket reference with --ticket <ref> (the message says what it looks like).',
  TICKET_INVALID: 'correct --ticket to the format the message shows.',
  ALREADY_REVIEWED: 'a review is final; if the grant is still live and should not be, revoke it: crossrole revoke <id> --reason ...',
  NOT_BREAK_GLASS: 'only break-glass grants are reviewed afterwards; others are decided before (approve / reject).',
  FORBIDDEN_PARTNER_ACCOUNT: 'requests are made with the partner\'s credentials (account B), for principals of that account only.',
  FORBIDDEN_PRIVILEGED_PROFILE: 'this profile is privileged: add --acknowledge-privileged if you really mean it.',
  UNKNOWN_PROFILE: '`crossrole profiles` lists the profiles you may ask for.',
  DURATION_OVER_MAXIMUM: 'ask for a shorter --duration.',
  EXTENSION_TOO_LONG: 'the profile\'s maxTotalDuration caps the grant, extensions included: ask for an earlier --until (the message names the latest).',
  EXTENSION_OPEN: 'another extension or shortening of this grant is open: see `crossrole status <id>`, and ask again once it is decided.',
  NOT_ACTIVE: 'only an ACTIVE grant\'s expiry can change: see `crossrole status <id>`.',
  NOT_FOUND: 'check the request id (`crossrole list`).',
  ILLEGAL_TRANSITION: 'the request is not in a state that allows this: see `crossrole status <id>`.',
  VALIDATION: 'fix the value and try again (see --help).',
  INVALID_DURATION: 'durations look like 90m, 8h, 7d or PT8H.',
  INVALID_ROLE_NAME: 'role names are letters, digits, "." and "-"; see --help.',
  THROTTLED: 'wait a moment and try again.',
  DEPENDENCY_UNAVAILABLE: 'a cloud service the workflow needs is unavailable: try again shortly.',
  CLOUD_ERROR: 'a cloud call failed: try again shortly, or see the function logs.',
};

export function apiHint(code: string): string | undefined {
  return API_HINTS[code];
}

/** What to do about a cloud service's refusal (RAM, STS, MNS, FC, ECS error codes). */
function cloudHint(cloudCode: string): string | undefined {
  if (/^(NoPermission|Forbidden|AccessDenied|NotAuthorized)/.test(cloudCode)) {
    return 'the credentials used lack this permission in RAM: use another principal (--as / --profile) or ask the account\'s administrator.';
  }
  if (/^(InvalidAccessKeyId|InvalidSecurityToken|Signature|MissingSecurityToken|InvalidCredentials)/.test(cloudCode)) {
    return 'the cloud refused these credentials: check the AccessKey (or --as / --profile) and the clock.';
  }
  if (/^(EntityNotExist|FunctionNotFound|ServiceNotFound|QueueNotExist)/.test(cloudCode)) return 'check the name; `crossrole bootstrap` creates the queues and the execution role.';
  return undefined;
}

/** Any thrown value as a CliError (SDK and domain errors keep their codes). */
export function toCliError(e: unknown): CliError {
  if (e instanceof CliError) return e;
  if (e instanceof CrossroleError) {
    const cloudCode = typeof e.details?.['cloudCode'] === 'string' ? e.details['cloudCode'] : undefined;
    const code = cloudCode ?? e.code;
    const hint = cloudCode !== undefined ? cloudHint(cloudCode) : apiHint(e.code);
    return new CliError(code, e.message, { cause: e, ...(hint === undefined ? {} : { hint }), ...(e.field === undefined ? {} : { field: e.field }) });
  }
  const f = describeCloudFailure(e);
  if (f.code !== undefined && cloudHint(f.code) !== undefined) return new CliError(f.code, f.message, { cause: e, hint: cloudHint(f.code) ?? '' });
  if (f.transport) {
    return new CliError('UNREACHABLE', f.message, { cause: e, hint: 'check the endpoint, and that the service (or `npm start`) is running.' });
  }
  return new CliError(f.code ?? 'INTERNAL', f.message, { cause: e });
}

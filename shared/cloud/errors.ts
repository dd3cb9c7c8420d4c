/**
 * The ONE place where cloud SDK failures become domain errors. Adapters decide only the
 * idempotency exceptions (e.g. "already attached" is success); everything else goes through
 * {@link translateCloudError}, so the same cloud code always means the same domain code.
 *
 * The SDKs surface errors differently (read from @alicloud/openapi-core src/client.ts and
 * @alicloud/mns, @alicloud/fc2 lib/client.js):
 * - openapi-core (RAM/STS, and FC 3.0's @alicloud/fc20230330): `err.code`, `err.statusCode`,
 *   `err.data.Code`, `err.retryAfter`;
 * - @alicloud/mns: only `err.name = 'MNS<Code>Error'`, the status in the message text;
 * - @alicloud/fc2: `err.code`, `err.name = 'FC<Code>Error'`, the status in the message text;
 * - transport: Node errors with `code` ECONNREFUSED..., `RequestTimeoutError`, or a raw
 *   SyntaxError when a proxy answers HTML.
 */
import { CrossroleError, type ErrorCode } from '../domain/errors';

export type CloudService = 'RAM' | 'STS' | 'MNS' | 'FC' | 'KMS';

/** What we could read off a thrown SDK/transport error. */
interface CloudFailure {
  /** The service's error code (e.g. `EntityNotExist.Role`), when the service answered. */
  code?: string;
  statusCode?: number;
  requestId?: string;
  /** ms, from `x-acs-retry-after` on POP throttling errors. */
  retryAfterMs?: number;
  /** True when no usable answer came back (connection refused/reset, timeout, non-JSON body). */
  transport: boolean;
  message: string;
}

const TRANSPORT_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH',
  'ENETUNREACH', 'ECONNABORTED', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'ERR_SOCKET_CONNECTION_TIMEOUT',
]);
const TRANSPORT_NAMES = new Set(['RequestTimeoutError', 'ConnectTimeoutError', 'ReadTimeoutError', 'SyntaxError', 'AbortError', 'TimeoutError']);

function prop(e: object, key: string): unknown {
  return (e as Record<string, unknown>)[key];
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** Read code/status/requestId out of any of the SDKs' error shapes. */
export function describeCloudFailure(e: unknown): CloudFailure {
  if (typeof e !== 'object' || e === null) return { transport: false, message: String(e) };
  const message = str(prop(e, 'message')) ?? String(e);
  const name = str(prop(e, 'name')) ?? '';
  const data = prop(e, 'data');
  let code = str(prop(e, 'code')) ?? (typeof data === 'object' && data !== null ? str(prop(data, 'Code')) : undefined);
  // MNS/FC put the code only in the error name: `MNSQueueNotExistError`, `FCFunctionNotFoundError`.
  const named = /^(?:MNS|FC)(.+)Error$/.exec(name);
  if (!code && named?.[1] && named[1] !== 'undefined') code = named[1];
  let statusCode = typeof prop(e, 'statusCode') === 'number' ? (prop(e, 'statusCode') as number) : undefined;
  if (statusCode === undefined) {
    const m = / failed with (\d{3})\./.exec(message);
    if (m?.[1]) statusCode = Number(m[1]);
  }
  const requestId = str(prop(e, 'requestId')) ?? (typeof data === 'object' && data !== null ? str(prop(data, 'RequestId')) : undefined);
  const retryAfter = prop(e, 'retryAfter');
  const transport = (code !== undefined && TRANSPORT_CODES.has(code)) || (!named && TRANSPORT_NAMES.has(name) && statusCode === undefined);
  return {
    ...(code !== undefined && !TRANSPORT_CODES.has(code) ? { code } : {}),
    ...(statusCode !== undefined ? { statusCode } : {}),
    ...(requestId !== undefined ? { requestId } : {}),
    ...(typeof retryAfter === 'number' && retryAfter > 0 ? { retryAfterMs: retryAfter } : {}),
    transport: transport || (code !== undefined && TRANSPORT_CODES.has(code)),
    message,
  };
}

/** Transient: worth another attempt with backoff (throttling, 5xx, transport). */
export function isRetryableFailure(f: CloudFailure): boolean {
  if (f.transport) return true;
  const code = f.code ?? '';
  if (/Throttling/i.test(code) || code === 'ResourceExhausted' || code === 'ResourceThrottled') return true;
  if (code === 'InternalError' || code === 'InternalFailure' || code === 'ServiceUnavailable' || code === 'InternalServerError') return true;
  return f.statusCode !== undefined && f.statusCode >= 500;
}

interface Rule {
  test: (code: string) => boolean;
  domain: ErrorCode;
  message: (ctx: TranslationContext, code: string) => string;
  extra?: (code: string) => Record<string, unknown>;
}

interface TranslationContext {
  service: CloudService;
  /** The API action, e.g. `CreateRole`, `SendMessage`. */
  action: string;
  /** What it acted on, e.g. a role name or queue name (for the message only). */
  resource?: string;
}

const on = (ctx: TranslationContext): string => `${ctx.service} ${ctx.action}${ctx.resource ? ` on ${ctx.resource}` : ''}`;

/**
 * Ordered, first match wins. Retryable failures never reach this table with a final verdict:
 * the caller retries them and, once attempts are exhausted, {@link translateCloudError} makes
 * them DEPENDENCY_UNAVAILABLE.
 */
const CLOUD_ERROR_TABLE: readonly Rule[] = [
  { test: (c) => c.startsWith('EntityAlreadyExists'), domain: 'ALREADY_EXISTS', message: (x, c) => `${on(x)}: already exists (${c})` },
  { test: (c) => c.startsWith('EntityNotExist'), domain: 'NOT_FOUND', message: (x, c) => `${on(x)}: not found (${c})` },
  { test: (c) => c === 'QueueNotExist', domain: 'DEPENDENCY_UNAVAILABLE',
    message: (x) => `${on(x)}: the queue does not exist; create it first (crossrole bootstrap)` },
  { test: (c) => c === 'FunctionNotFound' || c === 'TriggerNotFound' || c === 'ServiceNotFound', domain: 'NOT_FOUND', message: (x, c) => `${on(x)}: not found (${c})` },
  { test: (c) => c.startsWith('DeleteConflict'), domain: 'DELETE_CONFLICT', message: (x, c) => `${on(x)}: still in use (${c})` },
  { test: (c) => c.startsWith('LimitExceeded'), domain: 'LIMIT_EXCEEDED',
    message: (x, c) => `${on(x)}: account quota ${quotaOf(c)} reached (${c})`, extra: (c) => ({ quota: quotaOf(c) }) },
  { test: (c) => c === 'NoPermission' || c.startsWith('Forbidden') || c.startsWith('AccessDenied') || c === 'NotAuthorized',
    domain: 'CLOUD_ERROR', message: (x, c) => `${on(x)} was denied (${c}): the caller's RAM policies do not allow ${x.action}` },
  { test: (c) => c.startsWith('InvalidAccessKeyId') || c.startsWith('InvalidSecurityToken') || c === 'SignatureDoesNotMatch'
    || c === 'SignatureNotMatch' || c === 'MissingSecurityToken' || c.startsWith('InvalidTimeStamp') || c === 'InvalidCredentials',
  domain: 'CLOUD_ERROR', message: (x, c) => `${on(x)}: the credentials were refused (${c})` },
  { test: (c) => /^(?:MalformedPolicyDocument|InvalidParameter\.(?:PolicyDocument|AssumeRolePolicyDocument|NewAssumeRolePolicyDocument|PolicyGrammar|PolicySize)\b)/.test(c), domain: 'INVALID_POLICY',
    message: (x, c) => `${on(x)}: the policy document was refused (${c})` },
  { test: (c) => c.startsWith('InvalidParameter') || c.startsWith('Missing') || c === 'InvalidArgument' || c === 'MalformedXML',
    domain: 'VALIDATION', message: (x, c) => `${on(x)}: invalid parameter (${c})` },
];

function quotaOf(code: string): string {
  const rest = code.slice('LimitExceeded'.length).replace(/^\./, '');
  return rest === '' ? 'unknown' : rest;
}

/** Turn a failure into a CrossroleError; `attempts` > 1 means retries already ran out. */
export function translateCloudError(e: unknown, ctx: TranslationContext, attempts = 1): CrossroleError {
  if (e instanceof CrossroleError) return e;
  const f = describeCloudFailure(e);
  const details: Record<string, unknown> = {
    service: ctx.service,
    action: ctx.action,
    ...(ctx.resource !== undefined ? { resource: ctx.resource } : {}),
    ...(f.code !== undefined ? { cloudCode: f.code } : {}),
    ...(f.statusCode !== undefined ? { cloudStatus: f.statusCode } : {}),
    ...(f.requestId !== undefined ? { requestId: f.requestId } : {}),
    ...(attempts > 1 ? { attempts } : {}),
  };
  const code = f.code ?? '';
  for (const rule of CLOUD_ERROR_TABLE) {
    if (code !== '' && rule.test(code)) {
      return new CrossroleError(rule.domain, rule.message(ctx, code), { cause: e, details: { ...details, ...(rule.extra?.(code) ?? {}) } });
    }
  }
  if (isRetryableFailure(f)) {
    const why = f.transport ? `unreachable (${f.message})` : `unavailable (${f.code ?? f.statusCode ?? 'error'})`;
    return new CrossroleError('DEPENDENCY_UNAVAILABLE', `${on(ctx)}: ${why}${attempts > 1 ? ` after ${attempts} attempts` : ''}`, { cause: e, details });
  }
  return new CrossroleError('CLOUD_ERROR', `${on(ctx)} failed: ${f.code ? `${f.code}: ` : ''}${f.message}`, { cause: e, details });
}

/** The cloud code of a failure (for adapters' idempotency checks). */
export function cloudCodeOf(e: unknown): string | undefined {
  if (e instanceof CrossroleError) {
    const c = e.details?.['cloudCode'];
    return typeof c === 'string' ? c : undefined;
  }
  return describeCloudFailure(e).code;
}

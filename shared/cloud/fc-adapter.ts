/**
 * Invoke a function through the FC 2.0 API with @alicloud/fc2 (protocols.md §4):
 * `POST /2016-08-15/services/<service>/functions/<fn>/invocations`. FC 3.0 has no services; the
 * local runtime accepts any service name, and the convention here is `crossrole`.
 *
 * A function that throws is NOT an HTTP error in FC (200 + `x-fc-error-type`); it is surfaced as a
 * CLOUD_ERROR with the function's errorMessage, so callers see one failure path.
 *
 * @alicloud/fc2 is loaded on first use, not at import: it pulls in ali-oss, whose package ships .ts
 * sources next to its .js, and jest's resolver (ts before js) then fails to load it. Importing this
 * module (or the shared/cloud barrel) must stay safe everywhere.
 */
import type FCClient from '@alicloud/fc2';
import { CrossroleError, ValidationError } from '../domain/errors';
import { silentLogger, type Logger } from '../domain/ports';
import { createCallRunner, type ActionStats } from './call-runner';
import { clientForCredentials } from './client-cache';
import type { CredentialsInput } from './credentials';
import { unlimited, type RateLimiter } from './rate-limiter';
import type { RetryOptions } from './retry';

export const DEFAULT_FC_SERVICE = 'crossrole';

export interface FcInvokerOptions {
  /** Full URL: `http://127.0.0.1:9494` or `https://<uid>.<region>.fc.aliyuncs.com`. */
  endpoint: string;
  accountId: string;
  region: string;
  credentials: CredentialsInput;
  /** FC 2.0 service name (default `crossrole`). */
  serviceName?: string;
  logger?: Logger;
  /** Read+connect timeout, ms (default 60 s: the SDK's own default). */
  timeoutMs?: number;
  limiter?: RateLimiter;
  /**
   * Default: no retries. A timed-out synchronous invocation may have run, and re-sending it would
   * run it twice; callers whose function is idempotent may opt in.
   */
  retry?: RetryOptions;
  /** Builds the SDK client (default: `new FCClient(...)` from @alicloud/fc2, loaded lazily). */
  clientFactory?: FcClientFactory;
}

/** The part of @alicloud/fc2's client the invoker uses (tests inject a fake). */
export type FcClientLike = Pick<FCClient, 'invokeFunction'>;
export type FcClientFactory = (accountId: string, config: ConstructorParameters<typeof FCClient>[1]) => FcClientLike | Promise<FcClientLike>;

const sdkFactory: FcClientFactory = async (accountId, config) => {
  const { default: Client } = await import('@alicloud/fc2');
  return new Client(accountId, config);
};

export interface FcInvocationResult {
  requestId?: string;
  /** Sync: the parsed JSON result when the function answered JSON, else its text. Async: undefined. */
  result?: unknown;
}

export interface FcInvoker {
  invoke(functionName: string, event: unknown, options?: { async?: boolean }): Promise<FcInvocationResult>;
  callCount(): number;
  callStats(): Record<string, ActionStats>;
}

function payloadOf(event: unknown): string | Buffer {
  if (Buffer.isBuffer(event) || typeof event === 'string') return event;
  return JSON.stringify(event ?? {});
}

function parseResult(data: unknown): unknown {
  if (Buffer.isBuffer(data)) data = data.toString('utf8');
  if (typeof data !== 'string') return data;
  if (data === '') return undefined;
  try {
    return JSON.parse(data) as unknown;
  } catch {
    return data;
  }
}

export function createFcInvoker(options: FcInvokerOptions): FcInvoker {
  if (!/^https?:\/\/[^/]+\/?$/.test(options.endpoint)) {
    throw new ValidationError('INVALID_CONFIG', 'endpoint', `must be http(s)://host[:port] (got ${JSON.stringify(options.endpoint)})`);
  }
  const endpoint = options.endpoint.replace(/\/$/, '');
  const serviceName = options.serviceName ?? DEFAULT_FC_SERVICE;
  const runner = createCallRunner({
    service: 'FC',
    limiter: options.limiter ?? unlimited,
    logger: options.logger ?? silentLogger,
    retry: options.retry ?? { maxAttempts: 1 },
  });
  const factory = options.clientFactory ?? sdkFactory;
  const client = clientForCredentials(options.credentials, (c) => factory(options.accountId, {
    accessKeyID: c.accessKeyId,
    accessKeySecret: c.accessKeySecret,
    region: options.region,
    endpoint,
    timeout: options.timeoutMs ?? 60_000,
    ...(c.securityToken ? { securityToken: c.securityToken } : {}),
  }));

  return {
    async invoke(functionName, event, invokeOptions = {}) {
      const fc = await client();
      const headers: Record<string, string> = invokeOptions.async ? { 'x-fc-invocation-type': 'Async' } : {};
      const r = await runner.run('InvokeFunction', `${serviceName}/${functionName}`,
        () => fc.invokeFunction(serviceName, functionName, payloadOf(event), headers));
      const requestId = r.headers['x-fc-request-id'];
      const errorType = r.headers['x-fc-error-type'];
      if (errorType) {
        const data = parseResult(r.data);
        const message = typeof data === 'object' && data !== null && typeof (data as Record<string, unknown>)['errorMessage'] === 'string'
          ? String((data as Record<string, unknown>)['errorMessage'])
          : typeof data === 'string' ? data : 'the function failed';
        throw new CrossroleError('CLOUD_ERROR', `FC function ${functionName} failed: ${message}`, {
          details: { service: 'FC', action: 'InvokeFunction', resource: `${serviceName}/${functionName}`, fcErrorType: errorType, ...(requestId ? { requestId } : {}) },
        });
      }
      if (invokeOptions.async) return requestId ? { requestId } : {};
      return { ...(requestId ? { requestId } : {}), result: parseResult(r.data) };
    },
    callCount: () => runner.callCount(),
    callStats: () => runner.callStats(),
  };
}

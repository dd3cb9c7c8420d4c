/**
 * Function Compute 3.0 over @alicloud/fc20230330, API version 2023-03-30
 * (www.alibabacloud.com/help/en/functioncompute/feature-updates-in-function-compute-3):
 * FC 3.0 has no services, functions are top-level, and the endpoint `<uid>.<region>.fc.aliyuncs.com`
 * names the account. InvokeFunction for `crossrole invoke`; GetFunction, ListTriggers and GetTrigger
 * so a deployment check can compare what runs with s.yaml.
 *
 * @alicloud/fc2 (API 2016-08-15, `services/<svc>/functions/<fn>`) is not used: whether that API can
 * reach a function created in FC 3.0 is UNCONFIRMED, and nothing here needs it.
 *
 * A function that throws is NOT an HTTP error in FC (200 + `x-fc-error-type`); it is surfaced as a
 * CLOUD_ERROR with the function's errorMessage, so callers see one failure path. API errors go
 * through the one translation table (errors.ts): FunctionNotFound/TriggerNotFound → NOT_FOUND,
 * AccessDenied → CLOUD_ERROR "was denied", SignatureNotMatch → "credentials were refused".
 *
 * The SDK is loaded on first use, not at import: its ~280 generated model files cost a third of a
 * second, and every CLI command that imports the shared/cloud barrel would pay it.
 */
import { Readable } from 'node:stream';
import type Fc3 from '@alicloud/fc20230330';
import type * as $Fc3 from '@alicloud/fc20230330';
import type { $OpenApiUtil } from '@alicloud/openapi-core';
// The SDK's runtime-options class (a dependency of @alicloud/fc20230330 and openapi-core): the only
// way to pass InvokeFunction's headers and a per-call read timeout.
import { RuntimeOptions } from '@darabonba/typescript';
import { CrossroleError, ValidationError } from '../domain/errors';
import { silentLogger, type Logger } from '../domain/ports';
import { createCallRunner, type ActionStats } from './call-runner';
import type { CredentialsInput } from './credentials';
import { popConfig } from './pop-config';
import { unlimited, type RateLimiter } from './rate-limiter';
import type { RetryOptions } from './retry';

interface FcClientOptions {
  /** Full URL: `http://127.0.0.1:9494` (local) or `https://<uid>.<region>.fc.aliyuncs.com`. */
  endpoint: string;
  credentials: CredentialsInput;
  logger?: Logger;
  /**
   * Read timeout of a synchronous InvokeFunction, ms. The answer comes when the function ends, so
   * the default, 180 s, outlasts the longest timeout in s.yaml (crossrole-expiry, 120 s).
   */
  invokeTimeoutMs?: number;
  /** Read and connect timeout of the other calls, ms (default 10 s). */
  timeoutMs?: number;
  limiter?: RateLimiter;
  /**
   * Retries of the read calls (GetFunction, ListTriggers, GetTrigger); default 3 attempts.
   * InvokeFunction is never re-sent: a timed-out invocation may have run.
   */
  retry?: RetryOptions;
  /** Builds the SDK client (default `new Fc3(config)`); tests inject a fake. */
  clientFactory?: FcClientFactory;
}

/** The part of @alicloud/fc20230330's client this adapter uses. */
export type FcSdkClient = Pick<Fc3, 'invokeFunctionWithOptions' | 'getFunction' | 'listTriggers' | 'getTrigger'>;
export type FcClientFactory = (config: $OpenApiUtil.Config) => FcSdkClient;

type Fc3Module = typeof $Fc3;
let sdkModule: Promise<Fc3Module> | undefined;
/**
 * Node's own import() of this CommonJS package (the bundled CLI) gives a namespace whose `default`
 * is module.exports; transpiled interop (jest) gives the package's exports, `default` being the
 * client class. Either way, answer the exports.
 */
function commonJsExports(m: Fc3Module): Fc3Module {
  const d: unknown = m.default;
  return typeof d === 'function' ? m : (d as Fc3Module);
}
const loadSdk = (): Promise<Fc3Module> => (sdkModule ??= import('@alicloud/fc20230330').then(commonJsExports));

interface FcInvocationResult {
  requestId?: string;
  /** Sync: the parsed JSON result when the function answered JSON, else its text. Async: undefined. */
  result?: unknown;
}

interface FcFunctionInfo {
  name: string;
  arn?: string;
  runtime?: string;
  handler?: string;
  role?: string;
  timeoutSeconds?: number;
  memoryMb?: number;
  state?: string;
  /** Names only: values may be secrets. */
  environmentVariableNames: string[];
}

interface FcTriggerInfo {
  name: string;
  type: string;
  qualifier?: string;
  /** `triggerConfig` parsed from the JSON text FC returns; `{}` when absent or unreadable. */
  config: Record<string, unknown>;
  /** HTTP triggers: the public and VPC URLs. */
  urlInternet?: string;
  urlIntranet?: string;
}

export interface FcClient {
  invoke(functionName: string, event: unknown, options?: { async?: boolean; qualifier?: string }): Promise<FcInvocationResult>;
  /** undefined when the function does not exist. */
  getFunction(functionName: string): Promise<FcFunctionInfo | undefined>;
  /** Every trigger of the function, all pages. */
  listTriggers(functionName: string): Promise<FcTriggerInfo[]>;
  /** undefined when the trigger does not exist. */
  getTrigger(functionName: string, triggerName: string): Promise<FcTriggerInfo | undefined>;
  callCount(): number;
  callStats(): Record<string, ActionStats>;
}

function payloadOf(event: unknown): Buffer {
  if (Buffer.isBuffer(event)) return event;
  return Buffer.from(typeof event === 'string' ? event : JSON.stringify(event ?? {}), 'utf8');
}

function parseResult(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

async function readAll(body: Readable | undefined): Promise<string> {
  if (!body) return '';
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString('utf8');
}

function triggerInfo(t: $Fc3.Trigger): FcTriggerInfo {
  let config: Record<string, unknown> = {};
  try {
    const parsed = JSON.parse(t.triggerConfig ?? '{}') as unknown;
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) config = parsed as Record<string, unknown>;
  } catch {
    // An unreadable config is reported as empty; the raw text is not a contract worth exposing.
  }
  return {
    name: t.triggerName ?? '',
    type: t.triggerType ?? '',
    ...(t.qualifier ? { qualifier: t.qualifier } : {}),
    config,
    ...(t.httpTrigger?.urlInternet ? { urlInternet: t.httpTrigger.urlInternet } : {}),
    ...(t.httpTrigger?.urlIntranet ? { urlIntranet: t.httpTrigger.urlIntranet } : {}),
  };
}

const notFound = (e: unknown): boolean => e instanceof CrossroleError && e.code === 'NOT_FOUND';

export function createFcClient(options: FcClientOptions): FcClient {
  const m = /^(https?):\/\/([^/]+)\/?$/.exec(options.endpoint);
  if (!m || m[1] === undefined || m[2] === undefined) {
    throw new ValidationError('INVALID_CONFIG', 'endpoint', `must be http(s)://host[:port] (got ${JSON.stringify(options.endpoint)})`);
  }
  const timeoutMs = options.timeoutMs ?? 10_000;
  const config = popConfig({ endpoint: m[2], protocol: m[1] as 'http' | 'https', credentials: options.credentials, readTimeoutMs: timeoutMs, connectTimeoutMs: timeoutMs });
  let client: Promise<{ m: Fc3Module; sdk: FcSdkClient }> | undefined;
  const load = (): Promise<{ m: Fc3Module; sdk: FcSdkClient }> => (client ??= loadSdk().then((m) => ({ m, sdk: (options.clientFactory ?? ((c) => new m.default(c)))(config) })));
  const logger = options.logger ?? silentLogger;
  const limiter = options.limiter ?? unlimited;
  const invoker = createCallRunner({ service: 'FC', limiter, logger, retry: { maxAttempts: 1 } });
  const reader = createCallRunner({ service: 'FC', limiter, logger, ...(options.retry ? { retry: options.retry } : {}) });
  const invokeTimeoutMs = options.invokeTimeoutMs ?? 180_000;

  return {
    async invoke(functionName, event, invokeOptions = {}) {
      const { m, sdk } = await load();
      const request = new m.InvokeFunctionRequest({
        body: Readable.from([payloadOf(event)]),
        ...(invokeOptions.qualifier === undefined ? {} : { qualifier: invokeOptions.qualifier }),
      });
      const headers = new m.InvokeFunctionHeaders({ xFcInvocationType: invokeOptions.async ? 'Async' : 'Sync' });
      // openapi-core only honours a timeout when both are set (@alicloud/openapi-core src/client.ts).
      const runtime = new RuntimeOptions({ readTimeout: invokeTimeoutMs, connectTimeout: timeoutMs });
      const r = await invoker.run('InvokeFunction', functionName, async () => {
        const res = await sdk.invokeFunctionWithOptions(functionName, request, headers, runtime);
        return { headers: res.headers ?? {}, text: await readAll(res.body) };
      });
      const requestId = r.headers['x-fc-request-id'];
      const errorType = r.headers['x-fc-error-type'];
      if (errorType) {
        const data = parseResult(r.text);
        const message = typeof data === 'object' && data !== null && typeof (data as Record<string, unknown>)['errorMessage'] === 'string'
          ? String((data as Record<string, unknown>)['errorMessage'])
          : typeof data === 'string' ? data : 'the function failed';
        throw new CrossroleError('CLOUD_ERROR', `FC function ${functionName} failed: ${message}`, {
          details: { service: 'FC', action: 'InvokeFunction', resource: functionName, fcErrorType: errorType, ...(requestId ? { requestId } : {}) },
        });
      }
      if (invokeOptions.async) return requestId ? { requestId } : {};
      return { ...(requestId ? { requestId } : {}), result: parseResult(r.text) };
    },

    async getFunction(functionName) {
      const { m, sdk } = await load();
      try {
        const r = await reader.run('GetFunction', functionName, () => sdk.getFunction(functionName, new m.GetFunctionRequest({})));
        const f = r.body;
        return {
          name: f?.functionName ?? functionName,
          ...(f?.functionArn ? { arn: f.functionArn } : {}),
          ...(f?.runtime ? { runtime: f.runtime } : {}),
          ...(f?.handler ? { handler: f.handler } : {}),
          ...(f?.role ? { role: f.role } : {}),
          ...(f?.timeout !== undefined ? { timeoutSeconds: f.timeout } : {}),
          ...(f?.memorySize !== undefined ? { memoryMb: f.memorySize } : {}),
          ...(f?.state ? { state: f.state } : {}),
          environmentVariableNames: Object.keys(f?.environmentVariables ?? {}).sort(),
        };
      } catch (e) {
        if (notFound(e)) return undefined;
        throw e;
      }
    },

    async listTriggers(functionName) {
      const { m, sdk } = await load();
      const all: FcTriggerInfo[] = [];
      let nextToken: string | undefined;
      do {
        const token = nextToken;
        const r = await reader.run('ListTriggers', functionName, () => sdk.listTriggers(functionName, new m.ListTriggersRequest({ limit: 100, ...(token ? { nextToken: token } : {}) })));
        all.push(...(r.body?.triggers ?? []).map(triggerInfo));
        nextToken = r.body?.nextToken || undefined;
      } while (nextToken !== undefined);
      return all;
    },

    async getTrigger(functionName, triggerName) {
      const { sdk } = await load();
      try {
        const r = await reader.run('GetTrigger', `${functionName}/${triggerName}`, () => sdk.getTrigger(functionName, triggerName));
        return r.body ? triggerInfo(r.body) : undefined;
      } catch (e) {
        if (notFound(e)) return undefined;
        throw e;
      }
    },

    callCount: () => invoker.callCount() + reader.callCount(),
    callStats: () => ({ ...reader.callStats(), ...invoker.callStats() }),
  };
}

/**
 * The whole local stack (local/stack.ts) for integration and e2e tests: started in a temporary
 * data directory on a free port with timers off (tests fire them) and 50 ms queue retries, plus
 * an HTTP client for the intake/approval triggers that signs a fresh identity proof per call,
 * and the real SDK clients of test/helpers/local-server.ts bound to the stack's endpoint.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildIdentityProof, IDENTITY_HEADER } from '../../shared/identity';
import { startLocalStack, type LocalContract, type LocalPrincipal, type LocalStack, type LocalStackOptions } from '../../local/stack';
import type { FcLogger } from '../../local/fc/types';
import type { PrincipalName } from '../../local/world';
import { ensureBuilt, PROJECT_ROOT } from './build';
import { ecsClient, ramClient, stsClient, type ClientOptions, type Creds } from './local-server';
import type { AccessRequest } from '../../shared/domain/access-request';

export { PROJECT_ROOT };

export type Api = 'intake' | 'approval';

export interface CallOptions {
  /** JSON-encoded unless a string (sent as is, e.g. malformed JSON). */
  body?: unknown;
  /** Identity header value: a proof to use instead of a fresh one, or null to send none. */
  proof?: string | null;
  headers?: Record<string, string>;
}

export interface ApiError {
  code: string;
  message: string;
  field?: string;
}

export interface ApiResponse<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  /** Parsed JSON body (undefined when the body is not JSON). */
  body: T & { error?: ApiError };
  text: string;
}

export interface ApiClient {
  readonly principal: LocalPrincipal;
  call<T = Record<string, unknown>>(api: Api, method: string, path: string, options?: CallOptions): Promise<ApiResponse<T>>;
  /** A fresh identity proof of this principal (each is usable once). */
  proof(): string;
}

/** A request as the API returns it: the ledger's entity, serialised as JSON. */
export type ApiRequest = AccessRequest;

export interface TestStack {
  stack: LocalStack;
  contract: LocalContract;
  dataDir: string;
  /** An HTTP client acting as one of the seeded principals, or as any key pair. */
  api(principal: PrincipalName | LocalPrincipal): ApiClient;
  /** Poll GET /requests/{id} (as the approver) until the status is reached; fails with the last state seen. */
  waitForStatus(id: string, status: string, timeoutMs?: number): Promise<ApiRequest>;
  ram(creds: Creds, opts?: ClientOptions): ReturnType<typeof ramClient>;
  sts(creds: Creds, opts?: ClientOptions): ReturnType<typeof stsClient>;
  ecs(creds: Creds, opts?: ClientOptions): ReturnType<typeof ecsClient>;
  /**
   * Warnings and errors of the FC runtime itself so far (failed queue deliveries, dead letters,
   * crashed instances), as `message: error`; empty when every trigger ran clean.
   */
  runtimeProblems(): string[];
  close(): Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Build if stale, then start the stack in a fresh temporary directory. */
export async function startTestStack(overrides: Partial<LocalStackOptions> = {}): Promise<TestStack> {
  await ensureBuilt();
  const dataDir = mkdtempSync(join(tmpdir(), 'crossrole-stack-'));
  const problems: string[] = [];
  // Only the runtime's own lines (`fc ...`); the functions' logs are theirs to assert.
  const note = (msg: string, fields?: Record<string, unknown>): void => {
    if (msg.startsWith('fc ')) problems.push(`${msg}: ${String(fields?.error ?? fields?.reason ?? '')}`);
  };
  const logger: FcLogger = { debug: () => undefined, info: () => undefined, warn: note, error: note };
  let stack: LocalStack;
  try {
    stack = await startLocalStack({ projectRoot: PROJECT_ROOT, port: 0, dataDir, timers: false, retryDelayMs: 50, logger, ...overrides });
  } catch (e) {
    rmSync(dataDir, { recursive: true, force: true });
    throw e;
  }
  const { contract } = stack;
  const base: Record<Api, string> = { intake: contract.api.intake, approval: contract.api.approval };

  function api(who: PrincipalName | LocalPrincipal): ApiClient {
    const principal = typeof who === 'string' ? contract.principals[who] : who;
    const proof = (): string =>
      buildIdentityProof({ stsEndpoint: contract.endpoint, protocol: 'http', credentials: { accessKeyId: principal.accessKeyId, accessKeySecret: principal.accessKeySecret } });
    return {
      principal,
      proof,
      async call<T>(which: Api, method: string, path: string, options: CallOptions = {}): Promise<ApiResponse<T>> {
        const headers: Record<string, string> = { ...(options.headers ?? {}) };
        const p = options.proof === undefined ? proof() : options.proof;
        if (p !== null) headers[IDENTITY_HEADER] = p;
        let body: string | undefined;
        if (options.body !== undefined) {
          body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
          headers['content-type'] ??= 'application/json';
        }
        const res = await fetch(`${base[which]}${path}`, { method, headers, ...(body === undefined ? {} : { body }) });
        const text = await res.text();
        let parsed: unknown;
        try {
          parsed = JSON.parse(text) as unknown;
        } catch {
          parsed = undefined;
        }
        return { status: res.status, headers: res.headers, body: parsed as ApiResponse<T>['body'], text };
      },
    };
  }

  const approver = api('approver');
  async function waitForStatus(id: string, status: string, timeoutMs = 10_000): Promise<ApiRequest> {
    const deadline = Date.now() + timeoutMs;
    let last: ApiResponse<{ request: ApiRequest }> | undefined;
    for (;;) {
      last = await approver.call<{ request: ApiRequest }>('approval', 'GET', `/requests/${encodeURIComponent(id)}`);
      if (last.status === 200 && last.body.request.status === status) return last.body.request;
      if (Date.now() > deadline) {
        const seen = last.status === 200 ? `status ${last.body.request.status}${last.body.request.lastError ? ` (${last.body.request.lastError})` : ''}` : `HTTP ${last.status} ${last.text}`;
        throw new Error(`request ${id} did not reach ${status} within ${timeoutMs} ms; last seen: ${seen}`);
      }
      await sleep(100);
    }
  }

  return {
    stack,
    contract,
    dataDir,
    api,
    waitForStatus,
    ram: (creds, opts) => ramClient(stack.server, creds, opts),
    sts: (creds, opts) => stsClient(stack.server, creds, opts),
    ecs: (creds, opts) => ecsClient(stack.server, creds, opts),
    runtimeProblems: () => [...problems],
    async close() {
      try {
        await stack.close();
      } finally {
        rmSync(dataDir, { recursive: true, force: true });
      }
    },
  };
}

/** Credentials of a seeded principal in the shape the SDK client helpers take. */
export function credsOf(p: LocalPrincipal): Creds {
  return { accessKeyId: p.accessKeyId, accessKeySecret: p.accessKeySecret };
}

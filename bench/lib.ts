/**
 * Shared pieces of the benchmark: statistics, bounded waiting, the local stack with the
 * instrumentation the figures need, and the HTTP calls of partners and approvers.
 *
 * Instrumentation never changes product code: RAM/STS calls are counted by wrapping the local
 * server's fault injector (every RAM and STS request passes `faults.check(action)` before the
 * rate limit), and throttling retries are counted from the functions' own warning log lines,
 * which the local FC runtime forwards to the stack's logger.
 */
import { Pool } from 'pg';
import { startLocalStack, type LocalStack, type LocalStackOptions } from '../local/stack';
import { PARTNER_ACCOUNT_ID } from '../local/world';
import type { FcLogger } from '../local/fc/types';
import type { CloudCredentials } from '../shared/cloud/credentials';
import { buildIdentityProof } from '../shared/identity';

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Nearest-rank percentile of an unsorted sample (ms or s); NaN for an empty sample. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1] ?? Number.NaN;
}

export interface Summary {
  n: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

export function summarize(values: readonly number[]): Summary {
  const mean = values.length === 0 ? Number.NaN : values.reduce((a, b) => a + b, 0) / values.length;
  return { n: values.length, p50: percentile(values, 50), p95: percentile(values, 95), p99: percentile(values, 99), max: values.length === 0 ? Number.NaN : Math.max(...values), mean };
}

export const round = (x: number, digits = 1): number => (Number.isFinite(x) ? Math.round(x * 10 ** digits) / 10 ** digits : x);

/** Poll `probe` every `everyMs` until it returns a value other than undefined, or throw after `timeoutMs`. */
export async function waitFor<T>(what: string, timeoutMs: number, everyMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** Run `worker` over `items` with at most `concurrency` in flight. */
export async function pool<T, R>(items: readonly T[], concurrency: number, worker: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    for (;;) {
      const i = next++;
      if (i >= items.length) return;
      out[i] = await worker(items[i] as T, i);
    }
  });
  await Promise.all(lanes);
  return out;
}

/** What the instrumented stack saw besides the product's own results. */
export interface StackProbe {
  /** RAM/STS requests that reached the local server, by action (including throttled ones). */
  calls: Map<string, number>;
  /** Adapter retries after a `Throttling*` answer, from the functions' warning log lines. */
  throttleRetries: number;
  /** Other adapter retries (transient failures). */
  otherRetries: number;
  /** Invocations that gave up and threw (the queue trigger redelivers their message). */
  attemptsFailed: number;
  /** FC cold starts by function (instances spawned). */
  coldStarts: Map<string, number>;
  /** Invocation durations by function, ms (dispatch to answer, as the local FC reports them). */
  invocations: Map<string, number[]>;
  /** Warnings and errors logged by the functions or the runtime (first few kept). */
  warnings: string[];
  warningCount: number;
  /** Requests per server second (fixed windows, as the local RAM counts them), by action. */
  perSecond: Map<string, Map<number, number>>;
}

export interface BenchStack {
  stack: LocalStack;
  probe: StackProbe;
  db: Pool;
  close(): Promise<void>;
}

/** FC log lines are `<time> <requestId> [level] <text>`; our functions' text is one JSON object. */
function parseLine(line: string): { message?: string; cloudCode?: string } | undefined {
  const brace = line.indexOf('{');
  if (brace < 0) return undefined;
  try {
    const v = JSON.parse(line.slice(brace)) as unknown;
    return typeof v === 'object' && v !== null ? (v as { message?: string; cloudCode?: string }) : undefined;
  } catch {
    return undefined;
  }
}

function noteWarning(probe: StackProbe, text: string): void {
  probe.warningCount++;
  if (probe.warnings.length < 20) probe.warnings.push(text.slice(0, 400));
}

/** One log line of a function: count throttling retries, keep warnings and errors. */
function onFunctionLine(probe: StackProbe, line: string): void {
  if (!line.includes('"level":"warn"') && !line.includes('"level":"error"')) return;
  const parsed = parseLine(line);
  if (parsed?.message?.includes('failed transiently')) {
    if (String(parsed.cloudCode ?? '').startsWith('Throttling')) probe.throttleRetries++;
    else probe.otherRetries++;
    return;
  }
  if (parsed?.message?.includes('attempt failed')) probe.attemptsFailed++;
  noteWarning(probe, line);
}

let activeProbe: StackProbe | undefined;

/**
 * The functions' JSON logger writes to the worker's stdout/stderr, which Node pipes into this
 * process's streams. Take those lines out of the benchmark's output and hand them to the probe of
 * the stack that is running.
 */
export function captureFunctionLogs(): void {
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream) as (chunk: string) => boolean;
    stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      if (!text.includes('"level":')) return (write as (...a: unknown[]) => boolean)(chunk, ...rest);
      const kept: string[] = [];
      for (const line of text.split('\n')) {
        if (line.startsWith('{') && line.includes('"level":')) {
          if (activeProbe) onFunctionLine(activeProbe, line);
        } else {
          kept.push(line);
        }
      }
      const out = kept.join('\n');
      const done = rest.find((r): r is () => void => typeof r === 'function');
      if (out.trim() === '') {
        done?.();
        return true;
      }
      return write(out);
    }) as typeof stream.write;
  }
}

export async function startBenchStack(options: Omit<LocalStackOptions, 'logger'>): Promise<BenchStack> {
  const probe: StackProbe = { calls: new Map(), throttleRetries: 0, otherRetries: 0, attemptsFailed: 0, coldStarts: new Map(), invocations: new Map(), warnings: [], warningCount: 0, perSecond: new Map() };
  const logger: FcLogger = {
    debug: (m, f) => {
      if (m === 'fc cold start') {
        const fn = String(f?.function ?? '?');
        probe.coldStarts.set(fn, (probe.coldStarts.get(fn) ?? 0) + 1);
      } else if (m === 'fc invocation') {
        const fn = String(f?.function ?? '?');
        const list = probe.invocations.get(fn) ?? [];
        list.push(Number(f?.durationMs ?? Number.NaN));
        probe.invocations.set(fn, list);
      }
    },
    // console.* output of the functions arrives here, one line per call.
    info: (line) => onFunctionLine(probe, line),
    warn: (m, f) => noteWarning(probe, `[fc] ${m} ${f ? JSON.stringify(f) : ''}`),
    error: (m, f) => noteWarning(probe, `[fc] ${m} ${f ? JSON.stringify(f) : ''}`),
  };
  activeProbe = probe;
  const stack = await startLocalStack({ ...options, logger });
  const faults = stack.server.faults;
  const check = faults.check.bind(faults);
  faults.check = (action: string): void => {
    probe.calls.set(action, (probe.calls.get(action) ?? 0) + 1);
    const second = Math.floor(Date.now() / 1000);
    let windows = probe.perSecond.get(action);
    if (!windows) {
      windows = new Map();
      probe.perSecond.set(action, windows);
    }
    windows.set(second, (windows.get(second) ?? 0) + 1);
    check(action);
  };
  const db = new Pool({ connectionString: stack.ledgerUrl, max: 2 });
  return {
    stack,
    probe,
    db,
    async close() {
      await db.end();
      await stack.close();
    },
  };
}

/** RAM/STS request counts since `before` (a copy taken with {@link snapshotCalls}). */
export function callsSince(probe: StackProbe, before: Map<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of probe.calls) {
    const d = v - (before.get(k) ?? 0);
    if (d > 0) out[k] = d;
  }
  return out;
}

export const snapshotCalls = (probe: StackProbe): Map<string, number> => new Map(probe.calls);

/** STS actions: everything else counted by the probe is RAM. */
export const STS_ACTIONS = new Set(['GetCallerIdentity', 'AssumeRole']);

export function ramTotal(calls: Record<string, number>): number {
  return Object.entries(calls).filter(([k]) => !STS_ACTIONS.has(k)).reduce((n, [, v]) => n + v, 0);
}

// ------------------------------------------------------------------ HTTP calls of the actors

export interface HttpResult<T> {
  status: number;
  body: T;
  ms: number;
}

export function proofFor(stack: LocalStack, credentials: CloudCredentials): string {
  return buildIdentityProof({ stsEndpoint: stack.contract.endpoint, protocol: 'http', credentials });
}

/** One call with a fresh identity proof; `ms` covers the HTTP exchange only (the proof is built before). */
export async function call<T>(url: string, method: 'GET' | 'POST', proof: string, body?: unknown): Promise<HttpResult<T>> {
  const init: RequestInit = { method, headers: { 'content-type': 'application/json', 'x-crossrole-identity': proof } };
  if (body !== undefined) init.body = JSON.stringify(body);
  const t = performance.now();
  const res = await fetch(url, init);
  const text = await res.text();
  const ms = performance.now() - t;
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text) as unknown;
  } catch {
    // keep the text: an error page is still worth printing
  }
  return { status: res.status, body: parsed as T, ms };
}

export interface RequestView {
  id: string;
  status: string;
  expiresAt?: string;
}

/** Partner identities of the partner account: `n` RAM users with their own access keys. */
export function makePartners(stack: LocalStack, n: number, prefix = 'bench-partner'): CloudCredentials[] {
  const out: CloudCredentials[] = [];
  for (let i = 0; i < n; i++) {
    const user = `${prefix}-${String(i + 1).padStart(3, '0')}`;
    stack.server.ram.createUser(PARTNER_ACCOUNT_ID, user);
    const key = stack.server.ram.createAccessKey(PARTNER_ACCOUNT_ID, user);
    out.push({ accessKeyId: key.accessKeyId, accessKeySecret: key.accessKeySecret });
  }
  return out;
}

export async function submit(stack: LocalStack, partner: CloudCredentials, duration: string, reason = 'benchmark', profile = 'ecs-readonly'): Promise<HttpResult<{ request?: RequestView; error?: unknown }>> {
  return call(`${stack.contract.api.intake}/requests`, 'POST', proofFor(stack, partner), { profile, duration, reason });
}

export async function approve(stack: LocalStack, id: string): Promise<HttpResult<{ request?: RequestView; error?: unknown }>> {
  return call(`${stack.contract.api.approval}/requests/${id}/approve`, 'POST', proofFor(stack, stack.contract.principals.approver), {});
}

export async function revoke(stack: LocalStack, id: string, mode: 'trust' | 'delete' = 'trust'): Promise<HttpResult<{ request?: RequestView; error?: unknown }>> {
  return call(`${stack.contract.api.approval}/requests/${id}/revoke`, 'POST', proofFor(stack, stack.contract.principals.approver), { mode, reason: 'benchmark' });
}

/** Submit `n` PENDING requests (sequentially enough not to distort anything measured later). */
export async function submitMany(b: BenchStack, n: number, duration: string, concurrency = 8): Promise<string[]> {
  const partners = [b.stack.contract.principals['partner-admin']];
  return pool(Array.from({ length: n }, (_, i) => i), concurrency, async (i) => {
    const r = await submit(b.stack, partners[i % partners.length] as CloudCredentials, duration);
    if (r.status !== 202 || !r.body.request) throw new Error(`submit answered ${r.status}: ${JSON.stringify(r.body).slice(0, 300)}`);
    return r.body.request.id;
  });
}

export async function statusOf(b: BenchStack, id: string): Promise<string | undefined> {
  const { rows } = await b.db.query<{ status: string }>('SELECT status FROM requests WHERE id = $1', [id]);
  return rows[0]?.status;
}

export async function countByStatus(b: BenchStack, ids: readonly string[]): Promise<Record<string, number>> {
  const { rows } = await b.db.query<{ status: string; n: string }>('SELECT status, count(*) AS n FROM requests WHERE id = ANY($1::text[]) GROUP BY status', [ids]);
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}

/** Managed roles (tag crossrole:managed=true) in the owner account of the local RAM. */
export function managedRoleCount(stack: LocalStack): number {
  let n = 0;
  let marker: string | undefined;
  for (;;) {
    const page = stack.server.ram.listRoles(stack.contract.ownerAccountId, { maxItems: 1000, tags: [{ key: 'crossrole:managed', value: 'true' }], ...(marker === undefined ? {} : { marker }) });
    n += page.roles.length;
    if (!page.isTruncated || page.marker === undefined) return n;
    marker = page.marker;
  }
}

/** The busiest one-second window of `action` since `sinceMs` (requests that reached the server). */
export function peakPerSecond(probe: StackProbe, action: string, sinceMs: number): number {
  const from = Math.floor(sinceMs / 1000);
  let max = 0;
  for (const [second, n] of probe.perSecond.get(action) ?? []) if (second >= from && n > max) max = n;
  return max;
}

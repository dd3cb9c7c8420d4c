/**
 * When a function's timeout starts (local/fc/instance-pool.ts, header): FC runs an instance's
 * Creating phase (instance started, runtime initialised, Initializer hook with its own timeout)
 * before the Invoke phase, and the function's `timeout` bounds the execution. So the time an
 * instance takes to start must not count toward the timeout; the handler module's own loading
 * does (the stricter reading); and an instance that never starts fails the invocation after the
 * instance-start limit with FunctionNotStarted.
 *
 * A slow start is made by blocking this thread (the dispatcher's) right after the dispatch: the
 * worker boots meanwhile, as an instance does while the machine is busy elsewhere, and the clock
 * that started at dispatch would have run out by the time anything is read again.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FunctionPool, type InvokeContextData, type PoolOptions } from '../../../local/fc/instance-pool';
import type { InvocationOutcome } from '../../../local/fc/types';
import { recordingLogger, type LogEntry } from './harness';

let root: string;
const pools: FunctionPool[] = [];

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'fc-start-'));
});

afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close()));
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

function code(name: string, source: string): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'index.js'), source);
  return dir;
}

function pool(codeDir: string, logs: LogEntry[], over: Partial<PoolOptions> = {}): FunctionPool {
  const p = new FunctionPool({
    functionName: 'fx-start', codeDir, handler: 'index.handler', memorySize: 128, timeoutSeconds: 1,
    instanceConcurrency: 1, maxInstances: 2, logger: recordingLogger(logs), unreachable: [], connectTimeoutMs: 1000, ...over,
  }, () => ({ env: {}, generation: 0 }));
  pools.push(p);
  return p;
}

const ctx = (requestId: string): InvokeContextData => ({
  requestId, credentials: {}, function: { name: 'fx-start', handler: 'index.handler', memory: 128, timeout: 1 },
  service: { logProject: '', logStore: '', qualifier: 'LATEST', versionId: '' }, region: 'cn-hangzhou', accountId: '1111111111111111',
});

/** Keep this thread busy: nothing it schedules (timers, worker messages) runs meanwhile. */
function busy(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until) { /* spin */ }
}

/** Dispatch, then let the dispatcher starve for `ms` (the worker boots meanwhile on its own thread). */
async function dispatchThenStarve(p: FunctionPool, ms: number): Promise<InvocationOutcome> {
  const outcome = p.invoke(Buffer.from('{}'), ctx('r-1'));
  // Let acquire() spawn the worker and post the invocation to it.
  await new Promise((r) => setImmediate(r));
  busy(ms);
  return outcome;
}

test('a cold instance that took longer than the timeout to start still runs its invocation: the timeout counts from the invocation', async () => {
  const logs: LogEntry[] = [];
  const p = pool(code('fast', "exports.handler = async () => 'done';"), logs);
  const o = await dispatchThenStarve(p, 1600);
  expect(o.ok ? o.result : o.error).toEqual({ kind: 'string', text: 'done' });
  expect(o.durationMs).toBeGreaterThanOrEqual(1600);
});

test('loading the handler module counts toward the timeout (its top-level code runs inside the invocation)', async () => {
  const logs: LogEntry[] = [];
  const p = pool(code('slow-load', "const until = Date.now() + 1500; while (Date.now() < until) {}\nexports.handler = async () => 'loaded';"), logs);
  const o = await p.invoke(Buffer.from('{}'), ctx('r-2'));
  expect(o.ok ? o.result : o.error).toEqual({ errorMessage: 'Function timed out after 1 seconds', errorType: 'FunctionTimeout' });
  expect(logs.some((l) => l.msg === 'fc invocation timed out')).toBe(true);
});

test('a handler that runs past the timeout on a warm instance is still stopped at the timeout', async () => {
  const logs: LogEntry[] = [];
  const p = pool(code('slow-run', "exports.handler = async (e) => { if (e.toString() === 'sleep') await new Promise((r) => setTimeout(r, 5000)); return 'ok'; };"), logs);
  const warm = await p.invoke(Buffer.from('warm'), ctx('r-3'));
  expect(warm.ok).toBe(true);
  const t0 = Date.now();
  const o = await p.invoke(Buffer.from('sleep'), ctx('r-4'));
  expect(o.ok ? o.result : o.error).toEqual({ errorMessage: 'Function timed out after 1 seconds', errorType: 'FunctionTimeout' });
  expect(Date.now() - t0).toBeLessThan(3000);
});

test('an instance that does not start within the instance-start limit fails the invocation with FunctionNotStarted, and the instance is stopped', async () => {
  const logs: LogEntry[] = [];
  const p = pool(code('never', "exports.handler = async () => 'late';"), logs, { startLimitMs: 1 });
  const o = await dispatchThenStarve(p, 200);
  expect(o.ok ? o.result : o.error).toEqual({ errorMessage: 'the function instance did not start within 0.001 seconds', errorType: 'FunctionNotStarted' });
  expect(logs.filter((l) => l.msg === 'fc instance did not start')).toHaveLength(1);
  const deadline = Date.now() + 5000;
  while (p.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  expect(p.size).toBe(0);
});

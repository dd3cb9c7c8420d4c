/**
 * Function instances as worker threads: one pool per function, instances reused while warm,
 * at most `maxInstances` of them, each running up to `instanceConcurrency` invocations at once.
 * A worker gets its own `process.env` at start (a cold start reads config once, as on FC); a
 * timeout terminates the instance, a crash replaces it, and neither affects other functions.
 *
 * When the function's timeout starts. FC runs an instance's lifecycle in phases: Creating
 * (Instance Create: code loaded, instance started; Runtime Init; the Initializer hook, which has
 * its own `initializationTimeout`) and then Invoke (alibabacloud.com/help/en/functioncompute/fc-3-0/
 * user-guide/function-instance-lifecycle). The function's `timeout` bounds the execution, not the
 * instance's creation: "如果函数执行超过这个时间,函数会被强制停止执行" (developer.aliyun.com/ask/320099),
 * and the initializer's timeout "与 handler 的超时相互独立" (FC's initializer announcement,
 * blog.csdn.net/weixin_34218890/article/details/89594218). So the clock starts when the worker
 * (the instance) reports that it began the invocation, not when the request was dispatched to a
 * worker that was still booting: on a loaded machine, ten workers booting at once could otherwise
 * use up a 10 s timeout before any handler ran. The handler module's own loading (its top-level
 * code, `require`) happens inside the invocation and counts: where FC's Node.js runtime loads the
 * module is not documented, and counting it is the stricter reading. Instance creation has its own
 * limit, INSTANCE_START_LIMIT_MS.
 */
import { Worker } from 'node:worker_threads';
import { WORKER_SOURCE } from './worker-source';
import type { FcLogger, FunctionError, FunctionResult, InvocationOutcome } from './types';

/** The data part of the handler's `context` (the logger is added inside the worker). */
export interface InvokeContextData {
  requestId: string;
  credentials: { accessKeyId: string; accessKeySecret: string; securityToken: string } | Record<string, never>;
  function: { name: string; handler: string; memory: number; timeout: number };
  service: { logProject: string; logStore: string; qualifier: string; versionId: string };
  region: string;
  accountId: string;
}

/** Environment of a new instance plus a generation tag: instances of an older generation are retired. */
export interface InstanceEnv {
  env: Record<string, string>;
  generation: number;
}

export interface PoolOptions {
  functionName: string;
  codeDir: string;
  handler: string;
  memorySize: number;
  timeoutSeconds: number;
  /** Requests one instance runs at once: 1 for standard runtimes (FC 3.0), more only for custom ones. */
  instanceConcurrency: number;
  maxInstances: number;
  logger: FcLogger;
  /** VPC-internal endpoints this function is not attached to (vpc.ts). */
  unreachable: ReadonlyArray<{ host: string; port: number }>;
  /** How long a connection to one of them hangs before ETIMEDOUT. */
  connectTimeoutMs: number;
  /** How long an instance may take to start before the invocation fails (default INSTANCE_START_LIMIT_MS). */
  startLimitMs?: number;
}

/**
 * An instance that has not started the invocation after this long fails it with
 * `FunctionNotStarted` and is stopped. FC documents 120 s for a custom runtime's HTTP server to
 * start ("your HTTP server must be ready to accept requests within 120 seconds",
 * help.aliyun.com/en/functioncompute/http-server-fails-to-start-within-120s) and `FunctionNotStarted`
 * for an instance that could not start; its limit for standard runtimes is not documented.
 */
const INSTANCE_START_LIMIT_MS = 120_000;

type WorkerMessage =
  | { type: 'log'; id: number | null; line: string }
  | { type: 'started'; id: number }
  | { type: 'result'; id: number; ok: true; result: { kind: 'empty' } | { kind: 'string'; text: string } | { kind: 'bytes'; data: Uint8Array } | { kind: 'json'; text: string } }
  | { type: 'result'; id: number; ok: false; error: FunctionError };

interface Pending {
  requestId: string;
  /** When the invocation was dispatched to the instance. */
  started: number;
  logs: string[];
  /** The instance-start limit until the worker reports the invocation started, then the function's timeout. */
  timer: NodeJS.Timeout;
  /** Set when the worker began the invocation (the function's timeout runs from here). */
  invokedAt?: number;
  resolve(o: InvocationOutcome): void;
}

class Instance {
  readonly pending = new Map<number, Pending>();
  dead = false;
  crash: FunctionError | undefined;

  constructor(readonly worker: Worker, readonly generation: number) {}
}

/** Keep the last 4 KB of log text, as FC's `x-fc-log-result` does. */
const LOG_TAIL_BYTES = 4096;

function decodeResult(r: Extract<WorkerMessage, { type: 'result'; ok: true }>['result']): FunctionResult {
  switch (r.kind) {
    case 'empty': return { kind: 'empty' };
    case 'string': return { kind: 'string', text: r.text };
    case 'bytes': return { kind: 'bytes', data: Buffer.from(r.data) };
    case 'json': return { kind: 'json', value: JSON.parse(r.text) as unknown, text: r.text };
  }
}

export class FunctionPool {
  private readonly instances: Instance[] = [];
  private readonly waiters: Array<() => void> = [];
  private nextId = 1;
  private closed = false;

  constructor(private readonly opts: PoolOptions, private readonly envFor: () => InstanceEnv) {}

  get size(): number {
    return this.instances.length;
  }

  private spawn(ie: InstanceEnv): Instance {
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      env: ie.env,
      workerData: { codeDir: this.opts.codeDir, handler: this.opts.handler, unreachable: this.opts.unreachable, connectTimeoutMs: this.opts.connectTimeoutMs },
      // memorySize bounds the instance's heap, so a function that leaks fails here as it would on FC.
      resourceLimits: { maxOldGenerationSizeMb: Math.max(this.opts.memorySize, 64) },
      stdout: false,
      stderr: false,
    });
    const inst = new Instance(worker, ie.generation);
    worker.on('message', (m: WorkerMessage) => this.onMessage(inst, m));
    worker.on('error', (e: Error & { code?: string }) => {
      inst.crash = e.code === 'ERR_WORKER_OUT_OF_MEMORY'
        ? { errorMessage: `Function ran out of memory (memorySize ${this.opts.memorySize} MB)`, errorType: 'MemoryLimitExceeded' }
        : { errorMessage: `the function instance crashed: ${e.message}`, errorType: e.name || 'Error', stackTrace: (e.stack ?? '').split('\n').slice(1).map((s) => s.trim()) };
      this.opts.logger.error('fc instance crashed', { function: this.opts.functionName, error: e.message });
    });
    worker.on('exit', () => this.onExit(inst));
    this.instances.push(inst);
    this.opts.logger.debug('fc cold start', { function: this.opts.functionName, instances: this.instances.length });
    return inst;
  }

  private onMessage(inst: Instance, m: WorkerMessage): void {
    if (m.type === 'started') {
      const p = inst.pending.get(m.id);
      if (!p || p.invokedAt !== undefined) return;
      p.invokedAt = Date.now();
      clearTimeout(p.timer);
      p.timer = setTimeout(() => this.timeOut(inst, m.id, p), this.opts.timeoutSeconds * 1000);
      if (p.invokedAt - p.started > 100) this.opts.logger.debug('fc instance started the invocation late', { function: this.opts.functionName, requestId: p.requestId, waitedMs: p.invokedAt - p.started });
      return;
    }
    if (m.type === 'log') {
      const p = m.id === null ? undefined : inst.pending.get(m.id);
      if (p) p.logs.push(m.line);
      this.opts.logger.info(m.line, { function: this.opts.functionName });
      return;
    }
    const p = inst.pending.get(m.id);
    if (!p) return;
    this.finish(inst, m.id, p, m.ok
      ? { ok: true, requestId: p.requestId, durationMs: Date.now() - p.started, result: decodeResult(m.result), logs: p.logs }
      : { ok: false, requestId: p.requestId, durationMs: Date.now() - p.started, error: m.error, timedOut: false, logs: p.logs });
  }

  private onExit(inst: Instance): void {
    inst.dead = true;
    const i = this.instances.indexOf(inst);
    if (i >= 0) this.instances.splice(i, 1);
    const error = inst.crash ?? { errorMessage: 'the function instance exited unexpectedly', errorType: 'InstanceExited' };
    for (const [id, p] of inst.pending) {
      this.finish(inst, id, p, { ok: false, requestId: p.requestId, durationMs: Date.now() - p.started, error, timedOut: false, logs: p.logs });
    }
    this.wake();
  }

  private finish(inst: Instance, id: number, p: Pending, outcome: InvocationOutcome): void {
    clearTimeout(p.timer);
    inst.pending.delete(id);
    p.resolve(outcome);
    this.wake();
  }

  private wake(): void {
    const w = this.waiters.shift();
    if (w) w();
  }

  /** An instance with a free slot: warm if possible, new if allowed, else wait for one. */
  private async acquire(): Promise<Instance> {
    for (;;) {
      if (this.closed) throw new Error('the FC runtime is closed');
      const ie = this.envFor();
      for (const inst of [...this.instances]) {
        // Retire idle instances started with credentials that have since been refreshed.
        if (inst.generation !== ie.generation && inst.pending.size === 0 && !inst.dead) {
          inst.dead = true;
          void inst.worker.terminate();
        }
      }
      const warm = this.instances.find((x) => !x.dead && x.generation === ie.generation && x.pending.size < this.opts.instanceConcurrency);
      if (warm) return warm;
      if (this.instances.length < this.opts.maxInstances) return this.spawn(ie);
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  /** The function's timeout: FC stops the instance; other requests on it fail too (instanceConcurrency > 1). */
  private timeOut(inst: Instance, id: number, p: Pending): void {
    this.opts.logger.warn('fc invocation timed out', { function: this.opts.functionName, requestId: p.requestId });
    inst.crash = { errorMessage: `Function timed out after ${this.opts.timeoutSeconds} seconds (the instance was stopped by another request's timeout)`, errorType: 'FunctionTimeout' };
    this.finish(inst, id, p, {
      ok: false,
      requestId: p.requestId,
      durationMs: Date.now() - p.started,
      error: { errorMessage: `Function timed out after ${this.opts.timeoutSeconds} seconds`, errorType: 'FunctionTimeout' },
      timedOut: true,
      logs: p.logs,
    });
    inst.dead = true;
    void inst.worker.terminate();
  }

  /** The instance never began the invocation: it is stopped, and the invocation fails as FC's do when an instance cannot start. */
  private notStarted(inst: Instance, id: number, p: Pending, limitMs: number): void {
    this.opts.logger.warn('fc instance did not start', { function: this.opts.functionName, requestId: p.requestId, limitMs });
    inst.crash = { errorMessage: `the function instance did not start within ${limitMs / 1000} seconds`, errorType: 'FunctionNotStarted' };
    this.finish(inst, id, p, {
      ok: false,
      requestId: p.requestId,
      durationMs: Date.now() - p.started,
      error: inst.crash,
      timedOut: false,
      logs: p.logs,
    });
    inst.dead = true;
    void inst.worker.terminate();
  }

  async invoke(event: Buffer, ctx: InvokeContextData): Promise<InvocationOutcome> {
    const inst = await this.acquire();
    const id = this.nextId++;
    const startLimitMs = this.opts.startLimitMs ?? INSTANCE_START_LIMIT_MS;
    return new Promise<InvocationOutcome>((resolve) => {
      const p: Pending = {
        requestId: ctx.requestId,
        started: Date.now(),
        logs: [],
        resolve,
        // Until the worker says it began (see the header): the instance's start, not the function's timeout.
        timer: setTimeout(() => this.notStarted(inst, id, p, startLimitMs), startLimitMs),
      };
      inst.pending.set(id, p);
      inst.worker.postMessage({ type: 'invoke', id, event: new Uint8Array(event), ctx });
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const w of this.waiters.splice(0)) w();
    await Promise.all(this.instances.map((i) => i.worker.terminate()));
  }
}

/** Last 4 KB of an invocation's log lines (for `x-fc-log-type: Tail`). */
export function logTail(lines: string[]): string {
  const text = lines.join('\n');
  const buf = Buffer.from(text, 'utf8');
  return buf.length <= LOG_TAIL_BYTES ? text : buf.subarray(buf.length - LOG_TAIL_BYTES).toString('utf8');
}

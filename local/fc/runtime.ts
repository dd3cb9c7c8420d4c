/**
 * The local Function Compute runtime: runs the functions of s.yaml in worker threads and drives
 * them as FC 3.0 does: HTTP triggers at `/fn/<functionName>/...`, timers, MNS queue triggers
 * (EventBridge, event-driven and event-streaming), the FC 3.0 API (2023-03-30) and the FC 2.0
 * invoke API. Invocations carry the function role's credentials, minted by the local STS as the
 * FC service. It refuses what FC 3.0 would not deploy (instance concurrency on a standard runtime,
 * an environment over 4 KB, a vpcConfig outside the declared VPCs); no VPC, no VPC endpoints.
 */
import { randomUUID } from 'node:crypto';
import { isAbsolute, resolve as resolvePath } from 'node:path';
import type { IdentityProvider, LocalRequest, LocalResponse, LocalService, ServiceRoleIssuer } from '../core/contract';
import { ValidationError, asError } from '../../shared/domain/errors';
import { PopAuthenticator } from '../core/pop-auth';
import { RoleCredentialCache } from './credentials';
import { authenticateFcRequest, fcError, FC_API_PREFIX, functionArns, handleFcApi, SYNC_PAYLOAD_LIMIT } from './fc-api';
import { handleFc3Api } from './fc3-api';
import { FC3_API_PREFIX } from './fc3-models';
import { handleFcAdmin } from './admin';
import { buildHttpEvent, isoSeconds, mapHttpResult } from './http-trigger';
import { FunctionPool, type InstanceEnv, type InvokeContextData } from './instance-pool';
import { QueueTriggerPoller, RETRY_POLICY, type TriggerState } from './queue-trigger';
import type { MnsTriggerSpec, PushRetryStrategy } from './eventbridge-spec';
import { checkDeployable, type FunctionSpec, type HttpTriggerSpec, type TimerTriggerSpec } from './spec';
import { parseSchedule, TimerSchedule } from './timers';
import { silentLogger, type FcLogger, type InvocationOutcome, type QueueBackend } from './types';
import { checkVpcAttachments, UNREACHABLE_CONNECT_TIMEOUT_MS, unreachableEndpoints, type LocalVpc } from './vpc';

const HTTP_TRIGGER_PREFIX = '/fn/';
const ADMIN_PREFIX = '/_local/fc/';

export interface FcRuntimeOptions {
  functions: FunctionSpec[];
  /** Directory that `code` paths resolve against (the s.yaml directory). */
  baseDir: string;
  region: string;
  accountId: string;
  /** Mints each function's role credentials (as `fc.aliyuncs.com`). */
  credentials: ServiceRoleIssuer;
  /** Verifies FC API signatures and authorizes fc:* actions. Without it the FC API answers 403. */
  identity?: IdentityProvider;
  /** ACS3 verifier for the FC 3.0 API (share the server's to share its nonce cache); default: one over `identity`. */
  authenticator?: PopAuthenticator;
  queues?: QueueBackend;
  /** Start timer schedules (default true). `fireTimer` works either way. */
  timers?: boolean;
  /** Start MNS queue pollers (default true when `queues` is given). */
  queueTriggers?: boolean;
  /** Instances per function (default 10). */
  maxConcurrency?: number;
  /** Extra environment for every function (e.g. local endpoints); s.yaml values override it. */
  env?: Record<string, string>;
  logger?: FcLogger;
  /** Service name the FC API accepts; default: any. */
  serviceName?: string;
  /** Lifetime of role credentials (default 3600 s). */
  credentialDurationSeconds?: number;
  /** HTTP trigger request body limit (default 32 MB, FC's synchronous limit). */
  httpBodyLimit?: number;
  /**
   * event-driven queue triggers: events in flight per trigger (default 1). Event streams push one
   * batch at a time to a synchronous function, as FC does, whatever this says.
   */
  queueConcurrency?: number;
  /** Queue triggers: long-poll wait per receive (default 1 s, so close() is prompt). */
  queueWaitSeconds?: number;
  /** Queue triggers: delay before retry n (1-based); default the EventBridge policy. */
  retryDelayMs?: (strategy: PushRetryStrategy, retry: number) => number;
  /** Queue triggers: retries per strategy; default 3 (BACKOFF) and 176 (EXPONENTIAL_DECAY). */
  maxRetries?: Partial<Record<PushRetryStrategy, number>>;
  /** Async invocations: delay before retry n; default 1 s, 2 s, 4 s... */
  asyncRetryDelayMs?: (retry: number) => number;
  /** The local VPCs and their internal endpoints (e.g. the ledger's database); default none. */
  vpcs?: LocalVpc[];
  /** How long a connection to an endpoint of another VPC hangs before ETIMEDOUT (default 127 s, Linux's SYN timeout). */
  vpcConnectTimeoutMs?: number;
}

interface FcAdmin {
  /** Invoke synchronously, as the FC API does (no trigger). */
  invoke(functionName: string, event: Buffer | string): Promise<InvocationOutcome>;
  /** Invoke asynchronously with FC's async retries; returns the request id (`requestId` if given). */
  invokeAsync(functionName: string, event: Buffer | string, requestId?: string): string;
  /** Fire a timer trigger now (the first timer trigger of the function if no name is given). */
  fireTimer(functionName: string, triggerName?: string): Promise<InvocationOutcome>;
  functionNames(): string[];
  /** State of each queue trigger, keyed `<functionName>/<triggerName>`. */
  queueTriggerStates(): Record<string, TriggerState>;
  /** Resolves when no asynchronous invocation is pending. */
  whenIdle(): Promise<void>;
}

export type FcRuntime = LocalService & FcAdmin;

/** FC async invocation retries on function errors, 3 times by default (www.alibabacloud.com/help/en/functioncompute/fc/error-handling-1-2). */
const DEFAULT_ASYNC_RETRIES = 3;

/** FC's own errors on the HTTP trigger path are marked `x-fc-error-type: FcCommonError`. */
function triggerError(status: number, code: string, message: string, requestId: string): LocalResponse {
  const r = fcError(status, code, message, requestId);
  return { ...r, headers: { ...r.headers, 'x-fc-error-type': 'FcCommonError' } };
}

export function createFcRuntime(options: FcRuntimeOptions): FcRuntime {
  const logger = options.logger ?? silentLogger;
  const specs = new Map<string, FunctionSpec>();
  for (const s of options.functions) specs.set(s.functionName, s);
  const creds = new RoleCredentialCache(options.credentials, options.credentialDurationSeconds ?? 3600);
  const maxInstances = options.maxConcurrency ?? 10;
  const background = new Set<Promise<unknown>>();
  let closed = false;

  // Refuse at start what a deploy to FC 3.0 would refuse, naming the function.
  const vpcs = options.vpcs ?? [];
  checkVpcAttachments(options.functions, vpcs);
  checkDeployable(options.functions, options.env ?? {});

  // Validate every timer schedule up front so that a bad cron fails at start, naming the trigger.
  const schedules = new Map<string, ReturnType<typeof parseSchedule>>();
  for (const s of options.functions) {
    s.triggers.forEach((t, i) => {
      if (t.kind === 'timer') schedules.set(`${s.functionName}/${t.triggerName}`, parseSchedule(t.cronExpression, `resources.${s.resourceName}.props.triggers[${i}].triggerConfig.cronExpression`));
    });
  }

  function credentialsFor(spec: FunctionSpec): ReturnType<RoleCredentialCache['get']> {
    return creds.get(spec.functionName, spec.role);
  }

  function envFor(spec: FunctionSpec): InstanceEnv {
    const c = credentialsFor(spec);
    const env: Record<string, string> = { ...(options.env ?? {}), ...spec.environmentVariables };
    // FC's reserved variables win over anything the function sets
    // (www.alibabacloud.com/help/en/functioncompute/fc/environment-variables).
    Object.assign(env, {
      FC_ACCOUNT_ID: options.accountId,
      FC_REGION: options.region,
      FC_FUNCTION_NAME: spec.functionName,
      FC_FUNCTION_HANDLER: spec.handler,
      FC_FUNCTION_MEMORY_SIZE: String(spec.memorySize),
      FC_QUALIFIER: 'LATEST',
      FC_INSTANCE_ID: randomUUID(),
      FC_FUNC_CODE_PATH: codeDirOf(spec),
    });
    delete env.ALIBABA_CLOUD_ACCESS_KEY_ID;
    delete env.ALIBABA_CLOUD_ACCESS_KEY_SECRET;
    delete env.ALIBABA_CLOUD_SECURITY_TOKEN;
    if (c.credentials) {
      env.ALIBABA_CLOUD_ACCESS_KEY_ID = c.credentials.accessKeyId;
      env.ALIBABA_CLOUD_ACCESS_KEY_SECRET = c.credentials.accessKeySecret;
      env.ALIBABA_CLOUD_SECURITY_TOKEN = c.credentials.securityToken;
    }
    return { env, generation: c.generation };
  }

  function codeDirOf(spec: FunctionSpec): string {
    return isAbsolute(spec.code) ? spec.code : resolvePath(options.baseDir, spec.code);
  }

  const pools = new Map<string, FunctionPool>();
  for (const spec of options.functions) {
    pools.set(spec.functionName, new FunctionPool({
      functionName: spec.functionName,
      codeDir: codeDirOf(spec),
      handler: spec.handler,
      memorySize: spec.memorySize,
      timeoutSeconds: spec.timeout,
      instanceConcurrency: spec.instanceConcurrency,
      maxInstances,
      logger,
      unreachable: unreachableEndpoints(spec, vpcs),
      connectTimeoutMs: options.vpcConnectTimeoutMs ?? UNREACHABLE_CONNECT_TIMEOUT_MS,
    }, () => envFor(spec)));
  }

  async function invoke(functionName: string, event: Buffer | string, requestId: string = randomUUID()): Promise<InvocationOutcome> {
    const spec = specs.get(functionName);
    const pool = pools.get(functionName);
    const started = Date.now();
    const fail = (errorType: string, errorMessage: string): InvocationOutcome => ({ ok: false, requestId, durationMs: Date.now() - started, error: { errorMessage, errorType }, timedOut: false, logs: [] });
    if (!spec || !pool) return fail('FunctionNotFound', `function '${functionName}' does not exist`);
    let c;
    try {
      c = credentialsFor(spec);
    } catch (e) {
      logger.error('fc: cannot assume the function role', { function: functionName, role: spec.role, error: asError(e).message });
      return fail('FunctionRoleError', `cannot assume role ${spec.role ?? ''} as fc.aliyuncs.com: ${asError(e).message}`);
    }
    const ctx: InvokeContextData = {
      requestId,
      credentials: c.credentials ? { accessKeyId: c.credentials.accessKeyId, accessKeySecret: c.credentials.accessKeySecret, securityToken: c.credentials.securityToken } : {},
      function: { name: spec.functionName, handler: spec.handler, memory: spec.memorySize, timeout: spec.timeout },
      service: { logProject: '', logStore: '', qualifier: 'LATEST', versionId: '' },
      region: options.region,
      accountId: options.accountId,
    };
    try {
      const outcome = await pool.invoke(Buffer.isBuffer(event) ? event : Buffer.from(event, 'utf8'), ctx);
      logger.debug('fc invocation', { function: functionName, requestId, ok: outcome.ok, durationMs: outcome.durationMs });
      return outcome;
    } catch (e) {
      return fail('RuntimeUnavailable', asError(e).message);
    }
  }

  function track<T>(p: Promise<T>): void {
    background.add(p);
    void p.finally(() => background.delete(p));
  }

  const sleeps = new Set<{ timer: NodeJS.Timeout; resolve(): void }>();
  function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const entry = { timer: setTimeout(() => { sleeps.delete(entry); resolve(); }, ms), resolve };
      sleeps.add(entry);
    });
  }

  const asyncDelay = options.asyncRetryDelayMs ?? ((n: number) => 1000 * 2 ** (n - 1));

  function invokeAsync(functionName: string, event: Buffer | string, requestId: string = randomUUID()): string {
    const spec = specs.get(functionName);
    const retries = spec?.asyncInvokeConfig?.maxAsyncRetryAttempts ?? DEFAULT_ASYNC_RETRIES;
    track((async () => {
      for (let attempt = 0; attempt <= retries && !closed; attempt++) {
        if (attempt > 0) await sleep(asyncDelay(attempt));
        if (closed) return;
        const o = await invoke(functionName, event, requestId);
        if (o.ok) return;
        logger.warn('fc async invocation failed', { function: functionName, requestId, attempt: attempt + 1, error: o.error.errorMessage });
      }
    })());
    return requestId;
  }

  function timerEvent(t: TimerTriggerSpec, at: Date): Buffer {
    return Buffer.from(JSON.stringify({ triggerTime: isoSeconds(at), triggerName: t.triggerName, payload: t.payload ?? '' }), 'utf8');
  }

  async function fireTimer(functionName: string, triggerName?: string): Promise<InvocationOutcome> {
    const spec = specs.get(functionName);
    const t = spec?.triggers.find((x): x is TimerTriggerSpec => x.kind === 'timer' && (triggerName === undefined || x.triggerName === triggerName));
    if (!spec || !t) throw new ValidationError('VALIDATION', 'functionName', `function '${functionName}' has no timer trigger${triggerName ? ` '${triggerName}'` : ''}`);
    return invoke(functionName, timerEvent(t, new Date()));
  }

  const timers: TimerSchedule[] = [];
  if (options.timers !== false) {
    for (const spec of options.functions) {
      for (const t of spec.triggers) {
        const sched = schedules.get(`${spec.functionName}/${t.triggerName}`);
        if (t.kind !== 'timer' || !t.enable || !sched) continue;
        const ts = new TimerSchedule(sched, (at) => {
          track(invoke(spec.functionName, timerEvent(t, at)).then((o) => {
            if (!o.ok) logger.warn('fc timer invocation failed', { function: spec.functionName, trigger: t.triggerName, error: o.error.errorMessage });
          }));
        });
        ts.start();
        timers.push(ts);
      }
    }
  }

  const pollers = new Map<string, QueueTriggerPoller>();
  const queues = options.queues;
  if (queues && options.queueTriggers !== false) {
    for (const spec of options.functions) {
      for (const t of spec.triggers) {
        if (t.kind !== 'mns' || !t.enable) continue;
        const trig: MnsTriggerSpec = t;
        const poller = new QueueTriggerPoller({
          functionName: spec.functionName,
          trigger: trig,
          accountId: options.accountId,
          region: options.region,
          queues,
          logger,
          invoke: (event) => invoke(spec.functionName, event),
          invokeAsync: (event) => { invokeAsync(spec.functionName, event); },
          concurrency: options.queueConcurrency ?? 1,
          waitSeconds: options.queueWaitSeconds ?? 1,
          functionTimeoutSeconds: spec.timeout,
          retryDelayMs: options.retryDelayMs ?? ((s, n) => RETRY_POLICY[s].delayMs(n)),
          maxRetries: (s) => options.maxRetries?.[s] ?? RETRY_POLICY[s].maxRetries,
        });
        poller.start();
        pollers.set(`${spec.functionName}/${t.triggerName}`, poller);
      }
    }
  }
  for (const spec of options.functions) {
    for (const t of spec.triggers) if (t.kind === 'other') logger.warn('fc: trigger type not emulated locally', { function: spec.functionName, trigger: t.triggerName, type: t.triggerType });
  }

  async function handleHttpTrigger(req: LocalRequest): Promise<LocalResponse> {
    const requestId = randomUUID();
    const rest = req.path.slice(HTTP_TRIGGER_PREFIX.length);
    const slash = rest.indexOf('/');
    const rawName = slash < 0 ? rest : rest.slice(0, slash);
    let name = rawName;
    try {
      name = decodeURIComponent(rawName);
    } catch {
      // a malformed escape cannot name a function; it falls through to 404
    }
    const rawSubPath = slash < 0 ? '' : rest.slice(slash);
    const spec = specs.get(name);
    const trigger = spec?.triggers.find((t): t is HttpTriggerSpec => t.kind === 'http');
    if (!spec || !trigger) return triggerError(404, 'FunctionNotFound', `function '${name}' has no HTTP trigger`, requestId);
    const method = req.method.toUpperCase();
    if (!(trigger.methods as string[]).includes(method)) {
      return { ...triggerError(405, 'MethodNotAllowed', `method ${method} is not configured on HTTP trigger '${trigger.triggerName}' (allowed: ${trigger.methods.join(', ')})`, requestId), headers: { 'content-type': 'application/json', 'x-fc-request-id': requestId, 'x-fc-error-type': 'FcCommonError', allow: trigger.methods.join(', ') } };
    }
    const limit = options.httpBodyLimit ?? SYNC_PAYLOAD_LIMIT;
    if (req.body.length > limit) return triggerError(413, 'EntityTooLarge', `request body of ${req.body.length} bytes exceeds the limit of ${limit} bytes`, requestId);
    if (trigger.authType !== 'anonymous') {
      const denied = authorizeTrigger(req, spec, trigger, requestId);
      if (denied) return denied;
    }
    const event = buildHttpEvent({ req, rawSubPath, accountId: options.accountId, requestId });
    const outcome = await invoke(spec.functionName, Buffer.from(JSON.stringify(event), 'utf8'), requestId);
    if (!outcome.ok) {
      // A failed function behind an HTTP trigger is a 502 with UnhandledInvocationError (FC HTTP trigger error table).
      return { status: 502, headers: { 'content-type': 'application/json', 'x-fc-request-id': requestId, 'x-fc-error-type': 'UnhandledInvocationError' }, body: JSON.stringify(outcome.error) };
    }
    const res = mapHttpResult(outcome.result);
    return { ...res, headers: { ...res.headers, 'x-fc-request-id': requestId } };
  }

  /** `authType: function`: the caller signs the request as for FC 2.0 `/proxy/` paths and needs fc:InvokeFunction. */
  function authorizeTrigger(req: LocalRequest, spec: FunctionSpec, trigger: HttpTriggerSpec, requestId: string): LocalResponse | undefined {
    if (trigger.authType === 'jwt') return triggerError(403, 'AccessDenied', 'JWT authentication of HTTP triggers is not emulated locally', requestId);
    if (!options.identity) return triggerError(403, 'AccessDenied', 'no identity provider configured for authType function', requestId);
    const queries: Array<[string, string]> = [...new URLSearchParams(req.rawQuery)];
    let resource = req.path;
    try {
      resource = decodeURIComponent(req.path);
    } catch {
      // keep the raw path
    }
    const auth = authenticateFcRequest(req, options.identity, resource, requestId, queries);
    if (!auth.ok) return { ...auth.response, headers: { ...auth.response.headers, 'x-fc-error-type': 'FcCommonError' } };
    const ok = functionArns(options.region, options.accountId, 'default', spec.functionName).some((a) => options.identity?.isAllowed(auth.principal, 'fc:InvokeFunction', a, { sourceIp: req.sourceIp, currentTime: req.receivedAt }));
    return ok ? undefined : triggerError(403, 'AccessDenied', `the caller ${auth.principal.arn} is not authorized to perform fc:InvokeFunction`, requestId);
  }

  const deployedAt = new Date();
  const authenticator = options.authenticator ?? (options.identity ? new PopAuthenticator(options.identity) : undefined);

  return {
    name: 'fc',
    matches(req: LocalRequest): boolean {
      return [HTTP_TRIGGER_PREFIX, FC3_API_PREFIX, FC_API_PREFIX, ADMIN_PREFIX].some((p) => req.path.startsWith(p));
    },
    async handle(req: LocalRequest): Promise<LocalResponse> {
      try {
        if (req.path.startsWith(HTTP_TRIGGER_PREFIX)) return await handleHttpTrigger(req);
        if (req.path.startsWith(ADMIN_PREFIX)) return await handleFcAdmin(req, fireTimer);
        if (!options.identity || !authenticator) return fcError(403, 'AccessDenied', 'the local FC API has no identity provider configured');
        if (req.path.startsWith(FC3_API_PREFIX)) {
          const { accountId, region, identity } = options;
          return await handleFc3Api(req, { accountId, region, identity, authenticator, functions: specs, deployedAt, invoke, invokeAsync });
        }
        return await handleFcApi(req, {
          accountId: options.accountId,
          region: options.region,
          ...(options.serviceName === undefined ? {} : { serviceName: options.serviceName }),
          identity: options.identity,
          functions: specs,
          invoke: (fn, ev) => invoke(fn, ev),
          invokeAsync: (fn, ev) => invokeAsync(fn, ev),
        });
      } catch (e) {
        logger.error('fc: internal error', { path: req.path, error: asError(e).message });
        return fcError(500, 'InternalServerError', asError(e).message);
      }
    },
    async close(): Promise<void> {
      closed = true;
      for (const t of timers) t.stop();
      for (const s of sleeps) {
        clearTimeout(s.timer);
        s.resolve();
      }
      sleeps.clear();
      // Stop polling first, then stop the instances: deliveries still running fail and leave their message in the queue.
      const stopping = [...pollers.values()].map((p) => p.stop());
      await Promise.all([...pools.values()].map((p) => p.close()));
      await Promise.all(stopping);
      await Promise.allSettled([...background]);
    },
    invoke: (fn, event) => invoke(fn, event),
    invokeAsync,
    fireTimer,
    functionNames: () => [...specs.keys()],
    queueTriggerStates: () => Object.fromEntries([...pollers].map(([k, p]) => [k, p.status])),
    async whenIdle(): Promise<void> {
      while (background.size > 0) await Promise.allSettled([...background]);
    },
  };
}

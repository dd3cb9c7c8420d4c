/**
 * Typed function specs for the local FC runtime, validated with zod from one fc3 resource's
 * (already resolved) `props`. Key names and defaults follow fc3's schema (fc-sdevs-ram.md §1.2).
 */
import { z } from 'zod';
import { ValidationError } from '../../shared/domain/errors';

export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'HEAD', 'PATCH', 'OPTIONS'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

export interface HttpTriggerSpec {
  kind: 'http';
  triggerName: string;
  methods: HttpMethod[];
  authType: 'anonymous' | 'function' | 'jwt';
}

export interface TimerTriggerSpec {
  kind: 'timer';
  triggerName: string;
  cronExpression: string;
  enable: boolean;
  payload?: string;
}

export type PushRetryStrategy = 'BACKOFF_RETRY' | 'EXPONENTIAL_DECAY_RETRY';

export interface MnsTriggerSpec {
  kind: 'mns';
  triggerName: string;
  enable: boolean;
  queueName: string;
  /** SourceMNSParameters.IsBase64Decode; the API default is true. */
  isBase64Decode: boolean;
  regionId?: string;
  asyncInvocationType: boolean;
  mode: 'event-driven' | 'event-streaming';
  errorsTolerance: 'NONE' | 'ALL';
  retryStrategy: PushRetryStrategy;
  /** Queue ARN of `runOptions.deadLetterQueue.Arn`, if any. */
  deadLetterQueueArn?: string;
  maximumTasks?: number;
}

/** A trigger type the local runtime does not emulate (oss, log, cdn...): kept so it can be reported. */
export interface OtherTriggerSpec {
  kind: 'other';
  triggerName: string;
  triggerType: string;
}

export type TriggerSpec = HttpTriggerSpec | TimerTriggerSpec | MnsTriggerSpec | OtherTriggerSpec;

export interface FunctionSpec {
  /** Key under `resources:` in s.yaml. */
  resourceName: string;
  functionName: string;
  region: string;
  runtime: string;
  description?: string;
  /** `file.export`, e.g. `index.handler`. */
  handler: string;
  /** Code directory as written in s.yaml (relative to the s.yaml directory unless absolute). */
  code: string;
  memorySize: number;
  timeout: number;
  /** Full role ARN, completed and lower-cased as fc3 does; undefined = no role. */
  role?: string;
  environmentVariables: Record<string, string>;
  instanceConcurrency: number;
  asyncInvokeConfig?: { maxAsyncRetryAttempts?: number; maxAsyncEventAgeInSeconds?: number };
  triggers: TriggerSpec[];
}

const envValue = z.union([z.string(), z.number(), z.boolean()]).transform((v) => String(v));

const httpConfig = z.object({
  authType: z.enum(['anonymous', 'function', 'jwt']),
  methods: z.array(z.enum(HTTP_METHODS)).min(1),
}).loose();

const timerConfig = z.object({
  cronExpression: z.string().min(1),
  enable: z.boolean(),
  payload: z.string().optional(),
}).loose();

const eventBridgeConfig = z.object({
  triggerEnable: z.boolean().default(true),
  asyncInvocationType: z.boolean().default(false),
  eventSourceConfig: z.object({
    eventSourceType: z.string(),
    eventSourceParameters: z.object({
      sourceMNSParameters: z.object({
        QueueName: z.string().min(1),
        IsBase64Decode: z.boolean().default(true),
        RegionId: z.string().optional(),
      }).loose().optional(),
    }).loose(),
  }).loose(),
  runOptions: z.object({
    mode: z.enum(['event-driven', 'event-streaming']).optional(),
    errorsTolerance: z.enum(['NONE', 'ALL']).default('NONE'),
    maximumTasks: z.number().int().positive().optional(),
    retryStrategy: z.object({
      PushRetryStrategy: z.enum(['BACKOFF_RETRY', 'EXPONENTIAL_DECAY_RETRY']).default('BACKOFF_RETRY'),
    }).loose().optional(),
    deadLetterQueue: z.object({ Arn: z.string().min(1) }).loose().optional(),
  }).loose().optional(),
}).loose();

const trigger = z.object({
  triggerName: z.string().min(1),
  triggerType: z.string().min(1),
  triggerConfig: z.record(z.string(), z.unknown()),
}).loose();

const props = z.object({
  region: z.string().min(1),
  functionName: z.string().regex(/^[A-Za-z_][A-Za-z0-9_-]{0,127}$/, 'must start with a letter or "_" and hold letters, digits, "_" and "-" (max 128)'),
  runtime: z.string().min(1),
  description: z.string().optional(),
  handler: z.string().regex(/^[^.]+(\.[^.]+)+$/, 'must be "<file>.<export>", e.g. index.handler').default('index.handler'),
  code: z.string().min(1, 'must be a local code directory (OSS code is not emulated)'),
  memorySize: z.number().int().min(128).max(32768).multipleOf(64).default(512),
  timeout: z.number().int().min(1).max(86400).default(3),
  role: z.string().min(1).optional(),
  environmentVariables: z.record(z.string(), envValue).default({}),
  instanceConcurrency: z.number().int().min(1).max(200).default(1),
  asyncInvokeConfig: z.object({
    maxAsyncRetryAttempts: z.number().int().min(0).max(8).optional(),
    maxAsyncEventAgeInSeconds: z.number().int().positive().optional(),
  }).loose().optional(),
  triggers: z.array(trigger).default([]),
}).loose();

/** Turn a zod issue path into the s.yaml key it names, e.g. `resources.intake.props.triggers[0].triggerConfig.methods`. */
function keyOf(prefix: string, path: ReadonlyArray<PropertyKey>): string {
  let key = prefix;
  for (const p of path) key += typeof p === 'number' ? `[${p}]` : `.${String(p)}`;
  return key;
}

function parseWith<S extends z.ZodType>(schema: S, value: unknown, prefix: string): z.output<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const field = keyOf(prefix, issue?.path ?? []);
  throw new ValidationError('INVALID_CONFIG', field, issue?.message ?? 'invalid value');
}

/** fc3 completes a bare role name to an ARN and lower-cases it (fc-sdevs-ram.md §1.2, `_handleRole`). */
export function completeRoleArn(role: string, accountId: string): string {
  const arn = role.startsWith('acs:') ? role : `acs:ram::${accountId}:role/${role}`;
  return arn.toLowerCase();
}

/** Queue name of an MNS queue ARN (`acs:mns:<region>:<uid>:/queues/<name>` or `...:queues/<name>`). */
export function queueNameFromArn(arn: string): { accountId?: string; queueName: string } {
  const m = /^acs:mns:[^:]*:([^:]*):\/?queues\/([^/]+)(?:\/.*)?$/.exec(arn);
  if (!m || m[2] === undefined) {
    throw new ValidationError('INVALID_ARN', 'deadLetterQueue.Arn', `not an MNS queue ARN: "${arn}"`);
  }
  return { ...(m[1] ? { accountId: m[1] } : {}), queueName: m[2] };
}

function toTrigger(t: z.output<typeof trigger>, prefix: string): TriggerSpec {
  const cfgKey = `${prefix}.triggerConfig`;
  switch (t.triggerType) {
    case 'http': {
      const c = parseWith(httpConfig, t.triggerConfig, cfgKey);
      return { kind: 'http', triggerName: t.triggerName, methods: [...new Set(c.methods)], authType: c.authType };
    }
    case 'timer': {
      const c = parseWith(timerConfig, t.triggerConfig, cfgKey);
      return { kind: 'timer', triggerName: t.triggerName, cronExpression: c.cronExpression, enable: c.enable, ...(c.payload === undefined ? {} : { payload: c.payload }) };
    }
    case 'eventbridge': {
      const c = parseWith(eventBridgeConfig, t.triggerConfig, cfgKey);
      const mns = c.eventSourceConfig.eventSourceParameters.sourceMNSParameters;
      if (c.eventSourceConfig.eventSourceType !== 'MNS') return { kind: 'other', triggerName: t.triggerName, triggerType: `eventbridge/${c.eventSourceConfig.eventSourceType}` };
      if (!mns) throw new ValidationError('INVALID_CONFIG', `${cfgKey}.eventSourceConfig.eventSourceParameters.sourceMNSParameters`, 'is required for eventSourceType MNS');
      const ro = c.runOptions;
      const dlq = ro?.deadLetterQueue?.Arn;
      if (dlq !== undefined) parseWith(z.string().refine((a) => { try { queueNameFromArn(a); return true; } catch { return false; } }, 'must be an MNS queue ARN: acs:mns:<region>:<uid>:/queues/<name>'), dlq, `${cfgKey}.runOptions.deadLetterQueue.Arn`);
      return {
        kind: 'mns',
        triggerName: t.triggerName,
        enable: c.triggerEnable,
        queueName: mns.QueueName,
        isBase64Decode: mns.IsBase64Decode,
        ...(mns.RegionId === undefined ? {} : { regionId: mns.RegionId }),
        asyncInvocationType: c.asyncInvocationType,
        // The default mode is UNCONFIRMED (fc-sdevs-ram.md §1.2): event-driven is the one the project uses.
        mode: ro?.mode ?? 'event-driven',
        errorsTolerance: ro?.errorsTolerance ?? 'NONE',
        retryStrategy: ro?.retryStrategy?.PushRetryStrategy ?? 'BACKOFF_RETRY',
        ...(dlq === undefined ? {} : { deadLetterQueueArn: dlq }),
        ...(ro?.maximumTasks === undefined ? {} : { maximumTasks: ro.maximumTasks }),
      };
    }
    default:
      return { kind: 'other', triggerName: t.triggerName, triggerType: t.triggerType };
  }
}

/**
 * Validate one resolved fc3 resource's `props` and map it to a FunctionSpec.
 * @param prefix the s.yaml key of these props, used in error messages.
 */
export function parseFunctionProps(resourceName: string, value: unknown, accountId: string, prefix = `resources.${resourceName}.props`): FunctionSpec {
  const p = parseWith(props, value, prefix);
  const names = new Set<string>();
  const triggers = p.triggers.map((t, i) => {
    const key = `${prefix}.triggers[${i}]`;
    if (names.has(t.triggerName)) throw new ValidationError('INVALID_CONFIG', `${key}.triggerName`, `duplicate trigger name "${t.triggerName}"`);
    names.add(t.triggerName);
    return toTrigger(t, key);
  });
  if (triggers.filter((t) => t.kind === 'http').length > 1) {
    throw new ValidationError('INVALID_CONFIG', `${prefix}.triggers`, 'a function has at most one HTTP trigger');
  }
  const spec: FunctionSpec = {
    resourceName,
    functionName: p.functionName,
    region: p.region,
    runtime: p.runtime,
    handler: p.handler,
    code: p.code,
    memorySize: p.memorySize,
    timeout: p.timeout,
    environmentVariables: p.environmentVariables,
    instanceConcurrency: p.instanceConcurrency,
    triggers,
  };
  if (p.description !== undefined) spec.description = p.description;
  if (p.role !== undefined) spec.role = completeRoleArn(p.role, accountId);
  if (p.asyncInvokeConfig !== undefined) {
    spec.asyncInvokeConfig = {
      ...(p.asyncInvokeConfig.maxAsyncRetryAttempts === undefined ? {} : { maxAsyncRetryAttempts: p.asyncInvokeConfig.maxAsyncRetryAttempts }),
      ...(p.asyncInvokeConfig.maxAsyncEventAgeInSeconds === undefined ? {} : { maxAsyncEventAgeInSeconds: p.asyncInvokeConfig.maxAsyncEventAgeInSeconds }),
    };
  }
  return spec;
}

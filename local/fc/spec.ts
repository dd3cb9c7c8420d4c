/**
 * Typed function specs for the local FC runtime, validated with zod from one fc3 resource's
 * (already resolved) `props`. Key names and defaults follow fc3's schema (devsapp/fc3 src/schema.json).
 */
import { z } from 'zod';
import { ValidationError } from '../../shared/domain/errors';
import { eventBridgeConfig, toMnsTrigger, type MnsTriggerSpec, type OtherTriggerSpec } from './eventbridge-spec';

const HTTP_METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'HEAD', 'PATCH', 'OPTIONS'] as const;
type HttpMethod = (typeof HTTP_METHODS)[number];

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

interface VpcConfig {
  vpcId: string;
  vSwitchIds: string[];
  securityGroupId: string;
}

type TriggerSpec = HttpTriggerSpec | TimerTriggerSpec | MnsTriggerSpec | OtherTriggerSpec;

/**
 * A trigger exactly as s.yaml declares it: fc3 deploys it with CreateTrigger, `triggerConfig` sent
 * as JSON text (devsapp/fc3 `src/resources/fc/index.ts` `deployTrigger`), so this is what the FC 3.0
 * API's GetTrigger and ListTriggers give back (fc3-api.ts).
 */
export interface DeclaredTrigger {
  triggerName: string;
  triggerType: string;
  description?: string;
  qualifier?: string;
  invocationRole?: string;
  triggerConfig: Record<string, unknown>;
}

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
  /** 1 for standard runtimes: FC 3.0 offers instance concurrency to custom runtimes only. */
  instanceConcurrency: number;
  /** The VPC the function is attached to; without it, VPC-internal addresses are unreachable. */
  vpcConfig?: VpcConfig;
  /** Outbound internet access (default true), also with a VPC. */
  internetAccess: boolean;
  asyncInvokeConfig?: { maxAsyncRetryAttempts?: number; maxAsyncEventAgeInSeconds?: number };
  triggers: TriggerSpec[];
  /** The triggers as declared (for the FC 3.0 API's GetTrigger/ListTriggers); absent = none declared. */
  declaredTriggers?: DeclaredTrigger[];
}

/**
 * Environment variable names: "A key must start with a letter and can contain only letters,
 * digits, and underscores (_)"; the prefix FC_* is reserved (www.alibabacloud.com/help/en/
 * functioncompute/fc/environment-variables, "Limitations").
 */
const ENV_KEY = /^[A-Za-z][A-Za-z0-9_]*$/;

/** "The total size of all environment variables cannot exceed 4 KB" (same page). */
export const ENVIRONMENT_LIMIT_BYTES = 4096;

/**
 * How FC measures "the total size" is not documented. The strictest plausible reading is used:
 * the UTF-8 bytes of the variables as the API carries them, a JSON object
 * (`environmentVariables` of CreateFunction), which is never smaller than keys + values.
 */
export function environmentSize(env: Readonly<Record<string, string>>): number {
  return Buffer.byteLength(JSON.stringify(env), 'utf8');
}

/** Refuse an environment over 4 KB, as a deploy would, naming the function and the size. */
function checkEnvironmentSize(functionName: string, env: Readonly<Record<string, string>>, field: string): void {
  const size = environmentSize(env);
  if (size > ENVIRONMENT_LIMIT_BYTES) {
    const largest = Object.entries(env).sort((a, b) => b[1].length - a[1].length).slice(0, 3).map(([k, v]) => `${k} (${Buffer.byteLength(v, 'utf8')} bytes)`).join(', ');
    throw new ValidationError('INVALID_CONFIG', field, `function ${functionName}: its environment variables take ${size} bytes (as JSON), over Function Compute's limit of ${ENVIRONMENT_LIMIT_BYTES} bytes (4 KB) per function; largest: ${largest}`);
  }
}

/**
 * Runtimes that may run several requests on one instance. "Standard runtimes of Function Compute
 * no longer support the instance concurrency feature. Instances that run in custom runtimes still
 * support the concurrency feature" (www.alibabacloud.com/help/en/functioncompute/
 * feature-updates-in-function-compute-3).
 */
function supportsInstanceConcurrency(runtime: string): boolean {
  return runtime === 'custom' || runtime.startsWith('custom.') || runtime === 'custom-container';
}

/** FC 3.0 rejects a standard-runtime function with instance concurrency, so a deploy would fail. */
function checkInstanceConcurrency(functionName: string, runtime: string, instanceConcurrency: number | undefined, field: string): void {
  if (instanceConcurrency === undefined || instanceConcurrency <= 1 || supportsInstanceConcurrency(runtime)) return;
  throw new ValidationError('INVALID_CONFIG', field, `function ${functionName}: runtime ${runtime} is a standard runtime, and in Function Compute 3.0 standard runtimes do not support instance concurrency (only custom runtimes and custom containers do); remove instanceConcurrency: ${instanceConcurrency}`);
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

const trigger = z.object({
  triggerName: z.string().min(1),
  triggerType: z.string().min(1),
  description: z.string().optional(),
  qualifier: z.string().optional(),
  invocationRole: z.string().optional(),
  triggerConfig: z.record(z.string(), z.unknown()),
}).loose();

function declared(t: z.output<typeof trigger>): DeclaredTrigger {
  return {
    triggerName: t.triggerName,
    triggerType: t.triggerType,
    ...(t.description === undefined ? {} : { description: t.description }),
    ...(t.qualifier === undefined ? {} : { qualifier: t.qualifier }),
    ...(t.invocationRole === undefined ? {} : { invocationRole: t.invocationRole }),
    triggerConfig: t.triggerConfig,
  };
}

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
  environmentVariables: z.record(z.string().regex(ENV_KEY, 'an environment variable name must start with a letter and hold only letters, digits and "_"').refine((k) => !k.startsWith('FC_'), 'FC_* environment variables are reserved by Function Compute'), envValue).default({}),
  instanceConcurrency: z.number().int().min(1).max(200).optional(),
  vpcConfig: z.union([
    z.object({
      vpcId: z.string().min(1, 'is empty: the function must name its VPC (vpc-...)'),
      vSwitchIds: z.array(z.string().min(1, 'is empty')).min(1, 'must name at least one vSwitch of the VPC'),
      securityGroupId: z.string().min(1, 'is empty: the function must name a security group of the VPC'),
    }).loose(),
    z.literal('auto'),
  ]).optional(),
  internetAccess: z.boolean().default(true),
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

/** fc3 completes a bare role name to an ARN and lower-cases it (devsapp/fc3 `_handleRole`). */
function completeRoleArn(role: string, accountId: string): string {
  const arn = role.startsWith('acs:') ? role : `acs:ram::${accountId}:role/${role}`;
  return arn.toLowerCase();
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
      if (c.eventSourceConfig.eventSourceType !== 'MNS') return { kind: 'other', triggerName: t.triggerName, triggerType: `eventbridge/${c.eventSourceConfig.eventSourceType}` };
      return toMnsTrigger(t.triggerName, c, cfgKey);
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
  checkInstanceConcurrency(p.functionName, p.runtime, p.instanceConcurrency, `${prefix}.instanceConcurrency`);
  if (p.vpcConfig === 'auto') {
    throw new ValidationError('INVALID_CONFIG', `${prefix}.vpcConfig`, `function ${p.functionName}: vpcConfig: auto (a VPC created by fc3) is not emulated locally; name the VPC (vpcId, vSwitchIds, securityGroupId)`);
  }
  checkEnvironmentSize(p.functionName, p.environmentVariables, `${prefix}.environmentVariables`);
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
    instanceConcurrency: p.instanceConcurrency ?? 1,
    internetAccess: p.internetAccess,
    triggers,
    declaredTriggers: p.triggers.map(declared),
  };
  if (p.vpcConfig !== undefined) spec.vpcConfig = { vpcId: p.vpcConfig.vpcId, vSwitchIds: p.vpcConfig.vSwitchIds, securityGroupId: p.vpcConfig.securityGroupId };
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

/**
 * What a deploy to FC 3.0 would refuse in functions built or extended outside s.yaml: instance
 * concurrency on a standard runtime, and an environment over 4 KB including the local runtime's
 * extra variables (in FC they would have to be part of the function's configuration).
 */
export function checkDeployable(functions: readonly FunctionSpec[], extraEnv: Readonly<Record<string, string>>): void {
  for (const s of functions) {
    const key = `resources.${s.resourceName}.props`;
    checkInstanceConcurrency(s.functionName, s.runtime, s.instanceConcurrency, `${key}.instanceConcurrency`);
    checkEnvironmentSize(s.functionName, { ...extraEnv, ...s.environmentVariables }, `${key}.environmentVariables`);
  }
}

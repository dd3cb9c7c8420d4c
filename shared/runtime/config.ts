/**
 * Runtime configuration of the functions: the only production module that reads the environment.
 * Everything is validated once, at cold start, and a bad value fails fast with a ValidationError
 * (code INVALID_CONFIG) whose `field` names the variable, so a misconfigured deployment never
 * serves a request on guessed defaults.
 *
 * `loadConfig(env)` takes the environment explicitly (tests pass plain objects);
 * `getConfig()` is the memoised view of the real environment for handlers.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCatalog, type Catalog } from '../domain/catalog';
import { webhookEnvNames } from '../domain/notifications';
import { CATALOG_FILE_NAME } from '../domain/deployment';
import { CrossroleError, ValidationError, errorMessage } from '../domain/errors';
import { isAccountId } from '../domain/identifiers';
import { checkCatalogGuardrails } from '../policy/guardrails';

const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const DEFAULT_REGION = 'cn-hangzhou';
const DEFAULT_LEDGER_DIR = '/tmp/crossrole-ledger';
export const DEFAULT_MAX_BODY_BYTES = 262_144;
/** FC's synchronous invocation payload limit; a larger body limit could never be reached anyway. */
const MAX_MAX_BODY_BYTES = 32 * 1024 * 1024;

type LedgerConfig =
  | { driver: 'pg'; url: string }
  /** The URL is the value of a KMS secret, read once at cold start (shared/cloud/kms-adapter.ts). */
  | { driver: 'pg-secret'; secretName: string }
  | { driver: 'pglite'; dir: string };

interface StaticCredentials {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string;
}

export interface AppConfig {
  catalog: Catalog;
  ledger: LedgerConfig;
  region: string;
  ownerAccountId: string;
  endpoints: {
    /** host[:port], no scheme (the SDKs take the scheme from `protocol`). */
    ram: string;
    sts: string;
    /** Full URL, as the MNS SDK wants it. */
    mns: string;
    /** host[:port] of KMS, for DATABASE_SECRET_NAME. */
    kms: string;
    ecs?: string;
  };
  protocol: 'https' | 'http';
  /** Exact STS URLs an identity proof may target (no prefix matching, no redirects). */
  identityStsUrls: string[];
  maxBodyBytes: number;
  logLevel: LogLevel;
  /**
   * Long-lived keys for use outside FC (CLI-less scripts, local runs). In FC the invocation's
   * `context.credentials` take precedence, so this is normally undefined there.
   */
  credentials?: StaticCredentials;
  /** Values of the environment variables the catalog's webhooks name (`{"env": NAME}`); absent when unset. */
  webhookEnv: Readonly<Record<string, string>>;
}

interface LoadConfigOptions {
  /** Reads the catalog file; injectable so tests need no files. */
  readFile?: (path: string) => string;
}

// Region ids look like cn-hangzhou, ap-southeast-1, us-west-1.
const REGION = /^[a-z]{2,}(?:-[a-z0-9]+)+$/;
// host[:port]: endpoints are host names or IPs; a scheme or path here is a typo that would
// otherwise surface as an obscure SDK error on the first call.
const HOST_PORT = /^[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?(?::\d{1,5})?$/;

function fail(variable: string, message: string, cause?: unknown): never {
  throw new ValidationError('INVALID_CONFIG', variable, message, cause === undefined ? {} : { cause });
}

/** Empty strings count as unset: FC consoles and s.yaml templates often leave variables blank. */
function read(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const v = env[name];
  if (v === undefined) return undefined;
  const t = v.trim();
  return t === '' ? undefined : t;
}

function hostPort(variable: string, value: string): string {
  if (!HOST_PORT.test(value)) fail(variable, `must be a host name with an optional port (no scheme or path), got "${truncateValue(value)}"`);
  return value;
}

function httpUrl(variable: string, value: string): string {
  let ok = false;
  try {
    const u = new URL(value);
    ok = (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== '';
  } catch {
    ok = false;
  }
  if (!ok) fail(variable, `must be an http(s) URL, got "${truncateValue(value)}"`);
  return value;
}

function truncateValue(v: string): string {
  return v.length > 80 ? `${v.slice(0, 80)}…` : v;
}

/**
 * Where the catalog comes from, in this order:
 * - CROSSROLE_CONFIG: the JSON itself (tests and tools; s.yaml never sets it: FC allows 4 KB for
 *   all of a function's environment variables together, which a real catalog outgrows);
 * - CROSSROLE_CONFIG_FILE: a path;
 * - `catalog.json` in the function's code directory (FC_FUNC_CODE_PATH, "the code deployment
 *   directory", www.alibabacloud.com/help/en/functioncompute/fc/environment-variables), where
 *   `npm run build` puts the validated catalog next to each bundle.
 */
function catalogSource(env: NodeJS.ProcessEnv): { variable: string; inline: string } | { variable: string; path: string } {
  const inline = read(env, 'CROSSROLE_CONFIG');
  const file = read(env, 'CROSSROLE_CONFIG_FILE');
  if (inline !== undefined && file !== undefined) fail('CROSSROLE_CONFIG', 'set either CROSSROLE_CONFIG or CROSSROLE_CONFIG_FILE, not both');
  if (inline !== undefined) return { variable: 'CROSSROLE_CONFIG', inline };
  if (file !== undefined) return { variable: 'CROSSROLE_CONFIG_FILE', path: file };
  const codeDir = read(env, 'FC_FUNC_CODE_PATH');
  if (codeDir !== undefined) return { variable: CATALOG_FILE_NAME, path: join(codeDir, CATALOG_FILE_NAME) };
  return fail('CROSSROLE_CONFIG_FILE', `is required outside Function Compute (the catalog's path); in FC the catalog is ${CATALOG_FILE_NAME} in the code package, written by npm run build`);
}

function loadCatalog(env: NodeJS.ProcessEnv, readFile: (path: string) => string): Catalog {
  const source = catalogSource(env);
  const variable = source.variable;
  let text: string;
  if ('inline' in source) {
    text = source.inline;
  } else {
    try {
      text = readFile(source.path);
    } catch (e) {
      const hint = variable === CATALOG_FILE_NAME ? ' (build with npm run build -- --catalog <file>: it writes the catalog next to each function\'s bundle)' : '';
      return fail(variable, `cannot read "${truncateValue(source.path)}": ${errorMessage(e)}${hint}`, e);
    }
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return fail(variable, `is not valid JSON: ${errorMessage(e)}`, e);
  }
  let catalog: Catalog;
  try {
    catalog = parseCatalog(json);
  } catch (e) {
    throw prefixField(variable, e);
  }
  try {
    // Custom policies are checked once, here: a catalog that would grant escalation never serves.
    checkCatalogGuardrails(catalog);
  } catch (e) {
    // Reported as INVALID_CONFIG like every other load failure (the original code stays in
    // details.code): it is the operator's mistake, and must surface as a 500, never as a 422 to a caller.
    throw prefixField(variable, e);
  }
  return catalog;
}

/**
 * Re-throw a catalog error as INVALID_CONFIG with the variable prepended to its field
 * (`CROSSROLE_CONFIG.profiles[1].maxDuration`); a different original code is kept in `details.code`.
 */
function prefixField(variable: string, e: unknown): unknown {
  if (!(e instanceof CrossroleError)) return e;
  const inner = e.field;
  const field = inner === undefined || inner === '(root)' ? variable : `${variable}.${inner}`;
  const message = inner !== undefined && e.message.startsWith(`${inner}: `) ? e.message.slice(inner.length + 2) : e.message;
  const details = { ...(e.details ?? {}), ...(e.code === 'INVALID_CONFIG' ? {} : { code: e.code }) };
  return new ValidationError('INVALID_CONFIG', field, message, { cause: e, ...(Object.keys(details).length === 0 ? {} : { details }) });
}

/**
 * KMS secret names: "up to 192 characters ... letters, digits, underscores (_), forward slashes
 * (/), plus signs (+), equal signs (=), periods (.), hyphens (-), and at signs (@)" (CreateSecret,
 * www.alibabacloud.com/help/doc-detail/154490.htm); GetSecretValue also takes the secret's ARN.
 */
const SECRET_NAME = /^(?:acs:kms:[a-z0-9-]+:\d{16}:secret\/)?[A-Za-z0-9_/+=.@-]{1,192}$/;

function pgUrl(variable: string, url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return fail(variable, 'must be a postgres:// or postgresql:// URL');
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') fail(variable, 'must be a postgres:// or postgresql:// URL');
  return url;
}

/**
 * The ledger: DATABASE_URL (a PostgreSQL URL, password included), or DATABASE_SECRET_NAME (a KMS
 * secret whose value is that URL, read with the execution role at cold start, so the password is
 * never part of the function's configuration), or the embedded PGlite ledger outside FC.
 */
function loadLedger(env: NodeJS.ProcessEnv): LedgerConfig {
  const url = read(env, 'DATABASE_URL');
  const secretName = read(env, 'DATABASE_SECRET_NAME');
  const dir = read(env, 'CROSSROLE_LEDGER_DIR');
  // Two sources are ambiguous: silently preferring one could write grants to a ledger nobody reads.
  if (url !== undefined && secretName !== undefined) fail('DATABASE_URL', 'set either DATABASE_URL or DATABASE_SECRET_NAME (a KMS secret holding the URL), not both');
  if ((url !== undefined || secretName !== undefined) && dir !== undefined) {
    fail(url !== undefined ? 'DATABASE_URL' : 'DATABASE_SECRET_NAME', 'set either a PostgreSQL server (DATABASE_URL / DATABASE_SECRET_NAME) or CROSSROLE_LEDGER_DIR (embedded PGlite), not both');
  }
  if (url !== undefined) return { driver: 'pg', url: pgUrl('DATABASE_URL', url) };
  if (secretName !== undefined) {
    if (!SECRET_NAME.test(secretName)) fail('DATABASE_SECRET_NAME', `must be a KMS secret name (up to 192 of letters, digits and _/+=.@-) or its ARN, got "${truncateValue(secretName)}"`);
    return { driver: 'pg-secret', secretName };
  }
  // Inside Function Compute (FC sets FC_FUNCTION_NAME) the embedded ledger would be a private,
  // throwaway copy per instance, and its WASM is not even in the bundle: say so at cold start.
  if (read(env, 'FC_FUNCTION_NAME') !== undefined) fail('DATABASE_URL', 'is required in Function Compute (or DATABASE_SECRET_NAME): the ledger must be a PostgreSQL server (ApsaraDB RDS / PolarDB); the embedded PGlite ledger is for local use');
  const d = dir ?? DEFAULT_LEDGER_DIR;
  if (d.includes('\0')) fail('CROSSROLE_LEDGER_DIR', 'must be a directory path');
  return { driver: 'pglite', dir: d };
}

/** The value of the DATABASE_SECRET_NAME secret: it must be the ledger's postgres:// URL. */
export function ledgerUrlFromSecret(secretName: string, value: string): string {
  const url = value.trim();
  let ok = false;
  try {
    const u = new URL(url);
    ok = u.protocol === 'postgres:' || u.protocol === 'postgresql:';
  } catch {
    ok = false;
  }
  // Never echo the value: it is a secret, and a near-URL may well hold the password.
  if (!ok) fail('DATABASE_SECRET_NAME', `the secret ${secretName} must hold the ledger's postgres://user:password@host:5432/db URL as its value (a Generic secret, text)`);
  return url;
}

function loadCredentials(env: NodeJS.ProcessEnv): StaticCredentials | undefined {
  const accessKeyId = read(env, 'ALIBABA_CLOUD_ACCESS_KEY_ID');
  const accessKeySecret = read(env, 'ALIBABA_CLOUD_ACCESS_KEY_SECRET');
  const securityToken = read(env, 'ALIBABA_CLOUD_SECURITY_TOKEN');
  if (accessKeyId === undefined && accessKeySecret === undefined) {
    if (securityToken !== undefined) fail('ALIBABA_CLOUD_SECURITY_TOKEN', 'is set without ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET');
    return undefined;
  }
  if (accessKeyId === undefined) return fail('ALIBABA_CLOUD_ACCESS_KEY_ID', 'is required when ALIBABA_CLOUD_ACCESS_KEY_SECRET is set');
  if (accessKeySecret === undefined) return fail('ALIBABA_CLOUD_ACCESS_KEY_SECRET', 'is required when ALIBABA_CLOUD_ACCESS_KEY_ID is set');
  return securityToken === undefined ? { accessKeyId, accessKeySecret } : { accessKeyId, accessKeySecret, securityToken };
}

function loadMaxBodyBytes(env: NodeJS.ProcessEnv): number {
  const raw = read(env, 'CROSSROLE_MAX_BODY_BYTES');
  if (raw === undefined) return DEFAULT_MAX_BODY_BYTES;
  if (!/^\d{1,9}$/.test(raw)) fail('CROSSROLE_MAX_BODY_BYTES', `must be a whole number of bytes, got "${truncateValue(raw)}"`);
  const n = Number(raw);
  if (n < 1024 || n > MAX_MAX_BODY_BYTES) fail('CROSSROLE_MAX_BODY_BYTES', `must be between 1024 and ${MAX_MAX_BODY_BYTES}`);
  return n;
}

function loadLogLevel(env: NodeJS.ProcessEnv): LogLevel {
  const raw = read(env, 'CROSSROLE_LOG_LEVEL');
  if (raw === undefined) return 'info';
  const lower = raw.toLowerCase();
  const level = LOG_LEVELS.find((l) => l === lower);
  if (level === undefined) return fail('CROSSROLE_LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}`);
  return level;
}

function loadIdentityStsUrls(env: NodeJS.ProcessEnv, region: string): string[] {
  const raw = read(env, 'CROSSROLE_IDENTITY_STS_URLS');
  const list = raw === undefined
    ? ['https://sts.aliyuncs.com/', `https://sts.${region}.aliyuncs.com/`]
    : raw.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (list.length === 0) fail('CROSSROLE_IDENTITY_STS_URLS', 'must list at least one STS URL');
  for (const u of list) {
    httpUrl('CROSSROLE_IDENTITY_STS_URLS', u);
    // The allowlist is compared exactly; a query or fragment in it can never match a proof's URL base.
    const parsed = new URL(u);
    if (parsed.search !== '' || parsed.hash !== '' || parsed.username !== '' || parsed.password !== '') {
      fail('CROSSROLE_IDENTITY_STS_URLS', `"${truncateValue(u)}" must not carry credentials, a query or a fragment`);
    }
  }
  return [...new Set(list)];
}

/**
 * Validate the environment into an AppConfig. Throws ValidationError INVALID_CONFIG whose `field`
 * names the offending variable (and, for the catalog, the path inside it). The catalog's custom
 * policies pass the guardrails here (shared/policy/guardrails.ts).
 *
 * @example loadConfig({ CROSSROLE_CONFIG_FILE: 'catalog.json', CROSSROLE_REGION: 'cn-shanghai' })
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, options: LoadConfigOptions = {}): AppConfig {
  const readFile = options.readFile ?? ((path: string) => readFileSync(path, 'utf8'));
  const catalog = loadCatalog(env, readFile);

  const region = read(env, 'CROSSROLE_REGION') ?? read(env, 'FC_REGION') ?? DEFAULT_REGION;
  if (!REGION.test(region)) fail(read(env, 'CROSSROLE_REGION') !== undefined ? 'CROSSROLE_REGION' : 'FC_REGION', `"${truncateValue(region)}" is not a region id such as cn-hangzhou`);

  const ownerOverride = read(env, 'CROSSROLE_OWNER_ACCOUNT_ID');
  if (ownerOverride !== undefined) {
    if (!isAccountId(ownerOverride)) fail('CROSSROLE_OWNER_ACCOUNT_ID', 'must be a 16-digit account ID');
    // Two different owners would let approvals be checked against one account and roles created in another.
    if (ownerOverride !== catalog.ownerAccountId) fail('CROSSROLE_OWNER_ACCOUNT_ID', `does not match the catalog's ownerAccountId ${catalog.ownerAccountId}`);
  }
  const ownerAccountId = ownerOverride ?? catalog.ownerAccountId;

  const protocolRaw = read(env, 'CROSSROLE_PROTOCOL') ?? 'https';
  if (protocolRaw !== 'https' && protocolRaw !== 'http') fail('CROSSROLE_PROTOCOL', 'must be "https" or "http"');
  const protocol: 'https' | 'http' = protocolRaw;

  const ram = hostPort('CROSSROLE_RAM_ENDPOINT', read(env, 'CROSSROLE_RAM_ENDPOINT') ?? 'ram.aliyuncs.com');
  const sts = hostPort('CROSSROLE_STS_ENDPOINT', read(env, 'CROSSROLE_STS_ENDPOINT') ?? `sts.${region}.aliyuncs.com`);
  const mns = httpUrl('CROSSROLE_MNS_ENDPOINT', read(env, 'CROSSROLE_MNS_ENDPOINT') ?? `https://${ownerAccountId}.mns.${region}.aliyuncs.com`);
  // The shared gateway; kms-vpc.<region>.aliyuncs.com from inside a VPC (doc-detail/69006).
  const kms = hostPort('CROSSROLE_KMS_ENDPOINT', read(env, 'CROSSROLE_KMS_ENDPOINT') ?? `kms.${region}.aliyuncs.com`);
  const ecsRaw = read(env, 'CROSSROLE_ECS_ENDPOINT');
  const ecs = ecsRaw === undefined ? undefined : hostPort('CROSSROLE_ECS_ENDPOINT', ecsRaw);

  const credentials = loadCredentials(env);
  return {
    catalog,
    ledger: loadLedger(env),
    region,
    ownerAccountId,
    endpoints: ecs === undefined ? { ram, sts, mns, kms } : { ram, sts, mns, kms, ecs },
    protocol,
    identityStsUrls: loadIdentityStsUrls(env, region),
    maxBodyBytes: loadMaxBodyBytes(env),
    logLevel: loadLogLevel(env),
    ...(credentials === undefined ? {} : { credentials }),
    // Read here, the one module that sees the environment; an unset one fails that webhook's deliveries, not the function.
    webhookEnv: Object.fromEntries(webhookEnvNames(catalog.notifications).flatMap((name) => {
      const value = read(env, name);
      return value === undefined ? [] : [[name, value]];
    })),
  };
}

let cached: AppConfig | undefined;

/** The configuration of this instance, loaded from the real environment on first use (cold start). */
export function getConfig(): AppConfig {
  cached ??= loadConfig(process.env);
  return cached;
}

/** Forget the memoised configuration (tests only: production reads it once per instance). */
export function resetConfigForTests(): void {
  cached = undefined;
}

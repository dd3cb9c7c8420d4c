/**
 * Everything the CLI reads from its environment, in one place (the lint test allows `process.env`
 * only here and in shared/runtime/config.ts). Commands receive a CliEnv and never look further.
 */
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';

export interface CliEnv {
  cwd: string;
  home: string;
  /** CROSSROLE_ENDPOINT: base URL of the HTTP API (`<base>/fn/crossrole-intake`, ...). */
  endpoint?: string;
  /** CROSSROLE_API_INTAKE / CROSSROLE_API_APPROVAL: full trigger URLs (FC gives each function its own). */
  apiIntake?: string;
  apiApproval?: string;
  /** CROSSROLE_STS_ENDPOINT: `host[:port]` or `http(s)://host[:port]`. */
  stsEndpoint?: string;
  /** CROSSROLE_DATA_DIR: where the local stack's `local.json` is (default `./.crossrole`). */
  dataDir?: string;
  /** CROSSROLE_REGION / ALIBABA_CLOUD_REGION_ID. */
  region?: string;
  /** CROSSROLE_OWNER_ACCOUNT_ID: account A, for MNS and FC endpoints of a real deployment. */
  ownerAccountId?: string;
  /** DATABASE_URL: the ledger, for `bootstrap`. */
  databaseUrl?: string;
  /** CROSSROLE_CATALOG_FILE: the catalog file the functions are built with (`npm run build` reads the same variable). */
  catalogFile?: string;
  /** CROSSROLE_CONFIG: the catalog JSON itself (older deployments; s.yaml no longer passes it). */
  catalogJson?: string;
  /** DATABASE_SECRET_NAME: the KMS secret holding the ledger's URL (s.yaml passes the same variable). */
  databaseSecretName?: string;
  /** ALIBABA_CLOUD_ACCESS_KEY_ID / _SECRET / ALIBABA_CLOUD_SECURITY_TOKEN (first link of the default chain). */
  accessKeyId?: string;
  accessKeySecret?: string;
  securityToken?: string;
  /** CROSSROLE_MNS_ENDPOINT: the owner account's MNS endpoint (the approvers' inbox), `https://<uid>.mns.<region>.aliyuncs.com`. */
  mnsEndpoint?: string;
  /** CROSSROLE_CONFIG_DIR: where `crossrole configure` keeps config.json (tests); else XDG_CONFIG_HOME/crossrole. */
  configDir?: string;
  /** XDG_CONFIG_HOME (default ~/.config). */
  xdgConfigHome?: string;
  /**
   * The whole environment, for `crossrole doctor`'s reading of s.yaml, whose `${env('X')}` may name
   * any variable (as `s deploy` resolves it). Absent when a caller builds a CliEnv by hand.
   */
  variables?: Readonly<Record<string, string | undefined>>;
  /** NO_COLOR set (any value): never colour. FORCE_COLOR set: colour even without a TTY. */
  noColor: boolean;
  forceColor: boolean;
}

function value(env: NodeJS.ProcessEnv, key: string): string | undefined {
  const v = env[key];
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}

export function readCliEnv(env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): CliEnv {
  const out: CliEnv = {
    cwd,
    home: value(env, 'HOME') ?? homedir(),
    noColor: env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '',
    forceColor: env['FORCE_COLOR'] !== undefined && env['FORCE_COLOR'] !== '' && env['FORCE_COLOR'] !== '0',
  };
  const set = <K extends keyof CliEnv>(k: K, v: CliEnv[K] | undefined): void => {
    if (v !== undefined) out[k] = v;
  };
  set('endpoint', value(env, 'CROSSROLE_ENDPOINT'));
  set('apiIntake', value(env, 'CROSSROLE_API_INTAKE'));
  set('apiApproval', value(env, 'CROSSROLE_API_APPROVAL'));
  set('stsEndpoint', value(env, 'CROSSROLE_STS_ENDPOINT'));
  set('dataDir', value(env, 'CROSSROLE_DATA_DIR'));
  set('region', value(env, 'CROSSROLE_REGION') ?? value(env, 'ALIBABA_CLOUD_REGION_ID'));
  set('ownerAccountId', value(env, 'CROSSROLE_OWNER_ACCOUNT_ID'));
  set('databaseUrl', value(env, 'DATABASE_URL'));
  set('catalogFile', value(env, 'CROSSROLE_CATALOG_FILE'));
  set('catalogJson', value(env, 'CROSSROLE_CONFIG'));
  set('databaseSecretName', value(env, 'DATABASE_SECRET_NAME'));
  set('accessKeyId', value(env, 'ALIBABA_CLOUD_ACCESS_KEY_ID'));
  set('accessKeySecret', value(env, 'ALIBABA_CLOUD_ACCESS_KEY_SECRET'));
  set('securityToken', value(env, 'ALIBABA_CLOUD_SECURITY_TOKEN'));
  set('mnsEndpoint', value(env, 'CROSSROLE_MNS_ENDPOINT'));
  set('configDir', value(env, 'CROSSROLE_CONFIG_DIR'));
  set('xdgConfigHome', value(env, 'XDG_CONFIG_HOME'));
  out.variables = { ...env };
  return out;
}

/** The local stack's data directory: `--data-dir`, else $CROSSROLE_DATA_DIR, else `./.crossrole`. */
function localDataDir(env: CliEnv, override?: string): string {
  return resolve(env.cwd, override ?? env.dataDir ?? '.crossrole');
}

export function localContractPath(env: CliEnv, override?: string): string {
  return join(localDataDir(env, override), 'local.json');
}

/**
 * The client config `crossrole configure` writes: $CROSSROLE_CONFIG_DIR/config.json, else
 * $XDG_CONFIG_HOME/crossrole/config.json, else ~/.config/crossrole/config.json (the XDG base
 * directory specification's default).
 */
export function clientConfigPath(env: CliEnv): string {
  if (env.configDir !== undefined) return resolve(env.cwd, env.configDir, 'config.json');
  // "If an implementation encounters a relative path in any of these variables it should consider the path invalid and ignore it."
  const xdg = env.xdgConfigHome !== undefined && isAbsolute(env.xdgConfigHome) ? env.xdgConfigHome : join(env.home, '.config');
  return join(xdg, 'crossrole', 'config.json');
}

/** The aliyun CLI's config file (`aliyun configure` writes it). */
export function aliyunConfigPath(env: CliEnv): string {
  return join(env.home, '.aliyun', 'config.json');
}

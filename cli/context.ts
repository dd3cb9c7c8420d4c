/**
 * Who the command runs as and where it talks to: credentials (`--as`, `--profile`, the environment,
 * the @alicloud/credentials default chain) and endpoints (flags, environment, or the local stack's
 * `local.json`). Resolved lazily, so `--help` and usage errors never touch the network or disk.
 */
import { existsSync, readFileSync } from 'node:fs';
import Credential, { CLIProfileCredentialsProvider } from '@alicloud/credentials';
import type { CloudCredentials } from '../shared/cloud/credentials';
import { silentLogger, type Logger } from '../shared/domain/ports';
import type { LocalContract, LocalPrincipal } from '../shared/contract/local-contract';
import { createApiClient, type ApiClient, type PopEndpoint } from './api';
import { mnsEndpointAccount, readClientConfig, type ClientConfig } from './client-config';
import { aliyunConfigPath, clientConfigPath, localContractPath, type CliEnv } from './config';
import { errorMessage } from '../shared/domain/errors';
import { CliError, UsageError } from './errors';
import type { Ui } from './ui';

/** Options every command accepts (see addCommonOptions in index.ts). */
export interface CommonOptions {
  as?: string;
  /** aliyun CLI profile (`--profile`, or `--aliyun-profile` where `--profile` means a catalog profile). */
  aliyunProfile?: string;
  endpoint?: string;
  apiIntake?: string;
  apiApproval?: string;
  stsEndpoint?: string;
  dataDir?: string;
  region?: string;
  ownerAccount?: string;
  json?: boolean;
}

interface ResolvedCredentials {
  credentials: CloudCredentials;
  /** Where they came from, for messages: `--as approver`, `profile default`, `environment`, ... */
  source: string;
}

interface Endpoints {
  sts: PopEndpoint;
  ram: PopEndpoint;
  ecs: PopEndpoint;
  /** Full URLs (MNS and FC SDKs take a scheme). */
  mns: string;
  fc: string;
  region: string;
  ownerAccountId?: string;
}

export interface Session {
  env: CliEnv;
  ui: Ui;
  options: CommonOptions;
  /** The local stack's contract, when this session talks to it. */
  local(): LocalContract | undefined;
  /** The client config file (`crossrole configure`), when there is one and the local stack is not in use. */
  clientConfig(): ClientConfig | undefined;
  credentials(): Promise<ResolvedCredentials>;
  api(): ApiClient;
  /** The two trigger URLs the API client uses (throws NO_ENDPOINT when none is configured). */
  apiUrls(): { intake: string; approval: string };
  endpoints(): Endpoints;
  /** Account A (owner): needed for MNS and FC. */
  ownerAccountId(): string;
  logger: Logger;
}

const DEFAULT_REGION = 'cn-hangzhou';

/** `http(s)://host[:port]` or `host[:port]` (https, or http for loopback hosts). */
function parsePopEndpoint(text: string, what: string): PopEndpoint {
  const m = /^(?:(https?):\/\/)?([^/\s]+?)\/?$/.exec(text.trim());
  if (!m || m[2] === undefined) throw new UsageError(`${what} must be host[:port] or http(s)://host[:port] (got ${JSON.stringify(text)})`);
  const host = m[2];
  const loopback = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?$/.test(host);
  const protocol = m[1] === 'http' || m[1] === 'https' ? m[1] : loopback ? 'http' : 'https';
  return { host, protocol };
}

function isPrincipal(v: unknown): v is LocalPrincipal {
  if (typeof v !== 'object' || v === null) return false;
  const p = v as Record<string, unknown>;
  return typeof p['accountId'] === 'string' && typeof p['arn'] === 'string' && typeof p['accessKeyId'] === 'string' && typeof p['accessKeySecret'] === 'string';
}

export function readLocalContract(path: string): LocalContract {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new CliError('LOCAL_CONTRACT_UNREADABLE', `cannot read ${path}: ${errorMessage(e)}`, {
      hint: 'start the local stack with `npm start` (it writes this file), or point --data-dir / CROSSROLE_DATA_DIR at its state directory.',
    });
  }
  const c = raw as Partial<LocalContract>;
  const ok = typeof raw === 'object' && raw !== null && typeof c.endpoint === 'string' && typeof c.api?.intake === 'string'
    && typeof c.api.approval === 'string' && typeof c.ownerAccountId === 'string' && typeof c.principals === 'object' && c.principals !== null
    && Object.values(c.principals).every(isPrincipal);
  if (!ok) throw new CliError('LOCAL_CONTRACT_INVALID', `${path} is not a Crossrole local.json`, { hint: 'restart the local stack (`npm start`) to rewrite it.' });
  return { ...(raw as LocalContract), region: typeof c.region === 'string' ? c.region : DEFAULT_REGION };
}

/** A provider of @alicloud/credentials (the library's own interface, structurally). */
interface LibraryProvider {
  getCredentials(): Promise<{ accessKeyId?: string; accessKeySecret?: string; securityToken?: string }>;
}

async function fromProvider(provider: LibraryProvider): Promise<CloudCredentials> {
  const c = await provider.getCredentials();
  if (!c.accessKeyId || !c.accessKeySecret) throw new Error('the provider returned no access key');
  return { accessKeyId: c.accessKeyId, accessKeySecret: c.accessKeySecret, ...(c.securityToken ? { securityToken: c.securityToken } : {}) };
}

/**
 * An aliyun CLI profile through the library's CLIProfileCredentialsProvider, which reads
 * ~/.aliyun/config.json (os.homedir(): $HOME) and handles every mode the aliyun CLI writes: AK,
 * StsToken, RamRoleArn and ChainableRamRoleArn (it calls STS AssumeRole itself), EcsRamRole, OIDC,
 * CloudSSO, OAuth, External.
 */
async function fromAliyunProfile(env: CliEnv, name: string): Promise<CloudCredentials> {
  try {
    return await fromProvider(CLIProfileCredentialsProvider.builder().withProfileName(name).build());
  } catch (e) {
    throw new CliError('NO_CREDENTIALS', `aliyun CLI profile ${name} (${aliyunConfigPath(env)}): ${errorMessage(e)}`, {
      cause: e,
      hint: `check the profile with \`aliyun configure list\`, or set it up with \`aliyun configure --profile ${name}\`.`,
    });
  }
}

async function fromDefaultChain(): Promise<CloudCredentials | undefined> {
  try {
    const c = await new Credential().getCredential();
    if (!c.accessKeyId || !c.accessKeySecret) return undefined;
    return { accessKeyId: c.accessKeyId, accessKeySecret: c.accessKeySecret, ...(c.securityToken ? { securityToken: c.securityToken } : {}) };
  } catch {
    return undefined;
  }
}

/**
 * Where each setting comes from, first match wins: flags, then the environment, then the local
 * stack's local.json when `--as` names one of its principals, then the client config file
 * (`crossrole configure`), and last a local.json found in the working directory.
 */
export function createSession(env: CliEnv, ui: Ui, options: CommonOptions): Session {
  let contract: LocalContract | null | undefined;
  let fileConfig: ClientConfig | null | undefined;
  let creds: Promise<ResolvedCredentials> | undefined;
  let api: ApiClient | undefined;

  const explicitApi = (): boolean =>
    options.endpoint !== undefined || options.apiIntake !== undefined || options.apiApproval !== undefined
    || env.endpoint !== undefined || env.apiIntake !== undefined || env.apiApproval !== undefined;

  /** The config file, read once; never with --as (the local stack's principals use the local stack). */
  function clientConfig(): ClientConfig | undefined {
    if (options.as !== undefined) return undefined;
    if (fileConfig === undefined) fileConfig = readClientConfig(env)?.config ?? null;
    return fileConfig ?? undefined;
  }

  /** The local stack: always with --as; otherwise only when no API endpoint was configured anywhere. */
  function local(): LocalContract | undefined {
    if (contract !== undefined) return contract ?? undefined;
    const path = localContractPath(env, options.dataDir);
    if (options.as !== undefined) contract = readLocalContract(path);
    else contract = !explicitApi() && clientConfig() === undefined && existsSync(path) ? readLocalContract(path) : null;
    return contract ?? undefined;
  }

  async function resolveCredentials(): Promise<ResolvedCredentials> {
    if (options.as !== undefined) {
      const c = local();
      const principals = c?.principals ?? {};
      const p = (principals as Record<string, LocalPrincipal | undefined>)[options.as];
      if (!p) {
        throw new UsageError(`--as ${options.as}: no such principal in ${localContractPath(env, options.dataDir)}`, `use one of: ${Object.keys(principals).join(', ')}`);
      }
      return { credentials: { accessKeyId: p.accessKeyId, accessKeySecret: p.accessKeySecret }, source: `--as ${options.as}` };
    }
    if (options.aliyunProfile !== undefined) {
      return { credentials: await fromAliyunProfile(env, options.aliyunProfile), source: `aliyun CLI profile ${options.aliyunProfile}` };
    }
    if (env.accessKeyId !== undefined && env.accessKeySecret !== undefined) {
      return {
        credentials: { accessKeyId: env.accessKeyId, accessKeySecret: env.accessKeySecret, ...(env.securityToken === undefined ? {} : { securityToken: env.securityToken }) },
        source: 'environment (ALIBABA_CLOUD_ACCESS_KEY_ID)',
      };
    }
    const configured = clientConfig()?.aliyunProfile;
    if (configured !== undefined) {
      return { credentials: await fromAliyunProfile(env, configured), source: `aliyun CLI profile ${configured} (from ${clientConfigPath(env)})` };
    }
    const chained = await fromDefaultChain();
    if (chained) return { credentials: chained, source: 'the @alicloud/credentials default chain' };
    throw new CliError('NO_CREDENTIALS', 'no Alibaba Cloud credentials found. Tried: --as <principal> (local.json), --profile <name> (~/.aliyun/config.json), '
      + 'ALIBABA_CLOUD_ACCESS_KEY_ID/ALIBABA_CLOUD_ACCESS_KEY_SECRET, and the @alicloud/credentials default chain '
      + '(OIDC, the aliyun CLI\'s current profile, ~/.alibabacloud/credentials, the ECS instance RAM role, ALIBABA_CLOUD_CREDENTIALS_URI)', {
      hint: 'for the local stack pass --as partner-admin (or approver, bob, owner-admin); otherwise export ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET, or pass --profile.',
    });
  }

  function endpoints(): Endpoints {
    const c = local();
    const f = c ? undefined : clientConfig();
    const region = options.region ?? env.region ?? c?.region ?? f?.region ?? DEFAULT_REGION;
    const stsText = options.stsEndpoint ?? env.stsEndpoint;
    const localPop: PopEndpoint | undefined = c ? { host: c.endpoint, protocol: 'http' } : undefined;
    const mnsConfigured = env.mnsEndpoint ?? (c ? `http://${c.endpoint}` : f?.mnsEndpoint);
    const owner = options.ownerAccount ?? env.ownerAccountId ?? c?.ownerAccountId ?? f?.ownerAccountId
      ?? (mnsConfigured === undefined ? undefined : mnsEndpointAccount(mnsConfigured));
    const sts = stsText !== undefined ? parsePopEndpoint(stsText, '--sts-endpoint')
      : localPop ?? (f?.stsEndpoint !== undefined ? parsePopEndpoint(f.stsEndpoint, `stsEndpoint in ${clientConfigPath(env)}`) : { host: 'sts.aliyuncs.com', protocol: 'https' as const });
    return {
      sts,
      ram: localPop ?? { host: 'ram.aliyuncs.com', protocol: 'https' },
      ecs: localPop ?? { host: `ecs.${region}.aliyuncs.com`, protocol: 'https' },
      mns: mnsConfigured ?? `https://${owner ?? 'OWNER'}.mns.${region}.aliyuncs.com`,
      fc: c ? `http://${c.endpoint}` : `https://${owner ?? 'OWNER'}.${region}.fc.aliyuncs.com`,
      region,
      ...(owner === undefined ? {} : { ownerAccountId: owner }),
    };
  }

  function apiUrls(): { intake: string; approval: string } {
    const viaBase = (text: string | undefined, what: string): { intake: string; approval: string } | undefined => {
      if (text === undefined) return undefined;
      const base = text.replace(/\/+$/, '');
      if (!/^https?:\/\/[^/\s]+/.test(base)) throw new UsageError(`${what} must be a URL such as http://127.0.0.1:9494 (got ${JSON.stringify(text)})`);
      return { intake: `${base}/fn/crossrole-intake`, approval: `${base}/fn/crossrole-approval` };
    };
    const c = options.as !== undefined ? local() : undefined;
    const f = c ? undefined : clientConfig();
    const implicit = c === undefined && f === undefined && !explicitApi() ? local() : undefined;
    // Each URL on its own, first source that names it: flags, environment, --as, config file, local.json.
    const fromFlags = viaBase(options.endpoint, '--endpoint');
    const fromEnv = viaBase(env.endpoint, 'CROSSROLE_ENDPOINT');
    const fromFile = viaBase(f?.apiUrl, `apiUrl in ${clientConfigPath(env)}`);
    const intake = options.apiIntake ?? fromFlags?.intake ?? env.apiIntake ?? fromEnv?.intake ?? c?.api.intake ?? f?.intakeUrl ?? fromFile?.intake ?? implicit?.api.intake;
    const approval = options.apiApproval ?? fromFlags?.approval ?? env.apiApproval ?? fromEnv?.approval ?? c?.api.approval ?? f?.approvalUrl ?? fromFile?.approval ?? implicit?.api.approval;
    if (intake === undefined || approval === undefined) {
      throw new CliError('NO_ENDPOINT', `no Crossrole API endpoint: no --endpoint, CROSSROLE_ENDPOINT or --api-intake/--api-approval, no client config at ${clientConfigPath(env)}, and no local stack at ${localContractPath(env, options.dataDir)}`, {
        hint: 'run the `crossrole configure ...` command your Crossrole owner gave you (their `crossrole bootstrap` prints it), pass --endpoint <url>, or start the local stack with `npm start` and use --as <principal>.',
      });
    }
    return { intake, approval };
  }

  const session: Session = {
    env,
    ui,
    options,
    local,
    clientConfig,
    credentials() {
      creds ??= resolveCredentials();
      return creds;
    },
    api() {
      if (!api) {
        const urls = apiUrls();
        api = createApiClient({ ...urls, sts: endpoints().sts, credentials: async () => (await session.credentials()).credentials });
      }
      return api;
    },
    apiUrls,
    endpoints,
    ownerAccountId() {
      const owner = endpoints().ownerAccountId;
      if (owner === undefined) throw new UsageError('the owner account (A) is not known', 'pass --owner-account <id>, set CROSSROLE_OWNER_ACCOUNT_ID, or add it with `crossrole configure --owner-account <id>`.');
      return owner;
    },
    logger: silentLogger,
  };
  return session;
}

/**
 * The whole local stack behind `npm start`: RAM/STS/ECS, MNS and the FC runtime on one port,
 * the ledger (PGlite on a PostgreSQL socket, or a real PostgreSQL server with `databaseUrl`), the
 * seeded tutorial world, and the contract file `local.json`. Tests start it in-process on port 0
 * with a temporary data directory.
 */
import { randomBytes } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LocalContract, LocalPrincipal } from '../shared/contract/local-contract';
import { parseCatalog } from '../shared/domain/catalog';
import { QueueName } from '../shared/domain/ports';
import { QUEUE_MESSAGE_RETENTION_SECONDS } from '../shared/domain/queue-config';
import { openLedger } from '../shared/ledger';
import { buildExecRolePolicy } from '../shared/policy/exec-role-policy';
import { CATALOG_FILE_NAME } from '../shared/domain/deployment';
import { buildApproverPolicy } from '../shared/policy/approver-policy';
import { APPROVER_POLICY_NAME } from '../shared/domain/deployment';
import { errorMessage } from './core/errors';
import { Journal } from './core/journal';
import { createFcService, type FcRuntime } from './fc';
import type { FcLogger } from './fc/types';
import { startLedgerServer, type LocalLedgerServer } from './ledger-server';
import { createMnsService, type MnsService } from './mns';
import { MnsError } from './mns/errors';
import { startLocalServer, type LocalServer } from './server';
import { createWebhookReceivers, type ReceiverConfig, type WebhookReceivers } from './webhooks';
import { APPROVER_PRINCIPALS, EXEC_POLICY_NAME, EXEC_ROLE_NAME, LOCAL_CATALOG, LOCAL_REGION, LOCAL_VPC, OWNER_ACCOUNT_ID, PARTNER_ACCOUNT_ID, PRINCIPALS, type PrincipalName } from './world';

// `.crossrole/local.json`: the shape lives with the product, which reads it (the CLI).
export type { LocalContract, LocalPrincipal } from '../shared/contract/local-contract';

export interface LocalStackOptions {
  /** Repository root: where s.yaml and dist/ are. */
  projectRoot: string;
  /** 0 = a free port. */
  port: number;
  /** State directory (default: memory only, nothing written). */
  dataDir?: string;
  /** Start empty: delete the data directory first. */
  fresh?: boolean;
  /** Run timer triggers on their schedule (default true). */
  timers?: boolean;
  strictLimits?: boolean;
  /** Queue-trigger retry delays; default EventBridge's BACKOFF_RETRY (10–20 s). */
  retryDelayMs?: number;
  /** Messages in flight per queue trigger (default 4). */
  queueConcurrency?: number;
  /**
   * The ledger on this PostgreSQL server instead of PGlite: migrated at start (as bootstrap does),
   * and what the functions connect to. Its host:port is declared inside the local VPC.
   */
  databaseUrl?: string;
  logger?: FcLogger;
}

export interface LocalStack {
  contract: LocalContract;
  server: LocalServer;
  mns: MnsService;
  fc: FcRuntime;
  /** The local webhook receivers (GET /_local/webhooks/<name>). */
  webhooks: WebhookReceivers;
  ledgerUrl: string;
  dataDir: string | undefined;
  close(): Promise<void>;
}

/** host:port of a postgres:// URL. */
function ledgerEndpoint(url: string): { host: string; port: number } {
  const u = new URL(url);
  return { host: u.hostname, port: Number(u.port || 5432) };
}

/** The URL for messages: the password, if any, replaced. */
export function redactDatabaseUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== '') u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable URL)';
  }
}

function checkDatabaseUrl(url: string): void {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Error('--database-url must be a postgres://user[:password]@host[:port]/database URL');
  }
  if ((u.protocol !== 'postgres:' && u.protocol !== 'postgresql:') || u.hostname === '') throw new Error(`--database-url must be a postgres:// URL with a host, got ${redactDatabaseUrl(url)}`);
}

/**
 * The functions run with the catalog the build put in their code packages (dist/functions/<fn>/
 * catalog.json); the stack seeds the world and the execution role for the local catalog. A build
 * made with another catalog (`npm run build -- --catalog prod.json`) would disagree with both.
 */
function checkBuiltCatalog(projectRoot: string): void {
  const built = join(projectRoot, 'dist', 'functions');
  const dirs = existsSync(built) ? readdirSync(built) : [];
  if (dirs.length === 0) throw new Error(`${built} is empty: run npm run build`);
  // Both sides through JSON.parse: deep-strict equality also compares prototypes, and the imported
  // catalog may come from another realm (structuredClone, a test runner's module sandbox).
  const local: unknown = JSON.parse(JSON.stringify(LOCAL_CATALOG));
  for (const dir of dirs) {
    const file = join(projectRoot, 'dist', 'functions', dir, CATALOG_FILE_NAME);
    let catalog: unknown;
    try {
      catalog = JSON.parse(readFileSync(file, 'utf8'));
    } catch (e) {
      throw new Error(`${file} is missing or unreadable (${errorMessage(e)}): run npm run build`);
    }
    if (!isDeepStrictEqual(catalog, local)) {
      throw new Error(`${file} is not the local stack's catalog (deploy/local-catalog.json): dist/ was built with another catalog; run npm run build (without --catalog) before npm start`);
    }
  }
}

/**
 * The local catalog's webhooks, pointed at the local receivers: each `{"env": NAME}` URL and secret
 * becomes a variable of crossrole-notifier's environment (s.yaml `notifierEnv`), as an operator
 * would set them for a deployment; the secrets are new at every start and shared only by the
 * notifier and the receiver, as with the real platforms.
 */
function localWebhooks(url: string): { receivers: ReceiverConfig[]; env: Record<string, string> } {
  const receivers: ReceiverConfig[] = [];
  const env: Record<string, string> = {};
  for (const w of parseCatalog(LOCAL_CATALOG).notifications.webhooks) {
    const secret = w.type === 'slack' ? undefined : `SEC${randomBytes(24).toString('hex')}`;
    const hookUrl = `${url}/_local/webhooks/${w.name}${w.type === 'dingtalk' ? `?access_token=local-${w.name}` : ''}`;
    if (typeof w.url === 'object') env[w.url.env] = hookUrl;
    if (typeof w.secret === 'object' && secret !== undefined) env[w.secret.env] = secret;
    const resolvedSecret = typeof w.secret === 'string' ? w.secret : secret;
    receivers.push({ name: w.name, type: w.type, ...(resolvedSecret === undefined ? {} : { secret: resolvedSecret }) });
  }
  return { receivers, env };
}

const quietLogger: FcLogger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/** One seeded principal: its user (unless it exists), policies and a new access key. */
function seedPrincipal(server: LocalServer, name: PrincipalName): LocalPrincipal {
  const p = PRINCIPALS[name];
  if (server.ram.findUser(p.accountId, p.user) === undefined) {
    server.ram.createUser(p.accountId, p.user);
    for (const policy of p.policies) server.ram.attachPolicyToUser(p.accountId, 'System', policy, p.user);
    if (APPROVER_PRINCIPALS.includes(name)) server.ram.attachPolicyToUser(OWNER_ACCOUNT_ID, 'Custom', APPROVER_POLICY_NAME, p.user);
  }
  const key = server.ram.createAccessKey(p.accountId, p.user);
  return { accountId: p.accountId, arn: `acs:ram::${p.accountId}:user/${p.user}`, accessKeyId: key.accessKeyId, accessKeySecret: key.accessKeySecret };
}

function seed(server: LocalServer): Record<PrincipalName, LocalPrincipal> {
  const { ram, ecs } = server;
  ram.createAccount(OWNER_ACCOUNT_ID, 'Company A');
  ram.createAccount(PARTNER_ACCOUNT_ID, 'Company B');
  // The approvers' policy exactly as `crossrole bootstrap` writes it (shared/policy/approver-policy.ts).
  ram.createPolicy(OWNER_ACCOUNT_ID, { policyName: APPROVER_POLICY_NAME, policyDocument: buildApproverPolicy({ ownerAccountId: OWNER_ACCOUNT_ID, region: LOCAL_REGION }), description: 'Crossrole approvers: receive and delete the approvals queue\'s messages' });
  const principals = {} as Record<PrincipalName, LocalPrincipal>;
  for (const name of Object.keys(PRINCIPALS) as PrincipalName[]) principals[name] = seedPrincipal(server, name);
  // The functions' execution role, exactly as `crossrole bootstrap` creates it in a real account.
  ram.createRole(OWNER_ACCOUNT_ID, {
    roleName: EXEC_ROLE_NAME,
    assumeRolePolicyDocument: { Version: '1', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { Service: ['fc.aliyuncs.com'] } }] },
    description: 'Crossrole functions (least privilege)',
  });
  // Derived from the catalog the functions run with, exactly as `crossrole bootstrap` derives it.
  const execPolicy = buildExecRolePolicy({ ownerAccountId: OWNER_ACCOUNT_ID, region: LOCAL_REGION, catalog: parseCatalog(LOCAL_CATALOG), queues: Object.values(QueueName) });
  ram.createPolicy(OWNER_ACCOUNT_ID, { policyName: EXEC_POLICY_NAME, policyDocument: execPolicy, description: 'Crossrole functions (least privilege)' });
  ram.attachPolicyToRole(OWNER_ACCOUNT_ID, 'Custom', EXEC_POLICY_NAME, EXEC_ROLE_NAME);
  ecs.seedInstances(OWNER_ACCOUNT_ID, LOCAL_REGION, 3);
  return principals;
}

export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const { projectRoot } = options;
  const dataDir = options.dataDir;
  // Refuse a wrong build or URL before touching the state directory.
  checkBuiltCatalog(projectRoot);
  if (options.databaseUrl !== undefined) checkDatabaseUrl(options.databaseUrl);
  if (dataDir !== undefined && options.fresh) rmSync(dataDir, { recursive: true, force: true });
  if (dataDir !== undefined) mkdirSync(dataDir, { recursive: true });
  const logger = options.logger ?? quietLogger;

  const ledger: LocalLedgerServer = options.databaseUrl !== undefined
    ? { url: options.databaseUrl, close: () => Promise.resolve() }
    : await startLedgerServer(dataDir === undefined ? undefined : join(dataDir, 'ledger'), 0, join(projectRoot, 'dist', 'pglite-template'));
  let server: LocalServer | undefined;
  try {
    // Migrate once here, as `crossrole bootstrap` does for a real database: the functions only check.
    const migrator = await openLedger({ driver: 'pg', url: ledger.url, maxConnections: 1 }).catch((e: unknown) => {
      throw new Error(`cannot open the ledger at ${redactDatabaseUrl(ledger.url)}: ${errorMessage(e)}`, { cause: e });
    });
    await migrator.close();

    let mns: MnsService | undefined;
    let fc: FcRuntime | undefined;
    let webhooks: WebhookReceivers | undefined;
    const cloudDir = dataDir === undefined ? undefined : join(dataDir, 'cloud');
    server = await startLocalServer({
      port: options.port,
      ...(cloudDir === undefined ? {} : { dataDir: cloudDir }),
      strictLimits: options.strictLimits === true,
      services: (ctx) => {
        mns = createMnsService({ identity: ctx.identity, journal: new Journal(cloudDir, 'mns'), region: LOCAL_REGION });
        const hooks = localWebhooks(ctx.url);
        webhooks = createWebhookReceivers(hooks.receivers);
        // Queues before the FC pollers start (createQueue is idempotent across restarts).
        for (const q of Object.values(QueueName)) {
          const attributes = { messageRetentionPeriod: QUEUE_MESSAGE_RETENTION_SECONDS };
          try {
            mns.createQueue(OWNER_ACCOUNT_ID, q, attributes);
          } catch (e) {
            // A state directory from before the 7-day retention: bring its queue up to date, as bootstrap does.
            if (!(e instanceof MnsError && e.code === 'QueueAlreadyExist')) throw e;
            mns.setQueueAttributes(OWNER_ACCOUNT_ID, q, attributes);
          }
        }
        fc = createFcService({
          sYamlPath: join(projectRoot, 's.yaml'),
          accountId: OWNER_ACCOUNT_ID,
          // `${env(...)}` in s.yaml: the local endpoints. The topology itself comes from s.yaml; the
          // catalog is in each function's code package (dist/functions/<fn>/catalog.json).
          sYamlEnv: {
            DATABASE_URL: ledger.url,
            CROSSROLE_REGION: LOCAL_REGION,
            CROSSROLE_PROTOCOL: 'http',
            CROSSROLE_RAM_ENDPOINT: ctx.endpoint,
            CROSSROLE_STS_ENDPOINT: ctx.endpoint,
            CROSSROLE_MNS_ENDPOINT: ctx.url,
            CROSSROLE_IDENTITY_STS_URLS: `${ctx.url}/`,
            CROSSROLE_LOG_LEVEL: 'warn',
            CROSSROLE_VPC_ID: LOCAL_VPC.vpcId,
            CROSSROLE_VSWITCH_ID: LOCAL_VPC.vSwitchId,
            CROSSROLE_SECURITY_GROUP_ID: LOCAL_VPC.securityGroupId,
            ...hooks.env,
          },
          // The ledger is VPC-internal, as RDS is: only functions with a matching vpcConfig reach it
          // (the PGlite socket, or the --database-url server's host:port).
          vpcs: [{ vpcId: LOCAL_VPC.vpcId, vSwitchIds: [LOCAL_VPC.vSwitchId], securityGroupId: LOCAL_VPC.securityGroupId, endpoints: [ledgerEndpoint(ledger.url)] }],
          region: LOCAL_REGION,
          credentials: ctx.serviceRoles,
          identity: ctx.identity,
          authenticator: ctx.authenticator,
          queues: mns,
          timers: options.timers !== false,
          queueConcurrency: options.queueConcurrency ?? 4,
          logger,
          ...(options.retryDelayMs === undefined ? {} : { retryDelayMs: () => options.retryDelayMs ?? 0 }),
        });
        return [mns, webhooks, fc];
      },
    });
    if (!mns || !fc || !webhooks) throw new Error('local services did not start');

    const contractFile = dataDir === undefined ? undefined : join(dataDir, 'local.json');
    let principals: Record<PrincipalName, LocalPrincipal>;
    const previous = contractFile !== undefined && existsSync(contractFile) ? (JSON.parse(readFileSync(contractFile, 'utf8')) as LocalContract) : undefined;
    if (server.ram.getAccount(OWNER_ACCOUNT_ID) === undefined) {
      principals = seed(server);
    } else if (previous) {
      // A state written before a principal was added to the world (approver-2): seed just the missing ones.
      principals = { ...previous.principals };
      for (const name of Object.keys(PRINCIPALS) as PrincipalName[]) if (principals[name] === undefined) principals[name] = seedPrincipal(server, name);
    } else {
      // State without a contract file (deleted by hand): issue fresh keys for the same users.
      principals = {} as Record<PrincipalName, LocalPrincipal>;
      for (const name of Object.keys(PRINCIPALS) as PrincipalName[]) principals[name] = seedPrincipal(server, name);
    }
    const contract: LocalContract = {
      endpoint: server.endpoint,
      api: { intake: `${server.url}/fn/crossrole-intake`, approval: `${server.url}/fn/crossrole-approval` },
      ownerAccountId: OWNER_ACCOUNT_ID,
      partnerAccountId: PARTNER_ACCOUNT_ID,
      region: LOCAL_REGION,
      principals,
    };
    if (contractFile !== undefined) writeFileSync(contractFile, `${JSON.stringify(contract, null, 2)}\n`, { mode: 0o600 });

    const started = server;
    const runtime = fc;
    return {
      contract,
      server: started,
      mns,
      fc: runtime,
      webhooks,
      ledgerUrl: ledger.url,
      dataDir,
      async close() {
        await runtime.close?.();
        await started.close();
        await ledger.close();
      },
    };
  } catch (e) {
    await server?.close();
    await ledger.close();
    throw e;
  }
}

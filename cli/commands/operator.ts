/**
 * Operator commands: `bootstrap` (queues, the functions' execution role and its catalog-derived
 * policy, the ledger schema), `invoke` (a function through the FC 3.0 API, 2023-03-30) and
 * `config check` (validate a catalog).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import MNSClient from '@alicloud/mns';
import { createFcClient, createRamAdapter, createStsClient } from '../../shared/cloud';
import { cloudCodeOf } from '../../shared/cloud/errors';
import { localCatalog } from '../../shared/contract/local-catalog';
import type { Catalog } from '../../shared/domain/catalog';
import { formatDuration } from '../../shared/domain/duration';
import { EXEC_POLICY_NAME, EXEC_ROLE_NAME } from '../../shared/domain/deployment';
import { QueueName } from '../../shared/domain/ports';
import { QUEUE_ATTRIBUTES, QUEUE_MESSAGE_RETENTION_SECONDS } from '../../shared/domain/queue-config';
import { migrate, openDb } from '../../shared/ledger';
import { buildExecRolePolicy } from '../../shared/policy/exec-role-policy';
import { loadCatalogFile, parseCatalogText } from '../catalog';
import type { Session } from '../context';
import { CliError, ExitCode, toCliError, UsageError } from '../errors';
import { profilePolicies } from '../format';

const EXEC_TRUST_POLICY = JSON.stringify({ Version: '1', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { Service: ['fc.aliyuncs.com'] } }] });

/** The repository root: two levels up from dist/cli/index.js (and from cli/commands/*.ts unbundled). */
export function projectRoot(): string {
  return resolve(__dirname, '..', '..');
}

export interface BootstrapOptions {
  databaseUrl?: string;
  databaseSchema?: string;
  /** The catalog the functions are deployed with (default: CROSSROLE_CATALOG_FILE, CROSSROLE_CONFIG, or the local stack's). */
  catalog?: string;
  /** The KMS secret the functions read the ledger's URL from (default: DATABASE_SECRET_NAME): the role may read it. */
  databaseSecret?: string;
  /** The KMS key encrypting that secret: the role may decrypt with it. */
  databaseSecretKey?: string;
}

type Outcome = 'created' | 'exists' | 'attached' | 'updated' | 'skipped';
type PolicyOutcome = 'created' | 'updated' | 'unchanged' | 'skipped';

/** The catalog whose policies the execution role must be able to grant. */
function bootstrapCatalog(session: Session, o: BootstrapOptions): { catalog: Catalog; source: string } {
  if (o.catalog !== undefined) return { catalog: loadCatalogFile(o.catalog), source: o.catalog };
  if (session.env.catalogFile !== undefined) return { catalog: loadCatalogFile(session.env.catalogFile), source: session.env.catalogFile };
  if (session.env.catalogJson !== undefined) return { catalog: parseCatalogText(session.env.catalogJson, 'CROSSROLE_CONFIG'), source: 'CROSSROLE_CONFIG' };
  if (session.local()) return { catalog: localCatalog(), source: 'deploy/local-catalog.json (local stack)' };
  throw new CliError('CATALOG_REQUIRED', 'bootstrap derives the functions\' execution-role policy from the catalog, and none was given', {
    hint: 'pass --catalog <file> (the same file as `npm run build -- --catalog`), or set CROSSROLE_CATALOG_FILE.',
  });
}

/**
 * Create a queue with Crossrole's attributes. An existing queue is kept; if it keeps messages for
 * less than 7 days, its retention is raised (SetQueueAttributes), or delayed `expire` messages of
 * long grants would be dropped.
 */
async function ensureQueue(mns: MNSClient, q: string): Promise<Outcome> {
  try {
    const r = await mns.createQueue(q, { ...QUEUE_ATTRIBUTES });
    return r.code === 201 ? 'created' : 'exists';
  } catch (e) {
    // CreateQueue answers QueueAlreadyExist when the queue exists with other attributes.
    if (cloudCodeOf(e) !== 'QueueAlreadyExist') throw e;
  }
  const attrs = await mns.getQueueAttributes(q);
  if (Number(attrs.body['MessageRetentionPeriod']) >= QUEUE_MESSAGE_RETENTION_SECONDS) return 'exists';
  await mns.setQueueAttributes(q, { ...QUEUE_ATTRIBUTES });
  return 'updated';
}

export async function bootstrapCommand(session: Session, o: BootstrapOptions): Promise<number> {
  const { ui } = session;
  const eps = session.endpoints();
  const { catalog, source } = bootstrapCatalog(session, o);
  const { credentials } = await session.credentials();
  const sts = createStsClient({ endpoint: eps.sts.host, protocol: eps.sts.protocol, credentials, logger: session.logger, retry: { maxAttempts: 2 } });
  // Bootstrap targets the account of the credentials used, whatever else is configured.
  const me = await sts.getCallerIdentity();
  const account = me.accountId;
  if (catalog.ownerAccountId !== account) {
    throw new CliError('CATALOG_OWNER_MISMATCH', `the catalog (${source}) is for owner account ${catalog.ownerAccountId}, but these credentials are account ${account}`, {
      hint: 'bootstrap the catalog\'s owner account with its administrator\'s credentials, or pass that account\'s catalog with --catalog.',
    });
  }
  // Derived before anything is created: a catalog RAM could not hold fails here, not half-way.
  const secretName = o.databaseSecret ?? session.env.databaseSecretName;
  if (o.databaseSecretKey !== undefined && secretName === undefined) {
    throw new UsageError('--database-secret-key names the key of the ledger\'s secret, and no secret was given', 'pass --database-secret <name> too (or set DATABASE_SECRET_NAME).');
  }
  const databaseSecret = secretName === undefined ? undefined : { name: secretName, ...(o.databaseSecretKey === undefined ? {} : { keyId: o.databaseSecretKey }) };
  const document = buildExecRolePolicy({ ownerAccountId: account, region: eps.region, catalog, queues: Object.values(QueueName), ...(databaseSecret === undefined ? {} : { databaseSecret }) });
  const report: {
    account: string; catalog: string; queues: Record<string, Outcome>; role: Outcome; policy: PolicyOutcome; policyVersion?: string; policyPrunedVersions?: string[];
    attachment: Outcome; ledger: { applied: number[] } | 'skipped';
  } = { account, catalog: source, queues: {}, role: 'skipped', policy: 'skipped', attachment: 'skipped', ledger: 'skipped' };
  const step = (what: string, outcome: string): void => ui.out(`  ${what.padEnd(48)} ${/^(created|attached|updated)/.test(outcome) ? ui.c.green(outcome) : ui.c.dim(outcome)}`);
  ui.out(`Bootstrapping Crossrole in account ${account} (${eps.region}) as ${me.arn}, for the catalog ${source}`);

  const mnsUrl = session.local() ? eps.mns : `https://${account}.mns.${eps.region}.aliyuncs.com`;
  const mns = new MNSClient(account, {
    accessKeyId: credentials.accessKeyId,
    accessKeySecret: credentials.accessKeySecret,
    endpoint: mnsUrl,
    region: eps.region,
    ...(credentials.securityToken ? { securityToken: credentials.securityToken } : {}),
  });
  for (const q of Object.values(QueueName)) {
    try {
      report.queues[q] = await ensureQueue(mns, q);
    } catch (e) {
      const err = toCliError(e);
      throw new CliError(err.code, `creating queue ${q} failed: ${err.message}`, { hint: 'check the credentials\' MNS permissions (CreateQueue, GetQueueAttributes, SetQueueAttributes).' });
    }
    const outcome = report.queues[q] ?? '';
    step(`queue ${q}`, outcome === 'updated' ? 'updated (retention 7 days)' : outcome);
  }

  const ram = createRamAdapter({ endpoint: eps.ram.host, protocol: eps.ram.protocol, credentials, logger: session.logger });
  const existing = await ram.getRole(EXEC_ROLE_NAME);
  if (existing === undefined) {
    await ram.createRole({ name: EXEC_ROLE_NAME, trustPolicy: EXEC_TRUST_POLICY, maxSessionDuration: 3600, description: 'Crossrole functions (least privilege)', tags: {} });
    report.role = 'created';
  } else {
    report.role = 'exists';
  }
  step(`role ${EXEC_ROLE_NAME} (trusts fc.aliyuncs.com)`, report.role);

  const put = await ram.putPolicy(EXEC_POLICY_NAME, document, 'Crossrole functions (least privilege), derived from the catalog');
  report.policy = put.outcome;
  report.policyVersion = put.versionId;
  if (put.outcome === 'updated') report.policyPrunedVersions = put.pruned;
  step(`policy ${EXEC_POLICY_NAME}`, put.outcome === 'updated'
    ? `updated to ${put.versionId} (was ${put.previous}${put.pruned.length > 0 ? `; removed ${put.pruned.join(', ')}` : ''})`
    : `${put.outcome} (${put.versionId})`);
  const attached = await ram.listPoliciesForRole(EXEC_ROLE_NAME);
  if (attached.some((p) => p.type === 'Custom' && p.name === EXEC_POLICY_NAME)) {
    report.attachment = 'exists';
  } else {
    await ram.attachPolicyToRole(EXEC_ROLE_NAME, { type: 'Custom', name: EXEC_POLICY_NAME });
    report.attachment = 'attached';
  }
  step(`policy attached to ${EXEC_ROLE_NAME}`, report.attachment);

  const url = o.databaseUrl ?? session.env.databaseUrl;
  if (url === undefined) {
    step('ledger migrations', 'skipped (no --database-url / DATABASE_URL)');
  } else {
    const db = await openDb({ driver: 'pg', url, ...(o.databaseSchema === undefined ? {} : { schema: o.databaseSchema }) }).catch((e: unknown) => {
      throw new CliError('DATABASE_UNREACHABLE', `cannot connect to the ledger database: ${e instanceof Error ? e.message : String(e)}`, { hint: 'check --database-url (postgres://user:password@host:5432/db).' });
    });
    try {
      report.ledger = { applied: await migrate(db) };
    } finally {
      await db.close();
    }
    step('ledger migrations', report.ledger.applied.length === 0 ? 'exists (up to date)' : `created (applied ${report.ledger.applied.join(', ')})`);
  }
  if (ui.json) ui.printJson(report);
  else ui.out('Done. Running bootstrap again changes nothing; run it again after changing the catalog.');
  return ExitCode.OK;
}

/**
 * InvokeFunction of the FC 3.0 API (2023-03-30, `@alicloud/fc20230330`) on
 * `<owner>.<region>.fc.aliyuncs.com`: s.yaml deploys FC 3.0 functions, which have no service, so
 * the function name is the one in s.yaml (`crossrole-expiry`). Exit 1 on an API error or a
 * function that throws.
 */
export async function invokeCommand(session: Session, functionName: string, o: { eventFile?: string; async?: boolean }): Promise<number> {
  const { ui } = session;
  // The owner account is part of the FC endpoint: refuse early (exit 2) when it is not known.
  session.ownerAccountId();
  const eps = session.endpoints();
  const { credentials } = await session.credentials();
  let event: unknown = {};
  if (o.eventFile !== undefined) {
    const text = (() => {
      try {
        return readFileSync(o.eventFile, 'utf8');
      } catch (e) {
        throw new CliError('EVENT_FILE_UNREADABLE', `cannot read ${o.eventFile}: ${e instanceof Error ? e.message : String(e)}`, { hint: 'pass a file from events/ (e.g. events/timer/expiry-scan.json).' });
      }
    })();
    try {
      event = JSON.parse(text);
    } catch {
      event = text;
    }
  }
  const fc = createFcClient({ endpoint: eps.fc, credentials, logger: session.logger });
  const r = await fc.invoke(functionName, event, { async: o.async === true });
  if (ui.json) ui.printJson(r);
  else if (o.async === true) {
    // FC accepted the event (202); the function runs later, with FC's async retries.
    ui.out(`${functionName}: queued for asynchronous invocation${r.requestId ? ` (FC request ${r.requestId})` : ''}`);
  } else {
    ui.info(`${functionName} answered${r.requestId ? ` (FC request ${r.requestId})` : ''}:`);
    ui.out(typeof r.result === 'string' ? r.result : JSON.stringify(r.result ?? null, null, 2));
  }
  return ExitCode.OK;
}

export function configCheckCommand(session: Session, file: string): number {
  const { ui } = session;
  const catalog = loadCatalogFile(file);
  if (ui.json) {
    ui.printJson({ valid: true, catalog });
    return ExitCode.OK;
  }
  ui.out(`${file}: valid. Owner account ${catalog.ownerAccountId}; partners ${catalog.partners === 'open' ? 'open to any account' : catalog.partners.join(', ')}; pending requests lapse after ${formatDuration(catalog.pendingTtlSeconds)}.`);
  ui.out(`Approvers: ${catalog.approvers.join(', ')}`);
  for (const p of catalog.profiles) {
    const flags = [p.autoApprove ? ui.c.yellow('auto-approved') : 'approval required', p.privileged ? ui.c.red('privileged') : undefined].filter((x) => x !== undefined).join(', ');
    ui.out(`  ${ui.c.bold(p.name)}: ${profilePolicies(p)}; up to ${p.maxDuration}; ${flags}`);
    if (p.description !== undefined) ui.out(`    ${ui.c.dim(p.description)}`);
    for (const policy of p.policies) {
      if (policy.type !== 'Custom') continue;
      const statements = policy.document['Statement'];
      for (const s of Array.isArray(statements) ? (statements as Array<{ Effect?: string; Action?: unknown; Resource?: unknown }>) : []) ui.out(`    ${policy.name}: ${s.Effect ?? '?'} ${JSON.stringify(s.Action)} on ${JSON.stringify(s.Resource)}`);
    }
  }
  return ExitCode.OK;
}

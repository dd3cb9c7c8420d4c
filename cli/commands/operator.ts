/**
 * Operator commands: `bootstrap` (queues, the functions' execution role, the ledger schema),
 * `invoke` (a function through the FC 3.0 API, 2023-03-30) and `config check` (validate a catalog).
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import MNSClient from '@alicloud/mns';
import { createFcClient, createRamAdapter, createStsClient } from '../../shared/cloud';
import { formatDuration } from '../../shared/domain/duration';
import { QueueName } from '../../shared/domain/ports';
import { migrate, openDb } from '../../shared/ledger';
import { loadCatalogFile } from '../catalog';
import type { Session } from '../context';
import { CliError, ExitCode, toCliError } from '../errors';
import { profilePolicies } from '../format';

export const EXEC_ROLE_NAME = 'crossrole-fc-exec';
export const EXEC_POLICY_NAME = 'crossrole-fc-exec-policy';
const EXEC_TRUST_POLICY = JSON.stringify({ Version: '1', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { Service: ['fc.aliyuncs.com'] } }] });

/** The repository root: two levels up from dist/cli/index.js (and from cli/commands/*.ts unbundled). */
export function projectRoot(): string {
  return resolve(__dirname, '..', '..');
}

export interface BootstrapOptions {
  databaseUrl?: string;
  databaseSchema?: string;
  policyFile?: string;
}

type Outcome = 'created' | 'exists' | 'attached' | 'skipped';

export async function bootstrapCommand(session: Session, o: BootstrapOptions): Promise<number> {
  const { ui } = session;
  const eps = session.endpoints();
  const { credentials } = await session.credentials();
  const sts = createStsClient({ endpoint: eps.sts.host, protocol: eps.sts.protocol, credentials, logger: session.logger, retry: { maxAttempts: 2 } });
  // Bootstrap targets the account of the credentials used, whatever else is configured.
  const me = await sts.getCallerIdentity();
  const account = me.accountId;
  const report: { account: string; queues: Record<string, Outcome>; role: Outcome; policy: Outcome; attachment: Outcome; ledger: { applied: number[] } | 'skipped' } = {
    account, queues: {}, role: 'skipped', policy: 'skipped', attachment: 'skipped', ledger: 'skipped',
  };
  const step = (what: string, outcome: string): void => ui.out(`  ${what.padEnd(48)} ${outcome === 'created' || outcome === 'attached' ? ui.c.green(outcome) : ui.c.dim(outcome)}`);
  ui.out(`Bootstrapping Crossrole in account ${account} (${eps.region}) as ${me.arn}`);

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
      const r = await mns.createQueue(q);
      report.queues[q] = r.code === 201 ? 'created' : 'exists';
    } catch (e) {
      const err = toCliError(e);
      throw new CliError(err.code, `creating queue ${q} failed: ${err.message}`, { hint: err.code === 'QueueAlreadyExist' ? 'the queue exists with other attributes: check it in the MNS console.' : 'check the credentials\' MNS permissions.' });
    }
    step(`queue ${q}`, report.queues[q] ?? '');
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

  const template = readFileSync(o.policyFile ?? join(projectRoot(), 'deploy', 'exec-role-policy.json'), 'utf8');
  const document = template.replaceAll('${OWNER_ACCOUNT_ID}', account).replaceAll('${REGION}', eps.region);
  const before = ram.callCount();
  try {
    await ram.createPolicy(EXEC_POLICY_NAME, document, 'Crossrole functions (least privilege)');
  } catch (e) {
    const err = toCliError(e);
    throw new CliError(err.code, `policy ${EXEC_POLICY_NAME}: ${err.message}`, { hint: 'the policy exists with another document: compare it with deploy/exec-role-policy.json and update it (CreatePolicyVersion) by hand.' });
  }
  // One call = CreatePolicy succeeded; more = it existed and GetPolicy found the same document.
  report.policy = ram.callCount() - before === 1 ? 'created' : 'exists';
  step(`policy ${EXEC_POLICY_NAME}`, report.policy);
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
  else ui.out('Done. Running bootstrap again changes nothing.');
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

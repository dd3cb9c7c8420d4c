/**
 * The owner account's half of `crossrole doctor`: is what `crossrole bootstrap` and `s deploy` set
 * up still there and still right? Queues and their attributes, the execution role, its trust and
 * its catalog-derived policy, the approvers' policy on every approver, the ledger's migrations, the
 * six functions and their triggers, and the size of the environment s.yaml would deploy.
 * Every check only reads.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { Catalog } from '../../shared/domain/catalog';
import { APPROVER_POLICY_NAME, EXEC_POLICY_NAME, EXEC_ROLE_NAME } from '../../shared/domain/deployment';
import { errorMessage } from '../../shared/domain/errors';
import { FC_ENVIRONMENT_LIMIT_BYTES, FUNCTION_TOPOLOGY } from '../../shared/domain/fc-deployment';
import { QueueName } from '../../shared/domain/ports';
import { buildApproverPolicy } from '../../shared/policy/approver-policy';
import { buildExecRolePolicy } from '../../shared/policy/exec-role-policy';
import { trustsFunctionCompute } from '../../shared/policy/exec-role-trust';
import { describePolicyChanges } from '../../shared/policy/policy-diff';
import { toCliError } from '../errors';
import { approverTarget, queueAttributeChanges } from './bootstrap-plan';
import { fail, guarded, ok, skip, warn, type CheckLine } from './checks';
import { roleProblem, triggerProblems, wiringSummary } from './fc-wiring';
import { readDeadNotifications, readLedgerState } from './ledger-state';
import type { OwnerClients } from './owner';
import { sYamlEnvironments } from './s-yaml-env';

const BOOTSTRAP = 'run `crossrole bootstrap` with the catalog (it creates or repairs this; `--dry-run` shows what it would do)';

interface OwnerCheckInput {
  clients: OwnerClients;
  /** The catalog, when known: the policy and approver checks need it. */
  catalog?: Catalog;
  catalogSource?: string;
  databaseUrl?: string;
  databaseSchema?: string;
  functionPrefix: string;
  /** s.yaml to measure, and the environment `s deploy` would resolve it with. */
  sYaml?: { path: string; env: Readonly<Record<string, string | undefined>> };
}

async function queueChecks(c: OwnerClients): Promise<CheckLine[]> {
  return (await Promise.all(Object.values(QueueName).map(async (q) => (await guarded(`queue:${q}`, `queue ${q} (mns:GetQueueAttributes)`, async () => {
    const attributes = await c.queues.getAttributes(q);
    if (attributes === undefined) return fail(`queue:${q}`, `queue ${q} does not exist`, BOOTSTRAP);
    const changes = queueAttributeChanges(attributes);
    if (changes.length > 0) return fail(`queue:${q}`, `queue ${q}: ${changes.join(', ')} (a delayed expiry message must outlive the longest grant)`, BOOTSTRAP);
    return ok(`queue:${q}`, `queue ${q}: messages kept 7 days, no default delay, visibility ${attributes['VisibilityTimeout'] ?? '?'} s`);
  }))))).flat();
}

async function policyCheck(c: OwnerClients, check: string, name: string, wanted: string, what: string): Promise<CheckLine> {
  const current = await c.admin.getCustomPolicy(name);
  if (current === undefined) return fail(check, `policy ${name} does not exist`, BOOTSTRAP);
  if (JSON.stringify(safeParse(current.document)) !== JSON.stringify(safeParse(wanted))) {
    return fail(check, `policy ${name}: its default version ${current.versionId} is not ${what}: ${describePolicyChanges(current.document, wanted, 6).join('; ')} (+ needed, - not wanted)`, BOOTSTRAP);
  }
  return ok(check, `policy ${name} (${current.versionId}) is ${what}`);
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

async function execRoleChecks(c: OwnerClients, catalog: Catalog | undefined): Promise<CheckLine[]> {
  const lines = await guarded('exec-role', `role ${EXEC_ROLE_NAME} (ram:GetRole)`, async () => {
    const role = await c.admin.getRole(EXEC_ROLE_NAME);
    if (role === undefined) return fail('exec-role', `role ${EXEC_ROLE_NAME} does not exist (s.yaml runs every function as it)`, BOOTSTRAP);
    if (!trustsFunctionCompute(role.trustPolicy)) return fail('exec-role', `role ${EXEC_ROLE_NAME} does not let Function Compute (fc.aliyuncs.com) assume it`, BOOTSTRAP);
    return ok('exec-role', `role ${EXEC_ROLE_NAME} exists and trusts fc.aliyuncs.com`);
  });
  if (catalog === undefined) {
    lines.push(skip('exec-policy', `policy ${EXEC_POLICY_NAME} not compared: no catalog`, 'pass --catalog <file> (the catalog the functions are deployed with), or set CROSSROLE_CONFIG'));
  } else {
    const wanted = buildExecRolePolicy({ ownerAccountId: c.account, region: c.region, catalog, queues: Object.values(QueueName) });
    lines.push(...await guarded('exec-policy', `policy ${EXEC_POLICY_NAME} (ram:GetPolicy)`, () => policyCheck(c, 'exec-policy', EXEC_POLICY_NAME, wanted, 'the one derived from the catalog')));
  }
  lines.push(...await guarded('exec-policy-attached', `the policies of role ${EXEC_ROLE_NAME} (ram:ListPoliciesForRole)`, async () => {
    const attached = await c.admin.listPoliciesOf({ kind: 'role', name: EXEC_ROLE_NAME });
    if (attached === undefined) return skip('exec-policy-attached', `role ${EXEC_ROLE_NAME} does not exist`);
    if (!attached.some((p) => p.type === 'Custom' && p.name === EXEC_POLICY_NAME)) {
      return fail('exec-policy-attached', `policy ${EXEC_POLICY_NAME} is not attached to role ${EXEC_ROLE_NAME}: the functions may do nothing`, BOOTSTRAP);
    }
    return ok('exec-policy-attached', `policy ${EXEC_POLICY_NAME} is attached to role ${EXEC_ROLE_NAME}`);
  }));
  return lines;
}

async function approverChecks(c: OwnerClients, catalog: Catalog | undefined): Promise<CheckLine[]> {
  if (catalog === undefined) return [skip('approver-policy', `policy ${APPROVER_POLICY_NAME} and the approvers not checked: no catalog`, 'pass --catalog <file>, or set CROSSROLE_CONFIG')];
  const wanted = buildApproverPolicy({ ownerAccountId: c.account, region: c.region });
  const lines = await guarded('approver-policy', `policy ${APPROVER_POLICY_NAME} (ram:GetPolicy)`, () => policyCheck(c, 'approver-policy', APPROVER_POLICY_NAME, wanted, 'the approvers\' inbox permissions'));
  for (const arn of catalog.approvers) {
    const check = `approver:${arn}`;
    const target = approverTarget(arn, c.account);
    if ('skip' in target) {
      lines.push(skip(check, `approver ${arn}: ${target.skip}`));
      continue;
    }
    lines.push(...await guarded(check, `the policies of ${target.kind} ${target.name}`, async () => {
      const attached = await c.admin.listPoliciesOf(target);
      if (attached === undefined) return fail(check, `approver ${arn}: RAM ${target.kind} ${target.name} does not exist`, `create it, or correct the catalog's approvers; then ${BOOTSTRAP}`);
      if (!attached.some((p) => p.type === 'Custom' && p.name === APPROVER_POLICY_NAME)) {
        return fail(check, `approver ${arn}: policy ${APPROVER_POLICY_NAME} is not attached, so the inbox cannot read the approvals queue`, BOOTSTRAP);
      }
      return ok(check, `approver ${arn} has policy ${APPROVER_POLICY_NAME}`);
    }));
  }
  return lines;
}

async function ledgerCheck(url: string | undefined, schema: string | undefined): Promise<CheckLine> {
  if (url === undefined) return skip('ledger', 'the ledger database was not checked: no --database-url (or DATABASE_URL)', 'pass --database-url postgres://… (from a machine that can reach the database)');
  try {
    const s = await readLedgerState(url, schema);
    const where = schema === undefined ? 'the ledger database' : `the ledger (schema ${schema})`;
    if (!s.initialised) return fail('ledger', `${where} is reachable but not migrated (no schema_migrations table)`, 'run `crossrole bootstrap --database-url …` (it applies the migrations)');
    if (s.pending.length > 0) return fail('ledger', `${where} lacks migrations ${s.pending.join(', ')} (has ${s.applied.join(', ') || 'none'})`, 'run `crossrole bootstrap --database-url …` (it applies the missing ones)');
    if (s.unknown.length > 0) return { check: 'ledger', status: 'warn', detail: `${where} has migrations ${s.unknown.join(', ')} that this CLI does not know: a newer release migrated it`, fix: 'use the CLI of the release that is deployed' };
    return ok('ledger', `${where} is reachable and migrated (${s.applied.join(', ')})`);
  } catch (e) {
    const err = toCliError(e);
    return fail('ledger', err.message, err.hint ?? 'check --database-url');
  }
}

/** Notifications the notifier gave up on: the grants are fine, but someone was not told. */
async function notificationsCheck(url: string | undefined, schema: string | undefined): Promise<CheckLine> {
  if (url === undefined) return skip('notifications', 'dead notifications were not checked: no --database-url', 'pass --database-url postgres://…');
  try {
    const d = await readDeadNotifications(url, schema);
    if (!d.present) return skip('notifications', 'the ledger has no notifications table yet (migration 7)', 'run `crossrole bootstrap --database-url …`');
    if (d.total === 0) return ok('notifications', 'no dead notifications');
    const recent = d.recent.map((n) => `${n.event} of ${n.requestId} at ${n.deadAt}${n.lastError ? ` (${n.lastError})` : ''}`).join('; ');
    return warn('notifications', `${d.total} notification(s) dead-lettered, never delivered; latest: ${recent}`, 'check the webhooks\' URLs and secrets (crossrole-notifier\'s environment) and that they answer; `crossrole status <id>` shows notification-dead on the request\'s history');
  } catch (e) {
    const err = toCliError(e);
    return fail('notifications', err.message, err.hint ?? 'check --database-url');
  }
}

async function functionChecks(c: OwnerClients, prefix: string): Promise<CheckLine[]> {
  const all = await Promise.all(FUNCTION_TOPOLOGY.map(({ role, trigger }) => {
    const name = `${prefix}${role}`;
    const check = `function:${name}`;
    return guarded(check, `function ${name} (fc:GetFunction, fc:ListTriggers)`, async () => {
      const fn = await c.fc.getFunction(name);
      if (fn === undefined) return fail(check, `function ${name} does not exist`, `deploy with \`s deploy\` (s.yaml names it ${name}${prefix === 'crossrole-' ? '' : '; or check --function-prefix'})`);
      const problems = [roleProblem(fn.role, c.account), ...triggerProblems(trigger, await c.fc.listTriggers(name))].filter((p): p is string => p !== undefined);
      if (problems.length > 0) return fail(check, `function ${name}: ${problems.join('; ')}`, 'deploy s.yaml again with `s deploy` (it declares the role and the triggers)');
      return ok(check, `function ${name}: ${wiringSummary(trigger)}, role ${EXEC_ROLE_NAME}`);
    });
  }));
  return all.flat();
}

function sYamlCheck(input: OwnerCheckInput['sYaml'], account: string): CheckLine {
  if (input === undefined) return skip('s-yaml-env', 'the environment size was not checked: no s.yaml here', 'run doctor in the repository, or pass --s-yaml <file>');
  if (!existsSync(input.path)) return fail('s-yaml-env', `${input.path} does not exist`, 'pass the s.yaml you deploy with --s-yaml');
  let envs;
  try {
    envs = sYamlEnvironments(readFileSync(input.path, 'utf8'), { env: input.env, accountId: account });
  } catch (e) {
    return fail('s-yaml-env', `cannot read ${input.path}: ${errorMessage(e)}`, 'fix the YAML');
  }
  if (envs.length === 0) return warn('s-yaml-env', `${input.path} declares no fc3 function`, 'pass the s.yaml you deploy with --s-yaml');
  const over = envs.filter((e) => e.size > FC_ENVIRONMENT_LIMIT_BYTES);
  if (over.length > 0) {
    const biggest = (vars: Record<string, string>): string => Object.entries(vars).sort((a, b) => b[1].length - a[1].length).slice(0, 2).map(([k, v]) => `${k} ${v.length}`).join(', ');
    return fail('s-yaml-env', `${over.map((e) => `${e.functionName}: ${e.size} bytes (largest: ${biggest(e.variables)})`).join('; ')}, over Function Compute's ${FC_ENVIRONMENT_LIMIT_BYTES} bytes (4 KB) per function: \`s deploy\` would fail`, 'shorten the catalog (CROSSROLE_CONFIG): fewer or shorter descriptions, Custom policies that are smaller; or move values out of vars.env');
  }
  const top = envs.reduce((a, b) => (b.size > a.size ? b : a));
  const unresolved = [...new Set(envs.flatMap((e) => e.unresolved))];
  if (unresolved.length > 0) return warn('s-yaml-env', `largest environment ${top.functionName} ${top.size} of ${FC_ENVIRONMENT_LIMIT_BYTES} bytes, counting ${unresolved.join(', ')} as empty`, 'these expressions are resolved by `s deploy` only; the real size is larger');
  return ok('s-yaml-env', `s.yaml environments fit FC's 4 KB: largest ${top.functionName} ${top.size} of ${FC_ENVIRONMENT_LIMIT_BYTES} bytes`);
}

export async function ownerChecks(input: OwnerCheckInput): Promise<CheckLine[]> {
  const c = input.clients;
  const [queues, exec, approvers, ledger, notifications, functions] = await Promise.all([
    queueChecks(c),
    execRoleChecks(c, input.catalog),
    approverChecks(c, input.catalog),
    ledgerCheck(input.databaseUrl, input.databaseSchema),
    notificationsCheck(input.databaseUrl, input.databaseSchema),
    functionChecks(c, input.functionPrefix),
  ]);
  return [...queues, ...exec, ...approvers, ledger, notifications, ...functions, sYamlCheck(input.sYaml, c.account)];
}

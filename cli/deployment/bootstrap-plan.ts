/**
 * `crossrole bootstrap` as a plan: every resource it manages is read first (nothing is written
 * while planning) and gets one step, create / update / unchanged / skip, with what would change.
 * Applying runs the steps that change something, in order, each once. A second run finds every
 * step unchanged: that is the idempotency contract the e2e tests hold it to.
 */
import type { Catalog } from '../../shared/domain/catalog';
import { APPROVER_POLICY_NAME, EXEC_POLICY_NAME, EXEC_ROLE_NAME } from '../../shared/domain/deployment';
import { parsePrincipalArn } from '../../shared/domain/identifiers';
import { QueueName, type PolicyRef } from '../../shared/domain/ports';
import { QUEUE_ATTRIBUTES, QUEUE_MESSAGE_RETENTION_SECONDS } from '../../shared/domain/queue-config';
import { buildApproverPolicy } from '../../shared/policy/approver-policy';
import { buildExecRolePolicy } from '../../shared/policy/exec-role-policy';
import { buildExecTrustPolicy, trustsFunctionCompute } from '../../shared/policy/exec-role-trust';
import { describePolicyChanges } from '../../shared/policy/policy-diff';
import { migrateLedger, readLedgerState } from './ledger-state';
import type { OwnerClients } from './owner';
import type { RamIdentity } from '../../shared/cloud';

export type PlanAction = 'create' | 'update' | 'unchanged' | 'skip';

export interface PlanStep {
  /** What it is, e.g. `queue crossrole-approvals`, `policy crossrole-approvers → user/approver`. */
  resource: string;
  action: PlanAction;
  /** For create/update: what would change; for unchanged: what was found. */
  changes: string[];
  /** For skip: why, and what to do. */
  warning?: string;
  /** Makes the change; answers what was done (`created`, `updated to v3 (was v2)`). */
  apply?: () => Promise<string>;
}

/**
 * The queue attributes Crossrole depends on. MessageRetentionPeriod: the 7-day maximum, or a delayed
 * `expire` message of a grant longer than the default 4 days is dropped (www.alibabacloud.com/help/en/mns/how-do-i-extend-the-retention-period-of-a-message-in-mns).
 * DelaySeconds: MNS's default 0, so that a message without its own delay is delivered at once.
 */
const QUEUE_REQUIREMENTS: Readonly<Record<string, number>> = { ...QUEUE_ATTRIBUTES, DelaySeconds: 0 };

/** What differs between a queue's attributes and {@link QUEUE_REQUIREMENTS}, as `Name now → wanted`. */
export function queueAttributeChanges(attributes: Readonly<Record<string, string>>): string[] {
  return Object.entries(QUEUE_REQUIREMENTS)
    .filter(([name, wanted]) => Number(attributes[name]) !== wanted)
    .map(([name, wanted]) => `${name} ${attributes[name] ?? '(unset)'} → ${wanted}`);
}

interface PlanInput {
  clients: OwnerClients;
  catalog: Catalog;
  /** The KMS secret holding the ledger's URL: the execution role may read it (and decrypt with its key). */
  databaseSecret?: { name: string; keyId?: string };
  databaseUrl?: string;
  databaseSchema?: string;
}

const refName = (p: PolicyRef): string => `${p.type}:${p.name}`;
const hasCustom = (list: readonly PolicyRef[] | undefined, name: string): boolean => (list ?? []).some((p) => p.type === 'Custom' && p.name === name);

async function queueSteps(c: OwnerClients): Promise<PlanStep[]> {
  const steps: PlanStep[] = [];
  for (const q of Object.values(QueueName)) {
    const attributes = await c.queues.getAttributes(q);
    if (attributes === undefined) {
      steps.push({
        resource: `queue ${q}`, action: 'create', changes: Object.entries(QUEUE_REQUIREMENTS).map(([k, v]) => `${k} ${v}`),
        apply: async () => (await c.queues.create(q, { ...QUEUE_REQUIREMENTS }), 'created'),
      });
      continue;
    }
    const changes = queueAttributeChanges(attributes);
    steps.push(changes.length === 0
      ? { resource: `queue ${q}`, action: 'unchanged', changes: [`MessageRetentionPeriod ${QUEUE_MESSAGE_RETENTION_SECONDS} (7 days)`] }
      : { resource: `queue ${q}`, action: 'update', changes, apply: async () => (await c.queues.setAttributes(q, { ...QUEUE_REQUIREMENTS }), 'updated') });
  }
  return steps;
}

/** A custom policy's step: create it, add a default version when its document differs, or nothing. */
async function policyStep(c: OwnerClients, name: string, document: string, description: string): Promise<PlanStep> {
  const current = await c.admin.getCustomPolicy(name);
  const apply = async (): Promise<string> => {
    const put = await c.ram.putPolicy(name, document, description);
    if (put.outcome === 'updated') return `updated to ${put.versionId} (was ${put.previous}${put.pruned.length > 0 ? `; removed ${put.pruned.join(', ')}` : ''})`;
    return `${put.outcome} (${put.versionId})`;
  };
  if (current === undefined) return { resource: `policy ${name}`, action: 'create', changes: describePolicyChanges('{"Version":"1","Statement":[]}', document), apply };
  if (sameJson(current.document, document)) return { resource: `policy ${name}`, action: 'unchanged', changes: [`default version ${current.versionId}`] };
  return { resource: `policy ${name}`, action: 'update', changes: [`new default version (now ${current.versionId}):`, ...describePolicyChanges(current.document, document)], apply };
}

function sameJson(a: string, b: string): boolean {
  try {
    return JSON.stringify(JSON.parse(a)) === JSON.stringify(JSON.parse(b));
  } catch {
    return a === b;
  }
}

async function execRoleSteps(c: OwnerClients, catalog: Catalog, databaseSecret: PlanInput['databaseSecret']): Promise<PlanStep[]> {
  // Derived before anything is read: a catalog RAM could not hold fails here, not half-way.
  const document = buildExecRolePolicy({ ownerAccountId: c.account, region: c.region, catalog, queues: Object.values(QueueName), ...(databaseSecret === undefined ? {} : { databaseSecret }) });
  const trust = buildExecTrustPolicy();
  const role = await c.admin.getRole(EXEC_ROLE_NAME);
  const steps: PlanStep[] = [];
  if (role === undefined) {
    steps.push({
      resource: `role ${EXEC_ROLE_NAME}`, action: 'create', changes: ['trusts fc.aliyuncs.com; MaxSessionDuration 3600'],
      apply: async () => (await c.ram.createRole({ name: EXEC_ROLE_NAME, trustPolicy: trust, maxSessionDuration: 3600, description: 'Crossrole functions (least privilege)', tags: {} }), 'created'),
    });
  } else if (!trustsFunctionCompute(role.trustPolicy)) {
    steps.push({
      resource: `role ${EXEC_ROLE_NAME}`, action: 'update', changes: ['trust policy replaced: Function Compute (fc.aliyuncs.com) may assume it', `now: ${role.trustPolicy}`],
      apply: async () => (await c.ram.updateTrustPolicy(EXEC_ROLE_NAME, trust), 'updated'),
    });
  } else {
    steps.push({ resource: `role ${EXEC_ROLE_NAME}`, action: 'unchanged', changes: ['trusts fc.aliyuncs.com'] });
  }
  steps.push(await policyStep(c, EXEC_POLICY_NAME, document, 'Crossrole functions (least privilege), derived from the catalog'));
  const attached = role === undefined ? [] : await c.admin.listPoliciesOf({ kind: 'role', name: EXEC_ROLE_NAME });
  const policy: PolicyRef = { type: 'Custom', name: EXEC_POLICY_NAME };
  steps.push(hasCustom(attached, EXEC_POLICY_NAME)
    ? { resource: `policy ${EXEC_POLICY_NAME} → role/${EXEC_ROLE_NAME}`, action: 'unchanged', changes: ['attached'] }
    : {
      resource: `policy ${EXEC_POLICY_NAME} → role/${EXEC_ROLE_NAME}`, action: 'create', changes: [`attach (attached now: ${(attached ?? []).map(refName).join(', ') || 'none'})`],
      apply: async () => (await c.admin.attachPolicyTo({ kind: 'role', name: EXEC_ROLE_NAME }, policy), 'attached'),
    });
  return steps;
}

/**
 * Where the approvers' policy goes for one approver of the catalog: a RAM user or role of the owner
 * account. Other forms get none, with the reason: an account root has every permission already, an
 * assumed-role session takes its role's policies, and another account's principals are that
 * account's administrator's to grant.
 */
export function approverTarget(arn: string, account: string): RamIdentity | { skip: string } {
  const p = parsePrincipalArn(arn, 'approvers');
  if (p.accountId !== account) return { skip: `not a principal of account ${account}: its own account's administrator grants it the inbox's MNS permissions` };
  if (p.kind === 'root') return { skip: 'an account root has every permission already and takes no policy: nothing to attach' };
  if (p.kind === 'assumed-role') return { skip: `an assumed-role session takes its role's policies: name the role (acs:ram::${account}:role/${p.name}) as the approver instead` };
  return { kind: p.kind, name: p.name };
}

/** The approvers' policy, and one step per approver of the catalog: attach it to RAM users and roles. */
async function approverSteps(c: OwnerClients, catalog: Catalog): Promise<PlanStep[]> {
  const steps = [await policyStep(c, APPROVER_POLICY_NAME, buildApproverPolicy({ ownerAccountId: c.account, region: c.region }), 'Crossrole approvers: receive and delete the approvals queue\'s messages')];
  const policy: PolicyRef = { type: 'Custom', name: APPROVER_POLICY_NAME };
  for (const arn of catalog.approvers) {
    const target = approverTarget(arn, c.account);
    if ('skip' in target) {
      steps.push({ resource: `approver ${arn}`, action: 'skip', changes: [], warning: target.skip });
      continue;
    }
    const who = target;
    const resource = `policy ${APPROVER_POLICY_NAME} → ${who.kind}/${who.name}`;
    const attached = await c.admin.listPoliciesOf(who);
    if (attached === undefined) {
      steps.push({ resource, action: 'skip', changes: [], warning: `RAM ${who.kind} ${who.name} does not exist: create it (the catalog names it as an approver), then run bootstrap again` });
    } else if (hasCustom(attached, APPROVER_POLICY_NAME)) {
      steps.push({ resource, action: 'unchanged', changes: ['attached'] });
    } else {
      steps.push({ resource, action: 'create', changes: ['attach'], apply: async () => (await c.admin.attachPolicyTo(who, policy), 'attached') });
    }
  }
  return steps;
}

async function ledgerStep(url: string | undefined, schema: string | undefined): Promise<PlanStep> {
  const resource = `ledger schema${schema === undefined ? '' : ` ${schema}`}`;
  if (url === undefined) return { resource, action: 'skip', changes: [], warning: 'no --database-url (or DATABASE_URL): the ledger\'s migrations were not checked' };
  const state = await readLedgerState(url, schema);
  const apply = async (): Promise<string> => {
    const applied = await migrateLedger(url, schema);
    return applied.length === 0 ? 'up to date' : `applied ${applied.join(', ')}`;
  };
  if (state.pending.length === 0) {
    return { resource, action: 'unchanged', changes: [`migrations ${state.applied.join(', ')}${state.unknown.length > 0 ? ` (${state.unknown.join(', ')} unknown to this CLI: a newer release migrated it)` : ''}`] };
  }
  return { resource, action: state.initialised ? 'update' : 'create', changes: [`apply migrations ${state.pending.join(', ')}`], apply };
}

/** Read everything, change nothing: the plan. */
export async function planBootstrap(input: PlanInput): Promise<PlanStep[]> {
  const { clients: c, catalog } = input;
  // The catalog's documents first: a catalog that cannot be deployed is refused before any read.
  buildExecRolePolicy({ ownerAccountId: c.account, region: c.region, catalog, queues: Object.values(QueueName), ...(input.databaseSecret === undefined ? {} : { databaseSecret: input.databaseSecret }) });
  return [
    ...await queueSteps(c),
    ...await execRoleSteps(c, catalog, input.databaseSecret),
    ...await approverSteps(c, catalog),
    await ledgerStep(input.databaseUrl, input.databaseSchema),
  ];
}

export interface AppliedStep {
  resource: string;
  action: PlanAction;
  result: string;
}

/** Run the steps that change something, in order; stops at the first failure (its error propagates). */
export async function applyPlan(steps: readonly PlanStep[], onApplied: (s: AppliedStep) => void): Promise<AppliedStep[]> {
  const done: AppliedStep[] = [];
  for (const step of steps) {
    if (step.apply === undefined || (step.action !== 'create' && step.action !== 'update')) continue;
    const applied: AppliedStep = { resource: step.resource, action: step.action, result: await step.apply() };
    done.push(applied);
    onApplied(applied);
  }
  return done;
}

/**
 * The harness of interleavings.test.ts: every call a use case makes to RAM, the ledger or a queue
 * goes through a gate first, and whoever drives the gates decides the order in which concurrent
 * use cases reach the shared fakes. fast-check's scheduler drives them in the properties
 * (`gate = (label) => s.schedule(Promise.resolve(), label)`); the regression tests drive them by
 * hand ({@link Script}).
 *
 * Why a gate BEFORE the call rather than `s.scheduleFunction(ram.createRole)`: scheduleFunction
 * calls the function at once and only delays its answer, so the effects would land in RAM in the
 * order the calls were issued, and the scheduler would only reorder the continuations. With the
 * gate, the scheduler picks the order in which the calls themselves reach RAM (each fake call is
 * atomic, as one RAM API call is), and a task's continuation runs up to its next gate. Every gate
 * carries a label (`#<task> <kind>: ram.createRole(<role>)`), so fast-check's report of a failure
 * is the schedule itself, in the order the gates were released.
 *
 * Each concurrent task (one HTTP call, one queue delivery, one scan) gets its own deps: views of
 * the one world's fakes that carry the task's gates and faults, so a fault hits exactly that task:
 * - `crashAt`: the process dies before its n-th call (RAM, ledger or queue); a dead process makes
 *   no call any more (every later call throws at once, so no `catch` in the product can go on);
 * - `fail`: RAM answers the task's n-th RAM call with an error and does nothing: a 5xx or a
 *   throttling answer after the adapter's retries (DEPENDENCY_UNAVAILABLE, as shared/cloud/errors.ts
 *   translates them), or a quota (LIMIT_EXCEEDED, a permanent error of provisioning);
 * - `failUndo`: every call that takes a grant apart (UpdateRole, DetachPolicyFromRole, DeletePolicy,
 *   DeleteRole) answers DEPENDENCY_UNAVAILABLE: in a provisioning task, exactly its rollback.
 */
import type { AccessRequest } from '../../../shared/domain/access-request';
import { CrossroleError } from '../../../shared/domain/errors';
import { effectiveExpiresAt } from '../../../shared/domain/extension';
import type { Extension, ExtensionStatus, ExtensionStep } from '../../../shared/domain/extension';
import { parseWorkflowMessage } from '../../../shared/domain/messages';
import { QueueName } from '../../../shared/domain/ports';
import type { AuditInput, DecisionInput, ListOptions, PolicyRef, QueuePort, RamPort, RequestPatch, RequestRepository, WorkflowMessage } from '../../../shared/domain/ports';
import { ALL_STATUSES, Status, nextStatus } from '../../../shared/domain/state-machine';
import type { Transition } from '../../../shared/domain/state-machine';
import { trustedAccounts } from '../../../shared/policy';
import { processQueueItems } from '../../../shared/runtime/queue/edge';
import { provisionGrant, revokeGrant } from '../../../shared/workflow';
import type { ScanDeps } from '../../../shared/workflow/use-cases/scan';
import { Tag, isGuardPolicy, policyRefOf } from '../../../shared/workflow/support/naming';
import { findProfile } from '../../../shared/domain/catalog';
import { OWNER, SimulatedCrash } from '../../fakes';
import type { FakeRam, RamAction, World } from '../../fakes';

/** Lets the caller proceed when the driver says so. */
export type Gate = (label: string) => Promise<void>;

export type FailKind = 'unavailable' | 'throttled' | 'quota';

export interface Faults {
  crashAt?: number;
  fail?: { at: number; kind: FailKind };
  failUndo?: boolean;
}

/** The process died before a ledger or queue call (SimulatedCrash is for RAM calls). */
export class ProcessCrash extends Error {
  constructor(readonly before: string) {
    super(`simulated crash before ${before}`);
    this.name = 'ProcessCrash';
  }
}

/** A crash is expected in every task: the product must survive it, not avoid it. */
export const isCrash = (e: unknown): boolean => e instanceof SimulatedCrash || e instanceof ProcessCrash;

const UNDO_ACTIONS: readonly RamAction[] = ['updateTrustPolicy', 'detachPolicyFromRole', 'deletePolicy', 'deleteRole', 'deleteOlderPolicyVersions'];
/** Where RAM answers LimitExceeded (fc-sdevs-ram.md §3.2 quotas): creating a role or policy, attaching one. */
const QUOTA_ACTIONS: readonly RamAction[] = ['createRole', 'createPolicy', 'attachPolicyToRole'];

const API_NAMES: Record<RamAction, string> = {
  getRole: 'GetRole', createRole: 'CreateRole', updateTrustPolicy: 'UpdateRole', deleteRole: 'DeleteRole',
  listPoliciesForRole: 'ListPoliciesForRole', attachPolicyToRole: 'AttachPolicyToRole', detachPolicyFromRole: 'DetachPolicyFromRole',
  createPolicy: 'CreatePolicy', deletePolicy: 'DeletePolicy', listRolesByTag: 'ListRoles',
  getPolicyDocument: 'GetPolicy', setPolicyDocument: 'CreatePolicyVersion',
  tagRole: 'TagResources', deleteOlderPolicyVersions: 'DeletePolicyVersion',
};

/**
 * The errors the RAM adapter throws once its own retries ran out (shared/cloud/errors.ts
 * translateCloudError): 500 InternalError and 400 Throttling.User as the local cloud injects them
 * (local/core/faults.ts), both DEPENDENCY_UNAVAILABLE; a quota as LIMIT_EXCEEDED.
 */
export function ramError(kind: FailKind, action: RamAction): CrossroleError {
  const api = API_NAMES[action];
  switch (kind) {
    case 'unavailable':
      return new CrossroleError('DEPENDENCY_UNAVAILABLE', `ram ${api}: unavailable (InternalError) after 3 attempts`, {
        details: { service: 'ram', action: api, cloudCode: 'InternalError', cloudStatus: 500, attempts: 3 },
      });
    case 'throttled':
      return new CrossroleError('DEPENDENCY_UNAVAILABLE', `ram ${api}: unavailable (Throttling.User) after 3 attempts`, {
        details: { service: 'ram', action: api, cloudCode: 'Throttling.User', cloudStatus: 400, attempts: 3 },
      });
    case 'quota':
      return new CrossroleError('LIMIT_EXCEEDED', `ram ${api}: account quota reached (LimitExceeded)`, {
        details: { service: 'ram', action: api, cloudCode: 'LimitExceeded', quota: 'unknown' },
      });
  }
}

/** One concurrent unit of work: its gates, its faults, and whether its process is still alive. */
export class Task {
  private calls = 0;
  private ramCalls = 0;
  private diedAt: { label: string; ram?: RamAction } | undefined;
  /** Injected answers, for the test's own statistics. */
  injected = 0;

  constructor(readonly name: string, private readonly gate: Gate, readonly faults: Faults = {}) {}

  get dead(): boolean {
    return this.diedAt !== undefined;
  }

  private crash(): Error {
    const at = this.diedAt;
    if (at === undefined) throw new Error('not crashed');
    return at.ram === undefined ? new ProcessCrash(at.label) : new SimulatedCrash(at.ram);
  }

  /** The task's first step: when it starts is the driver's choice too. */
  async start(): Promise<void> {
    await this.gate(`${this.name}: start`);
  }

  /** An empty poll of a queue: the task waits for its next turn. */
  async poll(): Promise<void> {
    await this.gate(`${this.name}: poll`);
  }

  /** Every outgoing call: wait for the driver, then maybe die right there. */
  async step(label: string, ram?: RamAction): Promise<void> {
    if (this.diedAt !== undefined) throw this.crash();
    await this.gate(`${this.name}: ${label}`);
    const n = this.calls++;
    if (this.faults.crashAt === n) {
      this.diedAt = ram === undefined ? { label } : { label, ram };
      throw this.crash();
    }
  }

  /** The error RAM answers this RAM call with, if the task's faults say so. */
  answer(action: RamAction): CrossroleError | undefined {
    const n = this.ramCalls++;
    const { fail, failUndo } = this.faults;
    if (failUndo === true && UNDO_ACTIONS.includes(action)) {
      this.injected++;
      return ramError('unavailable', action);
    }
    if (fail !== undefined && fail.at === n && (fail.kind !== 'quota' || QUOTA_ACTIONS.includes(action))) {
      this.injected++;
      return ramError(fail.kind, action);
    }
    return undefined;
  }
}

const short = (v: unknown): string => {
  if (typeof v === 'string') return v.startsWith('{') ? '{…}' : v.replace(/^crossrole-/, '');
  if (typeof v === 'object' && v !== null && 'name' in v) return String((v as { name: unknown }).name).replace(/^crossrole-/, '');
  return '';
};

/** RAM as one task sees it. */
export function taskRam(ram: FakeRam, task: Task): RamPort {
  const call = <A extends unknown[], R>(action: RamAction, fn: (...a: A) => Promise<R>) => async (...a: A): Promise<R> => {
    await task.step(`ram.${action}(${short(a[0])}${a.length > 1 ? `, ${short(a[1])}` : ''})`, action);
    const error = task.answer(action);
    if (error !== undefined) throw error;
    return fn(...a);
  };
  return {
    getRole: call('getRole', (name: string) => ram.getRole(name)),
    createRole: call('createRole', (input: Parameters<RamPort['createRole']>[0]) => ram.createRole(input)),
    updateTrustPolicy: call('updateTrustPolicy', (name: string, doc: string) => ram.updateTrustPolicy(name, doc)),
    deleteRole: call('deleteRole', (name: string) => ram.deleteRole(name)),
    listPoliciesForRole: call('listPoliciesForRole', (name: string) => ram.listPoliciesForRole(name)),
    attachPolicyToRole: call('attachPolicyToRole', (name: string, p: PolicyRef) => ram.attachPolicyToRole(name, p)),
    detachPolicyFromRole: call('detachPolicyFromRole', (name: string, p: PolicyRef) => ram.detachPolicyFromRole(name, p)),
    createPolicy: call('createPolicy', (name: string, doc: string, description: string) => ram.createPolicy(name, doc, description)),
    deletePolicy: call('deletePolicy', (name: string) => ram.deletePolicy(name)),
    listRolesByTag: call('listRolesByTag', (key: string, value: string) => ram.listRolesByTag(key, value)),
    getPolicyDocument: call('getPolicyDocument', (name: string) => ram.getPolicyDocument(name)),
    setPolicyDocument: call('setPolicyDocument', (name: string, doc: string) => ram.setPolicyDocument(name, doc)),
    tagRole: call('tagRole', (name: string, tags: Record<string, string>) => ram.tagRole(name, tags)),
    deleteOlderPolicyVersions: call('deleteOlderPolicyVersions', (name: string) => ram.deleteOlderPolicyVersions(name)),
    callCount: () => ram.callCount(),
  };
}

/** The ledger as one task sees it: every read and write is an interleaving point. */
export function taskLedger(ledger: RequestRepository, task: Task): RequestRepository {
  const call = <A extends unknown[], R>(fn: (...a: A) => Promise<R>, label: (a: NoInfer<A>) => string) => async (...a: A): Promise<R> => {
    await task.step(`ledger.${label(a)}`);
    return fn(...a);
  };
  return {
    create: call((r: AccessRequest, audit: AuditInput) => ledger.create(r, audit), ([r]) => `create(${r.status})`),
    get: call((id: string) => ledger.get(id), () => 'get'),
    listByStatus: call((s: Status, o?: ListOptions) => ledger.listByStatus(s, o), ([s]) => `listByStatus(${s})`),
    listByPartner: call((p: string, o?: ListOptions & { status?: Status }) => ledger.listByPartner(p, o), () => 'listByPartner'),
    listDueForExpiry: call((now: Date, limit: number) => ledger.listDueForExpiry(now, limit), () => 'listDueForExpiry'),
    listStale: call((s: Status, before: Date, limit: number) => ledger.listStale(s, before, limit), ([s]) => `listStale(${s})`),
    transition: call((id: string, v: number, t: Transition, patch: RequestPatch, audit: AuditInput) => ledger.transition(id, v, t, patch, audit),
      ([, v, t]) => `transition(${t} @v${v})`),
    listUnreleased: call((before: Date, limit: number) => ledger.listUnreleased(before, limit), () => 'listUnreleased'),
    markReleased: call((id: string, audit: AuditInput) => ledger.markReleased(id, audit), () => 'markReleased'),
    decide: call((id: string, input: DecisionInput, audit: AuditInput) => ledger.decide(id, input, audit), ([, input]) => `decide(${input.decision} by ${input.approver.replace(/^.*:/, '')})`),
    approvals: (id) => ledger.approvals(id),
    listStartDue: call((s: Status, now: Date, limit: number) => ledger.listStartDue(s, now, limit), ([s]) => `listStartDue(${s})`),
    note: call((id: string, patch: Pick<RequestPatch, 'lastError'>, audit: AuditInput) => ledger.note(id, patch, audit), () => 'note'),
    createExtension: call((e: Extension, v: number, audit: AuditInput) => ledger.createExtension(e, v, audit), ([e, v]) => `createExtension(${e.kind} ${e.status} @v${v})`),
    stepExtension: call((id: string, step: ExtensionStep, v: number | undefined, d: { decidedBy?: string; decisionReason?: string }, audit: AuditInput) => ledger.stepExtension(id, step, v, d, audit),
      ([, step, v]) => `stepExtension(${step} @v${v ?? '-'})`),
    getExtension: call((id: string) => ledger.getExtension(id), () => 'getExtension'),
    listExtensions: call((id: string) => ledger.listExtensions(id), () => 'listExtensions'),
    listStaleExtensions: call((st: ExtensionStatus, before: Date, limit: number) => ledger.listStaleExtensions(st, before, limit), ([st]) => `listStaleExtensions(${st})`),
    history: (id) => ledger.history(id),
    review: (id, review, audit) => ledger.review(id, review, audit),
    listUnreviewed: (o) => ledger.listUnreviewed(o),
    auditPage: (w) => ledger.auditPage(w),
    useNonce: (nonce, expiresAt) => ledger.useNonce(nonce, expiresAt),
    purgeExpiredNonces: (now) => ledger.purgeExpiredNonces(now),
    close: () => ledger.close(),
  };
}

export function taskQueue(queue: QueuePort, task: Task): QueuePort {
  return {
    send: async (name, message, options) => {
      await task.step(`queue.send(${message.kind})`);
      return queue.send(name, message, options);
    },
    receive: (name, options) => queue.receive(name, options),
    delete: (name, handle) => queue.delete(name, handle),
  };
}

export function taskDeps(w: World, task: Task): ScanDeps {
  return { ...w.deps, ram: taskRam(w.ram, task), ledger: taskLedger(w.ledger, task), queue: taskQueue(w.queue, task) };
}

// ------------------------------------------------------------------ queue deliveries

export const QUEUES = [QueueName.PROVISION, QueueName.REVOKE] as const;
export type WorkQueue = (typeof QUEUES)[number];

export function bodyOf(body: string): WorkflowMessage | undefined {
  const parsed = parseWorkflowMessage(body);
  return parsed.ok ? parsed.message : undefined;
}

/**
 * Take one visible message out of `queue` (in flight: nobody else sees it), the `k`-th of those
 * that match. FakeQueue only takes them all: the others go back, visible as they were.
 */
export function takeOne(w: World, queue: WorkQueue, k: number, match: (m: WorkflowMessage | undefined) => boolean = () => true): string | undefined {
  const all = w.queue.take(queue);
  const candidates = all.filter((m) => match(bodyOf(m.body)));
  const chosen = candidates.length === 0 ? undefined : candidates[k % candidates.length];
  for (const m of all) if (m !== chosen) w.queue.pushRaw(queue, m.body);
  return chosen?.body;
}

/**
 * What the queue trigger does with one delivery: run the use case through the edge; if it threw,
 * the message comes back (at-least-once). Only typed errors and crashes may be thrown by a use
 * case: anything else is returned, and the property fails on it.
 */
export async function consume(w: World, deps: ScanDeps, queue: WorkQueue, body: string): Promise<unknown[]> {
  const handler = queue === QueueName.PROVISION ? provisionGrant : revokeGrant;
  const { failures } = await processQueueItems([{ parsed: parseWorkflowMessage(body) }], handler, deps);
  if (failures.length > 0) w.queue.pushRaw(queue, body);
  return failures.filter((e) => !(e instanceof CrossroleError || isCrash(e)));
}

/** (5) Provision and revoke messages still visible after the drain. */
export function undrained(w: World): string[] {
  const now = w.clock.now().getTime();
  return w.queue.pending()
    .filter((m) => (QUEUES as readonly string[]).includes(m.queue) && m.visibleAt <= now)
    .map((m) => `(5) ${m.queue} message ${m.body} still fails after the drain`);
}

/** Quiescence: deliver (without faults or gates) until no provision or revoke message is visible. */
export async function drain(w: World, maxRounds = 30): Promise<unknown[]> {
  const unexpected: unknown[] = [];
  for (let round = 0; round < maxRounds; round++) {
    let any = false;
    for (const queue of QUEUES) {
      for (const m of w.queue.take(queue)) {
        any = true;
        unexpected.push(...(await consume(w, w.deps, queue, m.body)));
      }
    }
    if (!any) break;
  }
  return unexpected;
}

// ------------------------------------------------------------------ invariants

/**
 * What must hold once the world is quiet and one scan (the reconciler) ran. Returns one line per
 * violation, numbered as the brief numbers them:
 * (1) no role trusts a partner with a permission (non-guard) policy attached unless its request is
 *     ACTIVE and unexpired;
 * (2) every managed role maps to a request in the ledger;
 * (3) every request's audit trail is a walk of the state machine ending where the row is;
 * (4) every ACTIVE, unexpired request holds its grant (role, partner trust, guard, profile policies):
 *     the reconciler restores drifted ACTIVE roles;
 * (5), checked by {@link undrained} before the scan: the work queues drained (a message that fails
 *     for ever without faults is a livelock);
 * (6) no role exists in RAM for a SCHEDULED request (nothing is created before the start);
 * (7) quorum: a request approved by people (APPROVE or SCHEDULE on its trail) has as many distinct
 *     approvals as it requires, and no rejection; a recorded rejection means it was REJECTED (one
 *     rejection wins over any approval, earlier or later).
 * (8) {@link expiryViolations}: every ACTIVE grant's guard and expiry tag lie between the ledger's
 *     reported and approved expiries (the model also checks it between any two steps).
 */
export async function violations(w: World): Promise<string[]> {
  const out: string[] = [];
  const now = w.clock.now().getTime();
  const rows = new Map(w.ledger.all().map((r) => [r.id, r]));
  // Unexpired at the effective expiry: an approved extension not yet applied counts (its guard still
  // denies at the old time, so RAM is stricter than the ledger meanwhile, never looser).
  const live = (r: AccessRequest | undefined): boolean => r !== undefined && r.status === Status.ACTIVE && effectiveExpiresAt(r) !== undefined && Date.parse(effectiveExpiresAt(r) ?? '') > now;
  const label = (r: AccessRequest | undefined, id: string | undefined): string =>
    r === undefined ? `request ${id ?? '(no request-id tag)'} (not in the ledger)` : `request ${r.id.slice(0, 8)} (${r.status}${r.revokeMode ? `, mode ${r.revokeMode}` : ''}${r.expiresAt && Date.parse(r.expiresAt) <= now ? ', expired' : ''})`;

  for (const name of w.ram.roleNames()) {
    const role = w.ram.role(name);
    if (role === undefined) continue;
    const id = role.tags[Tag.REQUEST_ID];
    const r = id === undefined ? undefined : rows.get(id);
    if (role.tags[Tag.MANAGED] === 'true' && r === undefined) out.push(`(2) managed role ${name} maps to no request in the ledger (request-id tag ${id ?? 'missing'})`);
    const partners = trustedAccounts(role.trustPolicy).filter((a) => a !== OWNER);
    const permissions = role.attached.filter((p) => !isGuardPolicy(p)).map((p) => p.name);
    if (partners.length > 0 && permissions.length > 0 && !live(r)) {
      out.push(`(1) role ${name} trusts ${partners.join(', ')} with ${permissions.join(', ')} attached, but its ${label(r, id)} is not ACTIVE-and-unexpired`);
    }
  }

  for (const r of rows.values()) {
    if (!ALL_STATUSES.includes(r.status)) out.push(`(3) request ${r.id.slice(0, 8)} has an unknown status ${r.status}`);
    const events = await w.ledger.history(r.id);
    let status = events[0]?.toStatus ?? null;
    let transitions = 0;
    for (const e of events.slice(1)) {
      if (e.action === 'NOTE') continue;
      // An extension's step keeps the status; those that move the grant's expiry bump its version.
      if (e.action === 'EXTENSION') {
        if (e.fromStatus !== status || e.toStatus !== status) out.push(`(3) request ${r.id.slice(0, 8)}: extension event ${e.fromStatus} -> ${e.toStatus} does not follow ${status}`);
        if (e.details?.['movesGrant'] === true) transitions++;
        continue;
      }
      let to: Status | undefined;
      try {
        to = nextStatus(e.fromStatus ?? Status.PENDING, e.action as Transition);
      } catch {
        to = undefined;
      }
      if (e.fromStatus !== status || to !== e.toStatus) out.push(`(3) request ${r.id.slice(0, 8)}: audit event ${e.action} ${e.fromStatus} -> ${e.toStatus} does not follow ${status}`);
      status = e.toStatus;
      transitions++;
    }
    if (status !== r.status) out.push(`(3) request ${r.id.slice(0, 8)}: the audit trail ends at ${status}, the row is ${r.status}`);
    if (r.version !== 1 + transitions) out.push(`(3) request ${r.id.slice(0, 8)}: version ${r.version} after ${transitions} transitions`);

    if (r.status === Status.SCHEDULED && w.ram.role(r.roleName)?.tags[Tag.REQUEST_ID] === r.id) out.push(`(6) ${label(r, r.id)}: a role exists before its start`);
    const decisions = await w.ledger.approvals(r.id);
    const byPeople = events.some((e) => (e.action === 'APPROVE' || e.action === 'SCHEDULE') && !e.actor.startsWith('system:'));
    const approving = new Set(decisions.filter((d) => d.decision === 'approve').map((d) => d.approver));
    const rejected = decisions.some((d) => d.decision === 'reject');
    if (byPeople && (approving.size < (r.approvalsRequired ?? 1) || rejected)) out.push(`(7) ${label(r, r.id)}: approved with ${approving.size} of ${r.approvalsRequired ?? 1} approvals${rejected ? ' and a rejection' : ''}`);
    if (rejected !== events.some((e) => e.action === 'REJECT')) out.push(`(7) ${label(r, r.id)}: ${rejected ? 'a recorded rejection, but never REJECTED' : 'REJECTED without a recorded rejection'}`);

    if (live(r)) {
      const role = w.ram.role(r.roleName);
      const profile = findProfile(w.catalog, r.profile);
      const want = [{ type: 'Custom' as const, name: r.grant?.guardPolicyName ?? '?' }, ...(profile?.policies.map((p) => policyRefOf(profile.name, p)) ?? [])];
      if (role === undefined || role.tags[Tag.REQUEST_ID] !== r.id) out.push(`(4) ${label(r, r.id)}: its role ${r.roleName} is gone`);
      else {
        if (!trustedAccounts(role.trustPolicy).includes(r.partnerAccountId)) out.push(`(4) ${label(r, r.id)}: its role no longer trusts ${r.partnerAccountId}`);
        const missing = want.filter((p) => !role.attached.some((a) => a.type === p.type && a.name.toLowerCase() === p.name.toLowerCase()));
        if (missing.length > 0) out.push(`(4) ${label(r, r.id)}: its role lacks ${missing.map((p) => p.name).join(', ')}`);
      }
    }
  }

  out.push(...expiryViolations(w, new Set()));
  return out;
}

/** The time a guard document denies after (its DateGreaterThan acs:CurrentTime), or NaN. */
function guardTime(document: string | undefined): number {
  const m = /"acs:CurrentTime":"([^"]+)"/.exec(document ?? '');
  return m?.[1] === undefined ? Number.NaN : Date.parse(m[1]);
}

/**
 * (8) Every ACTIVE grant's guard (the default version) and `crossrole:expires-at` tag lie between
 * the expiry the ledger reports (expiresAt) and the one it approved (targetExpiresAt, while a
 * change is applied): RAM never ends a grant earlier than the ledger reports when nothing moves it,
 * and never allows beyond what the ledger approved. `tolerated` guards (or roles, by name) are in their in-flight window.
 */
export function expiryViolations(w: World, tolerated: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (const r of w.ledger.all()) {
    if (r.status !== Status.ACTIVE || r.expiresAt === undefined || r.grant === undefined) continue;
    const guardName = r.grant.guardPolicyName;
    if (tolerated.has(guardName) || tolerated.has(r.roleName)) continue;
    const reported = Date.parse(r.expiresAt);
    const approved = Date.parse(r.targetExpiresAt ?? r.expiresAt);
    const [low, high] = [Math.min(reported, approved), Math.max(reported, approved)];
    const at = guardTime(w.ram.policy(guardName)?.document);
    const role = w.ram.role(r.roleName);
    const tag = Date.parse(role?.tags[Tag.EXPIRES_AT] ?? '');
    const span = `[${new Date(low).toISOString()}, ${new Date(high).toISOString()}]`;
    if (!Number.isNaN(at) && (at < low || at > high)) out.push(`(8) request ${r.id.slice(0, 8)}: guard denies after ${new Date(at).toISOString()}, outside the ledger's ${span}`);
    if (role !== undefined && role.tags[Tag.REQUEST_ID] === r.id && !Number.isNaN(tag) && (tag < low || tag > high)) {
      out.push(`(8) request ${r.id.slice(0, 8)}: expiry tag ${new Date(tag).toISOString()} outside the ledger's ${span}`);
    }
  }
  return out;
}

// ------------------------------------------------------------------ explicit schedules

/** Let every task run until it waits at a gate (the fakes only ever await microtasks). */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * A schedule written out by hand, for regression tests: every gate waits until `step` names it
 * (by a fragment of its label, `#<task>: <call>`); `rest` then lets whatever is left run in order.
 */
export class Script {
  private readonly waiting: Array<{ label: string; go: () => void }> = [];
  readonly gate: Gate = (label) => new Promise<void>((go) => {
    this.waiting.push({ label, go });
  });

  /** Release the gates that match `fragments`, one after the other. */
  async step(...fragments: string[]): Promise<void> {
    for (const fragment of fragments) {
      await settle();
      const i = this.waiting.findIndex((w) => w.label.includes(fragment));
      if (i < 0) throw new Error(`nothing waits at "${fragment}"; waiting: ${this.waiting.map((w) => w.label).join(' | ') || '(nothing)'}`);
      const [chosen] = this.waiting.splice(i, 1);
      chosen?.go();
    }
    await settle();
  }

  /** Release every remaining gate, oldest first, until no task waits. */
  async rest(): Promise<void> {
    for (await settle(); this.waiting.length > 0; await settle()) this.waiting.shift()?.go();
  }
}

/**
 * The model of interleavings.test.ts: the commands that run concurrently, their arbitraries, and
 * one run (setup, the concurrent part under a scheduler, quiescence, one scan, the invariants).
 * Kept apart from the test file so that a survey (many runs, every violation counted instead of
 * the first one shrunk) can run the very same model.
 */
import fc from 'fast-check';
import { CrossroleError } from '../../../shared/domain/errors';
import { QueueName } from '../../../shared/domain/ports';
import type { CallerIdentity } from '../../../shared/domain/ports';
import { approveExtension, approveRequest, cancelRequest, rejectRequest, requestExtension, retryFailed, runExpiryScan, shortenGrant, submitRequest } from '../../../shared/workflow';
import { requestRevocation } from '../../../shared/workflow/use-cases/decide';
import type { ScanDeps } from '../../../shared/workflow/use-cases/scan';
import { callers, catalogInput, makeWorld } from '../../fakes';
import type { World } from '../../fakes';
import { QUEUES, Task, consume, drain, expiryViolations, isCrash, takeOne, taskDeps, undrained, violations } from './interleavings-harness';
import type { Faults, Gate, WorkQueue } from './interleavings-harness';

const PROFILES = ['ecs-read', 'ops', 'auto-read', 'two-man'] as const;
/** A profile that needs two approvals (quorum): alice and a session of the approvers role. */
const QUORUM_PROFILE = { name: 'two-man', policies: [{ type: 'System' as const, name: 'AliyunECSReadOnlyAccess' }], maxDuration: '8h', approvals: 2 };
const APPROVERS = [callers.alice, callers.approverSession] as const satisfies readonly CallerIdentity[];
/** startAt: none, or this far ahead of the world's clock when submitted. */
const START_LEADS = [undefined, 1800] as const;
const DURATIONS = ['1h', '2h'] as const;
const PARTNERS = [callers.bob, callers.carol] as const satisfies readonly CallerIdentity[];
/** Past the scan's stuck threshold (300 s), its sweep grace (300 s), and any reconciler threshold up to that. */
export const SETTLE_SECONDS = 15 * 60;
/** How often a delivery task polls an empty queue before it gives up. */
const POLLS = 8;

export type Cmd = { faults: Faults } & (
  | { kind: 'submit'; who: 0 | 1; profile: Profile; duration: 0 | 1; start?: 0 | 1 }
  | { kind: 'approve' | 'reject'; i: number; by?: 0 | 1 }
  | { kind: 'cancel' | 'retry' | 'expire' | 'start-due'; i: number }
  | { kind: 'revoke'; i: number; mode: 'trust' | 'delete'; byPartner: boolean }
  | { kind: 'deliver'; queue: 0 | 1; k: number }
  | { kind: 'duplicate'; k: number }
  | { kind: 'scan' }
  // An extension (`extendBy` 0: 30m, 1: 1h; auto-approved on auto-read), its approval, a shortening by 15m.
  | { kind: 'extend'; i: number; by: 0 | 1; byManager: boolean }
  | { kind: 'approveExtension' | 'shorten'; i: number }
);

const EXTEND_BY = ['30m', '1h'] as const;

/** Most tasks run without a fault; a faulty one crashes, meets one RAM error, or cannot undo. */
export const faultsArb: fc.Arbitrary<Faults> = fc.oneof(
  { weight: 6, arbitrary: fc.constant({}) },
  { weight: 2, arbitrary: fc.record({ crashAt: fc.nat(7) }) },
  { weight: 2, arbitrary: fc.record({ fail: fc.record({ at: fc.nat(6), kind: fc.constantFrom('unavailable' as const, 'throttled' as const, 'quota' as const) }) }) },
  { weight: 3, arbitrary: fc.record({ failUndo: fc.constant(true) }) },
);

type Profile = 0 | 1 | 2 | 3;
const idx = fc.nat(5);
const bit = fc.constantFrom(0 as const, 1 as const);
const profileArb = fc.constantFrom(0 as const, 1 as const, 2 as const, 3 as const);
export const cmdArb: fc.Arbitrary<Cmd> = fc.oneof(
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('submit' as const), who: bit, profile: profileArb, duration: bit, start: bit, faults: faultsArb }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('approve' as const), i: idx, by: bit, faults: faultsArb }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('reject' as const), i: idx, by: bit, faults: faultsArb }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constantFrom('cancel' as const, 'retry' as const), i: idx, faults: faultsArb }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('start-due' as const), i: idx, faults: faultsArb }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('revoke' as const), i: idx, mode: fc.constantFrom('trust' as const, 'delete' as const), byPartner: fc.boolean(), faults: faultsArb }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('expire' as const), i: idx, faults: faultsArb }) },
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('deliver' as const), queue: bit, k: idx, faults: faultsArb }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('duplicate' as const), k: fc.nat(9), faults: faultsArb }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('scan' as const), faults: faultsArb }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('extend' as const), i: idx, by: bit, byManager: fc.boolean(), faults: faultsArb }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constantFrom('approveExtension' as const, 'shorten' as const), i: idx, faults: faultsArb }) },
);
export const cmdsArb = fc.array(cmdArb, { minLength: 3, maxLength: 10 });

/**
 * The races around one approved grant, densely: its deliveries (and copies) against its
 * revocations, expiry and a scan. Most runs of this model exercise a provisioning in flight.
 */
export const raceCmdsArb = fc.array(fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('deliver' as const), queue: bit, k: fc.constant(0), faults: faultsArb }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('duplicate' as const), k: fc.nat(3), faults: faultsArb }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('revoke' as const), i: fc.constant(0), mode: fc.constantFrom('trust' as const, 'delete' as const), byPartner: fc.boolean(), faults: faultsArb }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constantFrom('expire' as const, 'retry' as const), i: fc.constant(0), faults: faultsArb }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('scan' as const), faults: faultsArb }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('extend' as const), i: fc.constant(0), by: bit, byManager: fc.boolean(), faults: faultsArb }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constantFrom('approveExtension' as const, 'shorten' as const), i: fc.constant(0), faults: faultsArb }) },
), { minLength: 3, maxLength: 8 });

export const raceSetupArb: fc.Arbitrary<SetupRequest[]> = fc.tuple(fc.constantFrom(0 as const, 1 as const, 2 as const), bit)
  .map(([profile, duration]) => [{ who: 0, profile, duration, approve: true }]);

export interface SetupRequest {
  who: 0 | 1;
  profile: Profile;
  duration: 0 | 1;
  approve: boolean;
  start?: 0 | 1;
  /** Provisioned before the concurrent part starts (ACTIVE). */
  active?: boolean;
}

/**
 * Scheduled start and quorum, densely: a scheduled request and a two-approval one, against
 * approvals by both approvers (concurrent last approvals), rejections, cancels, the start coming
 * (its delayed message, deliveries, copies), revocations and scans.
 */
export const scheduleSetupArb: fc.Arbitrary<SetupRequest[]> = fc.tuple(fc.constantFrom(0 as const, 3 as const), bit, bit)
  .map(([profile, approve, start]) => [{ who: 0, profile, duration: 0, approve: approve === 1, start }, { who: 1, profile: 3, duration: 1, approve: false, start: 1 }]);
export const scheduleCmdsArb = fc.array(fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('approve' as const), i: fc.nat(1), by: bit, faults: faultsArb }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('reject' as const), i: fc.nat(1), by: bit, faults: faultsArb }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('cancel' as const), i: fc.nat(1), faults: faultsArb }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('start-due' as const), i: fc.nat(1), faults: faultsArb }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('deliver' as const), queue: bit, k: fc.nat(3), faults: faultsArb }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('duplicate' as const), k: fc.nat(9), faults: faultsArb }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('revoke' as const), i: fc.nat(1), mode: fc.constantFrom('trust' as const, 'delete' as const), byPartner: fc.boolean(), faults: faultsArb }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('scan' as const), faults: faultsArb }) },
), { minLength: 3, maxLength: 9 });

/** The body of a submit: a start ahead of the world's clock when `start` says so. */
function submitBody(w: World, r: { profile: Profile; duration: 0 | 1; start?: 0 | 1 | undefined }): Record<string, unknown> {
  const lead = START_LEADS[r.start ?? 0];
  return {
    profile: PROFILES[r.profile], duration: DURATIONS[r.duration], reason: 'interleavings',
    ...(lead === undefined ? {} : { startAt: new Date(w.clock.now().getTime() + lead * 1000).toISOString() }),
  };
}

/**
 * The races around one ACTIVE grant's expiry: extensions (auto-approved on auto-read, else by the
 * approver command), shortenings, their `extend` deliveries and copies, against revocations,
 * expiry and a scan (the reconciler).
 */
export const extensionRaceSetupArb: fc.Arbitrary<SetupRequest[]> = fc.tuple(fc.constantFrom(0 as const, 2 as const), bit)
  .map(([profile, duration]) => [{ who: 0, profile, duration, approve: true, active: true }]);

export const extensionRaceCmdsArb = fc.array(fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('extend' as const), i: fc.constant(0), by: bit, byManager: fc.boolean(), faults: faultsArb }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('approveExtension' as const), i: fc.constant(0), faults: faultsArb }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('shorten' as const), i: fc.constant(0), faults: faultsArb }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('deliver' as const), queue: bit, k: fc.nat(2), faults: faultsArb }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('duplicate' as const), k: fc.nat(9), faults: faultsArb }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('revoke' as const), i: fc.constant(0), mode: fc.constantFrom('trust' as const, 'delete' as const), byPartner: fc.boolean(), faults: faultsArb }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('expire' as const), i: fc.constant(0), faults: faultsArb }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('scan' as const), faults: faultsArb }) },
), { minLength: 3, maxLength: 8 });

/** Requests that exist before the concurrent part starts (approved ones have a `provision` message queued). */
export const setupArb: fc.Arbitrary<SetupRequest[]> = fc.array(
  fc.record({ who: bit, profile: fc.constantFrom(0 as const, 1 as const, 2 as const), duration: bit, approve: fc.oneof({ weight: 3, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }) }),
  { minLength: 1, maxLength: 2 },
);

interface Run {
  w: World;
  ids: string[];
  /** Errors no use case may throw (not a typed CrossroleError, not a crash). */
  unexpected: unknown[];
  /** Guard policies by the tasks writing them now: their in-flight window (see checkExpiries). */
  writers: Map<string, Set<string>>;
  /** Guards written by a task that died or failed: only the reconciler closes their window. */
  abandoned: Set<string>;
  /** (8) Violations of the expiry invariant seen between two steps. */
  expiryProblems: string[];
}

function partnerOf(w: World, id: string): CallerIdentity {
  const r = w.ledger.all().find((x) => x.id === id);
  return r?.partnerAccountId === callers.carol.accountId ? callers.carol : callers.bob;
}

/** An HTTP use case: a typed refusal or a crash is an answer; anything else is a bug. */
async function http(run: Run, p: Promise<unknown>): Promise<unknown> {
  try {
    return await p;
  } catch (e) {
    if (!(e instanceof CrossroleError || isCrash(e))) run.unexpected.push(e);
    return undefined;
  }
}

async function deliverBody(run: Run, deps: ScanDeps, queue: WorkQueue, body: string | undefined): Promise<void> {
  if (body !== undefined) run.unexpected.push(...(await consume(run.w, deps, queue, body)));
}

/**
 * (8) between any two steps: every ACTIVE grant's guard lies between the expiry the ledger reports
 * and the one it approved, except while a task that wrote that guard is still at work (its
 * in-flight window), or once such a task died (the reconciler's next pass closes it).
 */
function checkExpiries(run: Run, label: string): void {
  const tolerated = new Set([...run.abandoned, ...[...run.writers].filter(([, tasks]) => tasks.size > 0).map(([guard]) => guard)]);
  for (const v of expiryViolations(run.w, tolerated)) run.expiryProblems.push(`${v} (before ${label})`);
}

/** The task's RAM with its guard and expiry-tag writes recorded in `run.writers` (by policy or role name). */
function trackWrites(run: Run, task: Task, deps: ScanDeps): ScanDeps {
  const note = (name: string): void => {
    const tasks = run.writers.get(name) ?? new Set<string>();
    tasks.add(task.name);
    run.writers.set(name, tasks);
  };
  const { setPolicyDocument, tagRole } = deps.ram;
  const ram = {
    ...deps.ram,
    setPolicyDocument: async (name: string, document: string): Promise<void> => {
      note(name);
      return setPolicyDocument(name, document);
    },
    tagRole: async (name: string, tags: Record<string, string>): Promise<void> => {
      note(name);
      return tagRole(name, tags);
    },
  };
  return { ...deps, ram };
}

async function execute(run: Run, gate: Gate, cmd: Cmd, n: number): Promise<void> {
  const { w } = run;
  const task = new Task(`#${n} ${cmd.kind}`, gate, cmd.faults);
  await task.start();
  const deps = trackWrites(run, task, taskDeps(w, task));
  let failed = false;
  try {
    await executeWith(run, task, deps, cmd);
  } catch (e) {
    failed = true;
    throw e;
  } finally {
    for (const [guard, tasks] of run.writers) {
      // Died, or met an injected RAM error (its message comes back later): the reconciler or the redelivery closes the window.
      if (tasks.delete(task.name) && (failed || task.dead || task.injected > 0)) run.abandoned.add(guard);
    }
  }
}

async function executeWith(run: Run, task: Task, deps: ScanDeps, cmd: Cmd): Promise<void> {
  const { w, ids } = run;
  const pick = (i: number): string | undefined => (ids.length === 0 ? undefined : ids[i % ids.length]);
  switch (cmd.kind) {
    case 'submit': {
      const who = PARTNERS[cmd.who];
      const r = await http(run, submitRequest(deps, who, submitBody(w, cmd)));
      if (typeof r === 'object' && r !== null && 'id' in r) ids.push(String(r.id));
      return;
    }
    case 'approve': { const id = pick(cmd.i); if (id) await http(run, approveRequest(deps, APPROVERS[cmd.by ?? 0], id)); return; }
    case 'reject': { const id = pick(cmd.i); if (id) await http(run, rejectRequest(deps, APPROVERS[cmd.by ?? 0], id, { reason: 'no' })); return; }
    case 'start-due': {
      // Time runs to a SCHEDULED request's start, and its delayed `start` message arrives.
      const id = pick(cmd.i);
      const r = w.ledger.all().find((x) => x.id === id);
      if (r?.status === 'SCHEDULED' && r.startAt !== undefined) {
        const due = Date.parse(r.startAt) + 1000;
        if (due > w.clock.now().getTime()) w.clock.set(new Date(due));
      }
      await deliverBody(run, deps, QueueName.PROVISION, takeOne(w, QueueName.PROVISION, 0, (m) => m?.kind === 'start' && m.requestId === id));
      return;
    }
    case 'retry': { const id = pick(cmd.i); if (id) await http(run, retryFailed(deps, callers.alice, id)); return; }
    case 'cancel': { const id = pick(cmd.i); if (id) await http(run, cancelRequest(deps, partnerOf(w, id), id)); return; }
    case 'revoke': {
      const id = pick(cmd.i);
      if (id) await http(run, requestRevocation(deps, cmd.byPartner ? partnerOf(w, id) : callers.alice, id, { mode: cmd.mode, reason: 'interleavings' }));
      return;
    }
    case 'expire': {
      // Time runs past the grant's expiry (if it is ACTIVE now), and its delayed `expire` message arrives.
      const id = pick(cmd.i);
      const r = w.ledger.all().find((x) => x.id === id);
      if (r?.status === 'ACTIVE' && r.expiresAt !== undefined) {
        const past = Date.parse(r.expiresAt) + 1000;
        if (past > w.clock.now().getTime()) w.clock.set(new Date(past));
      }
      await deliverBody(run, deps, QueueName.REVOKE, takeOne(w, QueueName.REVOKE, 0, (m) => m?.kind === 'expire' && m.requestId === id));
      return;
    }
    case 'deliver': {
      // A trigger polling its queue: a few times, each poll an interleaving point, until a message is there.
      const queue = QUEUES[cmd.queue];
      let body = takeOne(w, queue, cmd.k);
      for (let poll = 1; body === undefined && poll < POLLS; poll++) {
        await task.poll();
        body = takeOne(w, queue, cmd.k);
      }
      await deliverBody(run, deps, queue, body);
      return;
    }
    case 'duplicate': {
      // A second copy of a message ever sent, processed while the original may still be in flight.
      const sent = w.queue.sends.filter((s) => (QUEUES as readonly string[]).includes(s.queue));
      const s = sent[cmd.k % Math.max(1, sent.length)];
      if (s) await deliverBody(run, deps, s.queue as WorkQueue, JSON.stringify(s.message));
      return;
    }
    case 'scan':
      await http(run, runExpiryScan(deps));
      return;
    case 'extend': {
      const id = pick(cmd.i);
      if (id) await http(run, requestExtension(deps, cmd.byManager ? callers.partnerAdmin : partnerOf(w, id), id, { duration: EXTEND_BY[cmd.by], reason: 'interleavings' }));
      return;
    }
    case 'approveExtension': { const id = pick(cmd.i); if (id) await http(run, approveExtension(deps, callers.alice, id)); return; }
    case 'shorten': { const id = pick(cmd.i); if (id) await http(run, shortenGrant(deps, partnerOf(w, id), id, { duration: '15m', reason: 'interleavings' })); return; }
  }
}

export interface Outcome {
  /** Violations, one line each (empty: the run is fine). */
  problems: string[];
  /** The ledger and RAM at the end, for the failure message. */
  summary: string;
}

/**
 * One run: the setup, then every command as a concurrent task whose calls `s` orders, then
 * quiescence, the clock SETTLE_SECONDS on, one scan, and the invariants.
 */
export async function interleave(setup: readonly SetupRequest[], cmds: readonly Cmd[], s: fc.Scheduler): Promise<Outcome> {
  const w = makeWorld({ catalog: { profiles: [...(catalogInput.profiles ?? []), QUORUM_PROFILE] } });
  const run: Run = { w, ids: [], unexpected: [], writers: new Map(), abandoned: new Set(), expiryProblems: [] };
  for (const r of setup) {
    const who = PARTNERS[r.who];
    const made = await submitRequest(w.deps, who, submitBody(w, r));
    run.ids.push(made.id);
    // A quorum request set up "approved" gets both approvals; a scheduled one becomes SCHEDULED.
    if (r.approve && made.status === 'PENDING') for (const by of APPROVERS.slice(0, made.approvalsRequired ?? 1)) await approveRequest(w.deps, by, made.id);
  }
  if (setup.some((r) => r.active === true)) run.unexpected.push(...(await drain(w)));

  const gate: Gate = (label) => {
    checkExpiries(run, label);
    return s.schedule(Promise.resolve(), label);
  };
  const tasks = cmds.map((c, n) => execute(run, gate, c, n).catch((e: unknown) => {
    run.unexpected.push(e);
  }));
  await s.waitFor(Promise.all(tasks));

  run.unexpected.push(...(await drain(w)));
  const problems = undrained(w);
  w.clock.advance(SETTLE_SECONDS);
  await runExpiryScan(w.deps);
  problems.push(...run.expiryProblems.slice(0, 5));
  problems.push(...(await violations(w)));
  // Convergence: past every start, the scan starts what is due, and the world settles again.
  w.clock.advance(Math.max(...START_LEADS.map((l) => l ?? 0)));
  await runExpiryScan(w.deps);
  run.unexpected.push(...(await drain(w)));
  await runExpiryScan(w.deps);
  problems.push(...(await violations(w)).map((v) => `after every start: ${v}`));
  for (const r of w.ledger.all()) if (r.status === 'SCHEDULED') problems.push(`(6) request ${r.id.slice(0, 8)} is still SCHEDULED after its start ${r.startAt ?? '?'} and a scan`);
  for (const e of run.unexpected) problems.push(`unexpected error: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
  const rows = w.ledger.all().map((r) => `${r.id.slice(0, 8)} ${r.profile} ${r.status}${r.revokeMode ? `/${r.revokeMode}` : ''}`).join('; ');
  const extensions = w.ledger.allExtensions().map((e) => `${e.requestId.slice(0, 8)} ${e.kind} ${e.status}`).join('; ');
  return { problems, summary: `ledger: ${rows}\nextensions: ${extensions || '(none)'}\nroles: ${w.ram.roleNames().join(', ') || '(none)'}` };
}

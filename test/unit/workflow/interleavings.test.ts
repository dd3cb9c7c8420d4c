/**
 * Every interleaving, tested: use cases run CONCURRENTLY against one in-memory world, and
 * fast-check's scheduler chooses the order in which their calls to RAM, the ledger and the queues
 * go through (interleavings-harness.ts puts a gate before each). property.test.ts runs whole use
 * cases one after the other; the bugs live between two awaited calls of two use cases.
 *
 * Interleaved: submit (with or without a start ahead; one profile needs two approvals), approve
 * and reject by either of two approvers (the quorum's last approvals racing), start-due (the clock
 * at a SCHEDULED request's start and its delayed `start` message), approve (its `provision` message), reject, cancel, retry, revoke (trust or
 * delete, by the approver or the partner), expiry (the clock past a grant's expiresAt and its
 * `expire` message), deliveries of provision and revoke messages, duplicated deliveries (a copy of
 * any message ever sent, processed alongside the original, as MNS does when a visibility timeout
 * runs out), a scan, extensions (asked by the partner or its manager; auto-approved on auto-read,
 * else approved by an approver command) and shortenings, and per task: a crash before any call, a
 * RAM 5xx / throttling / quota answer, and a rollback whose UpdateRole/Detach/Delete calls all fail.
 * Between any two steps the model checks (6): an ACTIVE grant's guard and expiry tag lie between
 * the ledger's reported and approved expiry, outside the in-flight window of a task writing them
 * (interleavings-model.ts, checkExpiries).
 *
 * Then quiescence (every task finished, every message delivered until the queues are empty), the
 * clock 15 minutes on (past every threshold the scan uses for stuck rows and its sweep's grace),
 * ONE scan (the reconciler lives in its sweep), and the invariants of `violations()`.
 *
 * Size: CROSSROLE_INTERLEAVINGS=<numRuns> (default below, for `npm test`). Replay a failure with
 * CROSSROLE_INTERLEAVINGS_SEED=<seed> CROSSROLE_INTERLEAVINGS_PATH=<path> (both printed on failure).
 */
import fc from 'fast-check';
import { QueueName } from '../../../shared/domain/ports';
import { buildGuardPolicy, trustedAccounts } from '../../../shared/policy';
import { approveRequest, runExpiryScan, submitRequest } from '../../../shared/workflow';
import { requestRevocation } from '../../../shared/workflow/use-cases/decide';
import { callers, catalogInput, makeWorld, PARTNER } from '../../fakes';
import { Transition } from '../../../shared/domain/state-machine';
import type { World } from '../../fakes';
import { Script, Task, consume, drain, takeOne, taskDeps, violations } from './interleavings-harness';
import type { Faults } from './interleavings-harness';
import { SETTLE_SECONDS, cmdsArb, extensionRaceCmdsArb, extensionRaceSetupArb, interleave, raceCmdsArb, raceSetupArb, scheduleCmdsArb, scheduleSetupArb, setupArb } from './interleavings-model';
import type { Cmd, SetupRequest } from './interleavings-model';

/** Defaults sized for `npm test` (about 15 ms a run on 2 shared cores); CROSSROLE_INTERLEAVINGS sets both. */
const envRuns = Number(process.env.CROSSROLE_INTERLEAVINGS ?? '');
const sized = (fallback: number): number => (Number.isInteger(envRuns) && envRuns > 0 ? envRuns : fallback);
const RACE_RUNS = sized(500);
const BROAD_RUNS = sized(250);
const SCHEDULE_RUNS = sized(200);
const SEED = process.env.CROSSROLE_INTERLEAVINGS_SEED;
const PATH = process.env.CROSSROLE_INTERLEAVINGS_PATH;

interface Tally { runs: number; steps: number; ms: number }
const tallies = new Map<string, Tally>();

function property(name: string) {
  const tally: Tally = { runs: 0, steps: 0, ms: 0 };
  tallies.set(name, tally);
  return async (setup: SetupRequest[], cmds: Cmd[], s: fc.Scheduler): Promise<void> => {
    const t0 = Date.now();
    const { problems, summary } = await interleave(setup, cmds, s);
    tally.runs++;
    tally.steps += s.report().length;
    tally.ms += Date.now() - t0;
    if (problems.length > 0) throw new Error(`${problems.join('\n')}\n${summary}`);
  };
}

async function check(name: string, setup: fc.Arbitrary<SetupRequest[]>, cmds: fc.Arbitrary<Cmd[]>, numRuns: number): Promise<void> {
  const details = await fc.check(fc.asyncProperty(setup, cmds, fc.scheduler(), property(name)), {
    numRuns,
    ...(SEED === undefined ? {} : { seed: Number(SEED) }),
    ...(PATH === undefined ? {} : { path: PATH }),
  });
  if (!details.failed) return;
  // fast-check's report carries the seed, the path, the shrunk commands and the schedule (every
  // gate in the order it was released); the last lines say what was violated and how to replay it.
  const filter = name === 'race' ? 'races around one approved' : name === 'extension' ? 'races around one ACTIVE' : name === 'schedule' ? 'scheduled start' : 'every command';
  const replay = `CROSSROLE_INTERLEAVINGS_SEED=${details.seed} CROSSROLE_INTERLEAVINGS_PATH="${details.counterexamplePath ?? ''}" npx jest test/unit/workflow/interleavings.test.ts --selectProjects unit -t '${filter}'`;
  const cause = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
  throw new Error(`${fc.defaultReportMessage(details) ?? 'property failed'}\n\nViolations of the shrunk counterexample:\n${cause}\n\nReplay: ${replay}`);
}

describe('interleavings of concurrent use cases (then quiescence and one reconciler pass)', () => {
  afterAll(() => {
    for (const [name, t] of tallies) {
      console.log(`interleavings (${name}): ${t.runs} runs, shrinking included, explored ${t.steps} scheduled steps (${(t.ms / Math.max(1, t.runs)).toFixed(1)} ms a run)`);
    }
  });

  it(`races around one approved grant: deliveries, copies, revocations, expiry, a scan (${RACE_RUNS} runs)`, async () => {
    await check('race', raceSetupArb, raceCmdsArb, RACE_RUNS);
  }, Math.max(60_000, RACE_RUNS * 500));

  it(`races around one ACTIVE grant's expiry: extensions, approvals, shortenings, their deliveries and copies, revocations, expiry, a scan (${RACE_RUNS} runs)`, async () => {
    await check('extension', extensionRaceSetupArb, extensionRaceCmdsArb, RACE_RUNS);
  }, Math.max(60_000, RACE_RUNS * 500));

  it(`every command against one or two requests (${BROAD_RUNS} runs)`, async () => {
    await check('broad', setupArb, cmdsArb, BROAD_RUNS);
  }, Math.max(60_000, BROAD_RUNS * 500));

  it(`scheduled start and quorum: approvals by two approvers, rejections, cancels, the start, deliveries, scans (${SCHEDULE_RUNS} runs)`, async () => {
    await check('schedule', scheduleSetupArb, scheduleCmdsArb, SCHEDULE_RUNS);
  }, Math.max(60_000, SCHEDULE_RUNS * 500));
});

// ------------------------------------------------------------------ the checker itself

describe('the invariants catch what they are about', () => {
  it('(1) and (2): a managed role trusting a partner, with a permission, that no request owns', async () => {
    const w = makeWorld();
    w.ram.seedRole({
      name: 'crossrole-orphan',
      trustPolicy: JSON.stringify({ Version: '1', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { RAM: [`acs:ram::${PARTNER}:root`] } }] }),
      tags: { 'crossrole:managed': 'true', 'crossrole:request-id': 'no-such-request' },
      attached: [{ type: 'System', name: 'ReadOnlyAccess' }],
    });
    const found = await violations(w);
    expect(found.filter((v) => v.startsWith('(1)'))).toHaveLength(1);
    expect(found.filter((v) => v.startsWith('(2)'))).toHaveLength(1);
  });

  it('(3): an audit trail that skips a state', async () => {
    const w = makeWorld();
    const r = await approvedRequest(w);
    const events = await w.ledger.history(r.id);
    jest.spyOn(w.ledger, 'history').mockResolvedValue(events.map((e) => (e.action === 'APPROVE' ? { ...e, fromStatus: 'LAPSED' as const } : e)));
    expect((await violations(w)).some((v) => v.startsWith('(3)'))).toBe(true);
  });

  it('(6) and (7): a role for a SCHEDULED request; an approval short of its quorum; a rejection that did not reject', async () => {
    const w = makeWorld({ catalog: { profiles: [...(catalogInput.profiles ?? []), { name: 'two-man', policies: [{ type: 'System', name: 'AliyunECSReadOnlyAccess' }], maxDuration: '8h', approvals: 2 }] } });
    const s = await submitRequest(w.deps, callers.bob, { profile: 'ecs-read', duration: '1h', reason: 'x', startAt: new Date(w.clock.now().getTime() + 3600_000).toISOString() });
    await approveRequest(w.deps, callers.alice, s.id);
    w.ram.seedRole({ name: s.roleName, trustPolicy: '{"Version":"1","Statement":[]}', tags: { 'crossrole:managed': 'true', 'crossrole:request-id': s.id }, attached: [] });
    const q = await submitRequest(w.deps, callers.bob, { profile: 'two-man', duration: '1h', reason: 'x' });
    await approveRequest(w.deps, callers.alice, q.id);
    await w.ledger.transition(q.id, 1, Transition.APPROVE, {}, { actor: callers.alice.arn });
    const found = await violations(w);
    expect(found.filter((v) => v.startsWith('(6)'))).toHaveLength(1);
    expect(found.filter((v) => v.startsWith('(7)'))).toEqual([expect.stringContaining('approved with 1 of 2 approvals')]);
  });

  it('(8): an ACTIVE grant whose guard allows beyond what the ledger approved', async () => {
    const w = makeWorld();
    const r = await approvedRequest(w);
    expect(await consume(w, w.deps, QueueName.PROVISION, r.provision)).toEqual([]);
    const row = await w.ledger.get(r.id);
    w.ram.tamperPolicy(row?.grant?.guardPolicyName ?? '', buildGuardPolicy(new Date(Date.parse(row?.expiresAt ?? '') + 3600_000)));
    expect(await violations(w)).toEqual([expect.stringMatching(/^\(8\) .*guard denies after/)]);
  });

  it('(4): an ACTIVE grant whose role lost a policy', async () => {
    const w = makeWorld();
    const r = await approvedRequest(w);
    expect(await consume(w, w.deps, QueueName.PROVISION, r.provision)).toEqual([]);
    expect(await violations(w)).toEqual([]);
    await w.ram.detachPolicyFromRole(r.roleName, { type: 'System', name: 'AliyunECSReadOnlyAccess' });
    expect(await violations(w)).toEqual([expect.stringMatching(/^\(4\) .*lacks AliyunECSReadOnlyAccess/)]);
  });
});

// ------------------------------------------------------------------ the bugs that were found

async function approvedRequest(w: World): Promise<{ id: string; roleName: string; provision: string }> {
  const submitted = await submitRequest(w.deps, callers.bob, { profile: 'ecs-read', duration: '2h', reason: 'regression' });
  await approveRequest(w.deps, callers.alice, submitted.id);
  const provision = takeOne(w, QueueName.PROVISION, 0);
  if (provision === undefined) throw new Error('no provision message');
  return { id: submitted.id, roleName: submitted.roleName, provision };
}

/** One delivery of `body` as a task of `script`, with `faults`. Resolves to the unexpected errors. */
function delivery(w: World, script: Script, name: string, queue: typeof QueueName.PROVISION | typeof QueueName.REVOKE, body: string, faults: Faults = {}): { task: Task; done: Promise<unknown[]> } {
  const task = new Task(name, script.gate, faults);
  return { task, done: task.start().then(() => consume(w, taskDeps(w, task), queue, body)) };
}

/** One reconciler pass past its thresholds, then the invariants. */
async function reconciled(w: World): Promise<string[]> {
  w.clock.advance(SETTLE_SECONDS);
  await runExpiryScan(w.deps);
  return violations(w);
}

/**
 * The interleaving that left a live role behind a REVOKED row, written out:
 * 1. a provisioning reads the APPROVED row;
 * 2. a revocation overtakes it: START_REVOKE, then the revoke message finds no role (nothing to
 *    undo) and FINISH_REVOKE: the row is REVOKED;
 * 3. the provisioning goes on: role, guard, permissions; ACTIVATE loses the race (VERSION_CONFLICT);
 *    afterLostRace undoes the grant with the revocation's mode, but the undo calls fail (5xx);
 *    the message comes back, and its redelivery finds the row REVOKED: stale, acknowledged.
 * Nothing looks at that role again but the scan's sweep, which before the reconciler only looked at
 * roles past their expiry tag (hours away).
 */
describe('regression: a revocation overtakes a provisioning whose rollback fails', () => {
  it.each([
    ['trust', false], ['trust', true], ['delete', false], ['delete', true],
  ] as const)('mode %s (by the partner: %s): the reconciler strips the role', async (mode, byPartner) => {
    const w = makeWorld();
    const r = await approvedRequest(w);
    const script = new Script();
    const provisioning = delivery(w, script, 'provision', QueueName.PROVISION, r.provision, { failUndo: true });

    // 1.
    await script.step('provision: start', 'provision: ledger.get');
    // 2.
    await requestRevocation(w.deps, byPartner ? callers.bob : callers.alice, r.id, { mode, reason: 'regression' });
    const revoke = takeOne(w, QueueName.REVOKE, 0);
    if (revoke === undefined) throw new Error('no revoke message');
    expect(await consume(w, w.deps, QueueName.REVOKE, revoke)).toEqual([]);
    expect((await w.ledger.get(r.id))?.status).toBe('REVOKED');
    // 3.
    await script.step('ram.createRole', 'ram.createPolicy', 'ram.attachPolicyToRole', 'ram.attachPolicyToRole', 'ledger.transition(ACTIVATE');
    await script.rest();
    expect(await provisioning.done).toEqual([]);
    expect(provisioning.task.injected).toBeGreaterThan(0);
    expect(await drain(w)).toEqual([]);

    // The state the bug left: REVOKED in the ledger, a live grant in RAM.
    const role = w.ram.role(r.roleName);
    expect((await w.ledger.get(r.id))?.status).toBe('REVOKED');
    expect(trustedAccounts(role?.trustPolicy ?? '{}')).toContain(PARTNER);
    expect(role?.attached).toContainEqual({ type: 'System', name: 'AliyunECSReadOnlyAccess' });

    expect(await reconciled(w)).toEqual([]);
  });
});

/**
 * Found by the property: two deliveries of one `provision` message (MNS redelivers when a
 * visibility timeout runs out). A fails for good before it owns the role (here CreateRole answers
 * LimitExceeded) and marks the request FAILED; B, which created the role a moment earlier, attaches
 * everything and loses ACTIVATE. afterLostRace undoes only for REVOKING/REVOKED; for FAILED it does
 * nothing, so the role B built stays, trusting the partner with its permissions, behind a FAILED row.
 */
it('regression: a sibling delivery fails the request while another builds the grant; the builder undoes its work at once', async () => {
  const w = makeWorld();
  const r = await approvedRequest(w);
  const script = new Script();
  const a = delivery(w, script, 'A', QueueName.PROVISION, r.provision, { fail: { at: 0, kind: 'quota' } });
  const b = delivery(w, script, 'B', QueueName.PROVISION, r.provision);

  await script.step('A: start', 'A: ledger.get', 'B: start', 'B: ledger.get');
  await script.step('B: ram.createRole', 'A: ram.createRole', 'A: ledger.transition(PROVISION_FAILED');
  expect((await w.ledger.get(r.id))?.status).toBe('FAILED');
  await script.step('B: ram.createPolicy', 'B: ram.attachPolicyToRole', 'B: ram.attachPolicyToRole', 'B: ledger.transition(ACTIVATE', 'B: ledger.get');
  await script.rest();
  expect(await a.done).toEqual([]);
  expect(await b.done).toEqual([]);
  expect(await drain(w)).toEqual([]);

  // The bug left FAILED in the ledger and a live grant in RAM. Now B, finding FAILED after its
  // work, undoes it itself (afterLostRace): no role is left for the reconciler to strip.
  const role = w.ram.role(r.roleName);
  expect((await w.ledger.get(r.id))?.status).toBe('FAILED');
  expect(trustedAccounts(role?.trustPolicy ?? '{}')).not.toContain(PARTNER);
  expect(role?.attached ?? []).not.toContainEqual({ type: 'System', name: 'AliyunECSReadOnlyAccess' });

  expect(await reconciled(w)).toEqual([]);
});

/**
 * Found by the property: two deliveries of one `provision` message. A builds the grant and
 * ACTIVATEs it; B adopted the same role (ALREADY_EXISTS, our tag) and then met a permanent error
 * (here AttachPolicyToRole answers LimitExceeded): its rollback used to delete the role A activated
 * before its PROVISION_FAILED lost to ACTIVE. The row was ACTIVE with the role gone. Provisioning
 * now claims the failure in the ledger first and rolls back only if that claim won.
 */
it('regression: a sibling delivery that fails after another activated the grant leaves it alone', async () => {
  const w = makeWorld();
  const r = await approvedRequest(w);
  const script = new Script();
  const a = delivery(w, script, 'A', QueueName.PROVISION, r.provision);
  const b = delivery(w, script, 'B', QueueName.PROVISION, r.provision, { fail: { at: 3, kind: 'quota' } });

  await script.step('A: start', 'A: ledger.get', 'B: start', 'B: ledger.get');
  await script.step('A: ram.createRole', 'A: ram.createPolicy', 'A: ram.attachPolicyToRole', 'A: ram.attachPolicyToRole');
  // B: CreateRole (ALREADY_EXISTS), GetRole (ours: adopted), CreatePolicy (same guard: idempotent), AttachPolicyToRole (LimitExceeded).
  await script.step('B: ram.createRole', 'B: ram.getRole', 'B: ram.createPolicy', 'B: ram.attachPolicyToRole');
  await script.step('A: ledger.transition(ACTIVATE', 'A: queue.send(expire)');
  expect((await w.ledger.get(r.id))?.status).toBe('ACTIVE');
  await script.rest();
  expect(await a.done).toEqual([]);
  expect(await b.done).toEqual([]);
  expect(await drain(w)).toEqual([]);

  // The bug left ACTIVE in the ledger and no role in RAM. Now B claims PROVISION_FAILED before any
  // rollback, loses to ACTIVE, and touches nothing: the grant A activated stands.
  expect((await w.ledger.get(r.id))?.status).toBe('ACTIVE');
  expect(w.ram.role(r.roleName)?.attached).toContainEqual({ type: 'System', name: 'AliyunECSReadOnlyAccess' });

  expect(await reconciled(w)).toEqual([]);
});

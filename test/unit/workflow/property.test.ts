/**
 * Random sequences of everything that can happen (decisions, revocations, deliveries in any order,
 * duplicates, crashes between RAM calls, dead letters, scans, time passing) never drive the ledger
 * into an illegal state, and never leave a role where the ledger says there must be none (nor, once
 * the retention released a revoked grant, its role or guard policy).
 */
import fc from 'fast-check';
import type { AccessRequest } from '../../../shared/domain/access-request';
import { guardPolicyName } from '../../../shared/domain/access-request';
import { CrossroleError } from '../../../shared/domain/errors';
import { QueueName } from '../../../shared/domain/ports';
import { ALL_STATUSES, nextStatus } from '../../../shared/domain/state-machine';
import type { Transition } from '../../../shared/domain/state-machine';
import { trustedAccounts } from '../../../shared/policy';
import { approveRequest, cancelRequest, provisionGrant, rejectRequest, retryFailed, revokeGrant, runExpiryScan, submitRequest } from '../../../shared/workflow';
import { requestRevocation } from '../../../shared/workflow/use-cases/decide';
import { callers, deliver, makeWorld, OWNER, SimulatedCrash } from '../../fakes';
import type { World } from '../../fakes';

type Op =
  | { op: 'submit'; who: 0 | 1; profile: 0 | 1 | 2; duration: 0 | 1 }
  | { op: 'approve' | 'reject' | 'cancel' | 'retry'; i: number }
  | { op: 'revoke'; i: number; mode: 'trust' | 'delete'; byPartner: boolean }
  | { op: 'deliver' | 'redeliver' | 'deadletter'; k: number }
  | { op: 'crash'; n: number }
  | { op: 'scan' }
  | { op: 'advance'; seconds: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ op: fc.constant('submit' as const), who: fc.constantFrom(0 as const, 1 as const), profile: fc.constantFrom(0 as const, 1 as const, 2 as const), duration: fc.constantFrom(0 as const, 1 as const) }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('approve' as const), i: fc.nat(9) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constantFrom('reject' as const, 'cancel' as const, 'retry' as const), i: fc.nat(9) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('revoke' as const), i: fc.nat(9), mode: fc.constantFrom('trust' as const, 'delete' as const), byPartner: fc.boolean() }) },
  { weight: 6, arbitrary: fc.record({ op: fc.constant('deliver' as const), k: fc.nat(9) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('redeliver' as const), k: fc.nat(19) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('deadletter' as const), k: fc.nat(9) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('crash' as const), n: fc.nat(6) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('scan' as const) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('advance' as const), seconds: fc.constantFrom(30, 301, 1800, 7200, 30000) }) },
);

const PROFILES = ['ecs-read', 'ops', 'auto-read'] as const;
const DURATIONS = ['30m', '2h'] as const;
const PARTNERS = [callers.bob, callers.carol] as const;

/** Expected failures of a step: typed refusals and simulated crashes. Anything else is a bug. */
async function tolerate(p: Promise<unknown>): Promise<void> {
  try {
    await p;
  } catch (e) {
    if (e instanceof CrossroleError || e instanceof SimulatedCrash) return;
    throw e;
  }
}

async function deliverBody(w: World, queue: QueueName, body: string): Promise<void> {
  try {
    await deliver(w, queue === QueueName.PROVISION ? provisionGrant : revokeGrant, body);
  } catch (e) {
    if (!(e instanceof CrossroleError || e instanceof SimulatedCrash)) throw e;
    w.queue.pushRaw(queue, body); // the trigger retries
  }
}

function visible(w: World): Array<{ queue: QueueName; body: string; messageId: string }> {
  const now = w.clock.now().getTime();
  return w.queue.pending().filter((m) => (m.queue === QueueName.PROVISION || m.queue === QueueName.REVOKE) && m.visibleAt <= now);
}

async function checkInvariants(w: World, requests: string[], final: boolean): Promise<void> {
  const rows = new Map(w.ledger.all().map((r) => [r.id, r]));
  for (const id of requests) {
    const r = rows.get(id) as AccessRequest;
    expect(ALL_STATUSES).toContain(r.status);
    // The audit trail is a legal walk of the state machine ending where the row is.
    const events = await w.ledger.history(id);
    let status = events[0]?.toStatus;
    let transitions = 0;
    for (const e of events.slice(1)) {
      if (e.action === 'NOTE') continue;
      expect(e.fromStatus).toBe(status);
      expect(nextStatus(e.fromStatus ?? 'PENDING', e.action as Transition)).toBe(e.toStatus);
      status = e.toStatus;
      transitions++;
    }
    expect(status).toBe(r.status);
    expect(r.version).toBe(1 + transitions);

    const role = w.ram.role(r.roleName);
    const ours = role !== undefined && role.tags['crossrole:request-id'] === id;
    if (['PENDING', 'REJECTED', 'LAPSED', 'CANCELLED'].includes(r.status)) expect(ours).toBe(false);
    if (r.status === 'REVOKED' && r.revokeMode === 'delete') expect(ours).toBe(false);
    if (r.status === 'REVOKED' && ours) expect(trustedAccounts(role.trustPolicy)).toEqual([OWNER]);
    // Released (the retention phase): only REVOKED rows, and nothing of the grant is left in RAM.
    if (r.resourcesReleasedAt !== undefined) {
      expect(r.status).toBe('REVOKED');
      expect(ours).toBe(false);
      expect(w.ram.policy(guardPolicyName(id))).toBeUndefined();
    }
    if (r.status === 'ACTIVE') {
      expect(ours).toBe(true);
      expect(role?.attached).toContainEqual({ type: 'Custom', name: r.grant?.guardPolicyName });
    }
  }
  // No stray roles: every role in RAM belongs to a request.
  for (const name of w.ram.roleNames()) {
    expect(requests).toContain(w.ram.role(name)?.tags['crossrole:request-id']);
  }
  if (final) {
    for (const name of w.ram.roleNames()) expect(trustedAccounts(w.ram.role(name)?.trustPolicy ?? '')).toEqual([OWNER]);
    for (const r of rows.values()) expect(['ACTIVE', 'APPROVED', 'REVOKING', 'PENDING']).not.toContain(r.status);
    // The drain ran for weeks past every revocation: the retention released every trust-mode
    // revocation, so no revoked grant holds a role or a guard policy any more.
    for (const r of rows.values()) {
      if (r.status !== 'REVOKED') continue;
      if (r.revokeMode === 'trust') expect(r.resourcesReleasedAt).toBeDefined();
      expect(w.ram.role(r.roleName)?.tags['crossrole:request-id']).not.toBe(r.id);
      expect(w.ram.policy(guardPolicyName(r.id))).toBeUndefined();
    }
  }
}

async function run(ops: Op[]): Promise<void> {
  const w = makeWorld();
  const requests: string[] = [];
  const delivered: Array<{ queue: QueueName; body: string }> = [];
  const pick = (i: number): string | undefined => (requests.length === 0 ? undefined : requests[i % requests.length]);

  for (const o of ops) {
    switch (o.op) {
      case 'submit': {
        const who = PARTNERS[o.who];
        try {
          const r = await submitRequest(w.deps, who, { profile: PROFILES[o.profile], duration: DURATIONS[o.duration], reason: 'property' });
          requests.push(r.id);
        } catch (e) {
          if (!(e instanceof CrossroleError)) throw e;
        }
        break;
      }
      case 'approve': { const id = pick(o.i); if (id) await tolerate(approveRequest(w.deps, callers.alice, id)); break; }
      case 'reject': { const id = pick(o.i); if (id) await tolerate(rejectRequest(w.deps, callers.alice, id, { reason: 'no' })); break; }
      case 'retry': { const id = pick(o.i); if (id) await tolerate(retryFailed(w.deps, callers.alice, id)); break; }
      case 'cancel': {
        const id = pick(o.i);
        const r = id ? await w.ledger.get(id) : undefined;
        if (r) await tolerate(cancelRequest(w.deps, r.partnerAccountId === callers.bob.accountId ? callers.bob : callers.carol, r.id));
        break;
      }
      case 'revoke': {
        const id = pick(o.i);
        const r = id ? await w.ledger.get(id) : undefined;
        if (r) {
          const who = o.byPartner ? (r.partnerAccountId === callers.bob.accountId ? callers.bob : callers.carol) : callers.alice;
          await tolerate(requestRevocation(w.deps, who, r.id, { mode: o.mode, reason: 'property' }));
        }
        break;
      }
      case 'deliver': {
        const ready = visible(w);
        const m = ready[o.k % Math.max(1, ready.length)];
        if (m) {
          w.queue.take(m.queue); // take all visible of that queue, put back the others
          for (const other of ready.filter((x) => x.queue === m.queue && x.messageId !== m.messageId)) w.queue.pushRaw(other.queue, other.body);
          delivered.push({ queue: m.queue, body: m.body });
          await deliverBody(w, m.queue, m.body);
        }
        break;
      }
      case 'redeliver': {
        const m = delivered[o.k % Math.max(1, delivered.length)];
        if (m) await deliverBody(w, m.queue, m.body);
        break;
      }
      case 'deadletter': {
        const ready = visible(w);
        const m = ready[o.k % Math.max(1, ready.length)];
        if (m) {
          w.queue.take(m.queue);
          for (const other of ready.filter((x) => x.queue === m.queue && x.messageId !== m.messageId)) w.queue.pushRaw(other.queue, other.body);
          w.queue.pushRaw(QueueName.DEADLETTER, m.body);
        }
        break;
      }
      case 'crash': w.ram.crashAfter(o.n); break;
      case 'scan': await runExpiryScan(w.deps); break;
      case 'advance': w.clock.advance(o.seconds); break;
    }
    await checkInvariants(w, requests, false);
  }

  // Drain: no more crashes, time runs out for every grant; scans and deliveries finish the work.
  w.ram.disarm();
  for (const id of requests) {
    const r = await w.ledger.get(id);
    // Failed provisionings wait for a person; here the approver revokes them instead.
    if (r?.status === 'FAILED' && r.revokeMode === undefined) await tolerate(requestRevocation(w.deps, callers.alice, id, { reason: 'cleanup' }));
  }
  for (let round = 0; round < 12; round++) {
    w.clock.advance(4 * 86400);
    await runExpiryScan(w.deps);
    for (let i = 0; i < 50 && visible(w).length > 0; i++) {
      for (const q of [QueueName.PROVISION, QueueName.REVOKE]) for (const m of w.queue.take(q)) await deliverBody(w, q, m.body);
    }
  }
  await checkInvariants(w, requests, true);
}

describe('workflow properties', () => {
  it('no sequence of events reaches an illegal state or leaves a forbidden role', async () => {
    await fc.assert(fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 60 }), run), { numRuns: 150 });
  }, 60_000);
});

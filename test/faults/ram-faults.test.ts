/**
 * Worst day #1: RAM and STS misbehave while N grants are provisioned and revoked.
 *
 * Faults (local/core/faults.ts, applied to every RAM and STS call, including the STS replay of
 * each HTTP caller's identity proof): a rate of 500 InternalError, a rate of Throttling.User, a
 * delay on every answer, and crash points — one RAM action failing every time (`failActions`)
 * between two calls of provisioning or revocation, long enough for the message to exhaust its
 * retries and be dead-lettered. The expiry timer is fired to drive the scan (dead letters ->
 * FAILED, stuck work re-sent) and the approver retries FAILED requests through the API, until
 * every request converges: ACTIVE, then REVOKED. Then RAM holds no orphan, no ACTIVE grant is
 * past its expiry, and each request's audit trail is one unbroken chain of transitions.
 *
 * Size: CROSSROLE_FAULT_GRANTS (default 200, the size: about 3 minutes alone on 2 cores).
 * Crash batches: CROSSROLE_FAULT_CRASH_BATCH (default 4).
 * Each fault is asserted to have really happened (the crash batches end FAILED first).
 */
import type { Client } from 'pg';
import { guardPolicyName } from '../../shared/domain/access-request';
import { QueueName } from '../../shared/domain/ports';
import { OWNER_ACCOUNT_ID, PARTNER_ACCOUNT_ID } from '../../local/world';
import { startTestStack, type ApiClient, type ApiRequest, type TestStack } from '../helpers/stack';
import {
  actionCounts, auditByRequest, auditChainProblems, callThroughFaults, connectLedger, envInt, guardPolicies, ledgerRows, managedRoles, pool, sleep, trustedPrincipals,
} from './helpers';

const N = envInt('CROSSROLE_FAULT_GRANTS', 200);
/** Convergence deadline per phase: generous for a loaded CI machine, scaled with the size. */
const PHASE_MS = Math.max(120_000, N * 1_500);
const K = Math.min(envInt('CROSSROLE_FAULT_CRASH_BATCH', 4), Math.floor(N / 4));
const RANDOM_FAULTS = { errorRate: 0.1, throttleRate: 0.1, delayMs: 3 };

jest.setTimeout(3 * PHASE_MS + 120_000);

let t: TestStack;
let pg: Client;
let partner: ApiClient;
let approver: ApiClient;
const phases: string[] = [];
const modeOf = new Map<string, 'trust' | 'delete'>();

beforeAll(async () => {
  t = await startTestStack({ retryDelayMs: 20, queueConcurrency: 8 });
  pg = await connectLedger(t.stack.ledgerUrl);
  partner = t.api('partner-admin');
  approver = t.api('approver');
}, 120_000);

afterAll(async () => {
  t?.stack.server.faults.clear();
  await pg?.end();
  await t?.close();
});

async function statuses(ids: readonly string[]): Promise<Map<string, string>> {
  const { rows } = await pg.query<{ id: string; status: string }>('SELECT id, status FROM requests WHERE id = ANY($1)', [ids]);
  return new Map(rows.map((r) => [r.id, r.status]));
}

async function fireExpiry(): Promise<void> {
  const o = await t.stack.fc.fireTimer('crossrole-expiry');
  if (!o.ok) throw new Error(`expiry scan failed: ${o.error.errorMessage}`);
}

/**
 * Fire the scan (and, if `retry`, retry FAILED requests as the approver) until every id is in
 * `target`; fails with the statuses seen after `timeoutMs`.
 */
async function drive(ids: readonly string[], target: string, opts: { retry: boolean; timeoutMs: number }): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs;
  let lastScan = 0;
  for (;;) {
    const seen = await statuses(ids);
    const behind = ids.filter((id) => seen.get(id) !== target);
    if (behind.length === 0) return;
    if (Date.now() > deadline) {
      const summary: Record<string, number> = {};
      for (const id of behind) summary[seen.get(id) ?? 'missing'] = (summary[seen.get(id) ?? 'missing'] ?? 0) + 1;
      throw new Error(`${behind.length}/${ids.length} requests did not reach ${target} within ${opts.timeoutMs} ms: ${JSON.stringify(summary)}`);
    }
    if (opts.retry) {
      const failed = behind.filter((id) => seen.get(id) === 'FAILED');
      await pool(failed, 4, async (id) => {
        const r = await callThroughFaults(approver, 'approval', 'POST', `/requests/${id}/retry`);
        // 409: the scan (or a previous call) moved it meanwhile.
        if (r.status !== 200 && r.status !== 409) throw new Error(`retry ${id}: HTTP ${r.status} ${r.text}`);
      });
    }
    // The scan (which also sweeps every managed role in RAM, slow under faults) runs when a dead
    // letter waits for it, and otherwise every few seconds as the stuck-work safety net.
    if (t.stack.mns.queueStats(OWNER_ACCOUNT_ID, QueueName.DEADLETTER).visible > 0 || Date.now() - lastScan > 3000) {
      await fireExpiry();
      lastScan = Date.now();
    }
    await sleep(150);
  }
}

async function submit(count: number, manualShare = 0): Promise<string[]> {
  return pool(Array.from({ length: count }, (_, i) => i), 8, async (i) => {
    const manual = i < manualShare;
    const r = await callThroughFaults<{ request: ApiRequest }>(partner, 'intake', 'POST', '/requests', {
      body: { profile: manual ? 'ecs-readonly' : 'ecs-readonly-auto', duration: '1h', reason: `fault run #${i}` },
    });
    if (r.status !== 202) throw new Error(`submit: HTTP ${r.status} ${r.text}`);
    const id = r.body.request.id;
    if (manual) {
      const a = await callThroughFaults(approver, 'approval', 'POST', `/requests/${id}/approve`, { body: { reason: 'ok' } });
      if (a.status !== 200) throw new Error(`approve ${id}: HTTP ${a.status} ${a.text}`);
    }
    return id;
  });
}

async function revoke(ids: readonly string[], mode: 'trust' | 'delete'): Promise<void> {
  await pool(ids, 8, async (id) => {
    modeOf.set(id, mode);
    const r = await callThroughFaults(approver, 'approval', 'POST', `/requests/${id}/revoke`, { body: { mode, reason: 'fault run over' } });
    if (r.status !== 200) throw new Error(`revoke ${id}: HTTP ${r.status} ${r.text}`);
  });
}

async function lastErrors(ids: readonly string[]): Promise<string[]> {
  const { rows } = await pg.query<{ last_error: string | null }>('SELECT last_error FROM requests WHERE id = ANY($1)', [ids]);
  return rows.map((r) => r.last_error ?? '');
}

/** A crash point: `action` fails every time while `ids` go through their step, until all are FAILED. */
async function crashBatch(action: string, start: () => Promise<string[]>): Promise<string[]> {
  t.stack.server.faults.set({ ...RANDOM_FAULTS, failActions: [action] });
  const ids = await start();
  const t0 = Date.now();
  await drive(ids, 'FAILED', { retry: false, timeoutMs: 60_000 });
  phases.push(`${action} crash ${Date.now() - t0} ms`);
  t.stack.server.faults.set(RANDOM_FAULTS);
  // Dead-lettered after the trigger's retries, then marked FAILED by the scan.
  for (const e of await lastErrors(ids)) expect(e).toMatch(/dead-lettered/);
  return ids;
}

test(`${N} grants provisioned and revoked under RAM faults and crash points all converge, with no orphan and an exact audit trail`, async () => {
  const started = Date.now();
  // Provisioning crash points: after CreateRole (CreatePolicy of the guard fails), and after the
  // guard policy exists (AttachPolicyToRole fails).
  const crashedAfterRole = await crashBatch('CreatePolicy', () => submit(K));
  const crashedBeforeAttach = await crashBatch('AttachPolicyToRole', () => submit(K));
  // The roles those crashes left behind exist, unfinished: the state a retry must adopt, not duplicate.
  const leftRoles = new Set(managedRoles(t.stack.server).map((r) => r.requestId));
  for (const id of crashedAfterRole) expect(leftRoles.has(id)).toBe(true);

  t.stack.server.faults.set(RANDOM_FAULTS);
  const rest = await submit(N - 2 * K, Math.floor((N - 2 * K) / 4));
  const all = [...crashedAfterRole, ...crashedBeforeAttach, ...rest];
  const d0 = Date.now();
  await drive(all, 'ACTIVE', { retry: true, timeoutMs: PHASE_MS });
  phases.push(`to ACTIVE ${Date.now() - d0} ms`);
  const provisioned = Date.now();

  // Every ACTIVE grant: its role, trusting exactly the partner, with its guard and profile policy.
  const rows = new Map((await ledgerRows(pg)).map((r) => [r.id, r]));
  const roles = new Map(managedRoles(t.stack.server).map((r) => [r.requestId, r]));
  for (const id of all) {
    const role = roles.get(id);
    expect(role?.roleName).toBe(rows.get(id)?.roleName);
    expect(trustedPrincipals(role?.trust ?? '{}')).toEqual([`acs:ram::${PARTNER_ACCOUNT_ID}:root`]);
    expect(role?.policies.map((p) => p.policyName).sort()).toEqual(['AliyunECSReadOnlyAccess', guardPolicyName(id)].sort());
  }

  // Revocation crash points: delete mode with DeleteRole failing (policies already detached),
  // trust mode with DetachPolicyFromRole failing (trust already edited).
  const revokeDeleteCrash = await crashBatch('DeleteRole', async () => {
    const ids = all.slice(0, K);
    await revoke(ids, 'delete');
    return ids;
  });
  const revokeTrustCrash = await crashBatch('DetachPolicyFromRole', async () => {
    const ids = all.slice(K, 2 * K);
    await revoke(ids, 'trust');
    return ids;
  });
  expect(revokeDeleteCrash.length + revokeTrustCrash.length).toBe(2 * K);
  const remaining = all.slice(2 * K);
  const half = Math.floor(remaining.length / 2);
  await revoke(remaining.slice(0, half), 'delete');
  await revoke(remaining.slice(half), 'trust');
  await drive(all, 'REVOKED', { retry: true, timeoutMs: PHASE_MS });
  t.stack.server.faults.clear();
  // Let stray deliveries (duplicates re-sent by the scan) finish before reading the end state.
  await t.stack.fc.whenIdle();
  await fireExpiry();
  await t.stack.fc.whenIdle();
  const revoked = Date.now();

  // The ledger: all REVOKED, nothing ACTIVE past its expiry.
  const finalRows = await ledgerRows(pg);
  expect(finalRows.filter((r) => all.includes(r.id)).every((r) => r.status === 'REVOKED')).toBe(true);
  const { rows: overdue } = await pg.query("SELECT id FROM requests WHERE status = 'ACTIVE' AND expires_at <= now()");
  expect(overdue).toEqual([]);

  // RAM: no orphan. Delete mode leaves nothing; trust mode leaves the role trusting nobody
  // outside the owner account, with the expiry guard as its only policy.
  const finalRoles = managedRoles(t.stack.server);
  const known = new Set(finalRows.map((r) => r.id));
  expect(finalRoles.filter((r) => r.requestId === undefined || !known.has(r.requestId))).toEqual([]);
  const guards = new Set(guardPolicies(t.stack.server));
  for (const id of all) {
    const role = finalRoles.find((r) => r.requestId === id);
    if (modeOf.get(id) === 'delete') {
      expect({ id, role: role?.roleName, guard: guards.has(guardPolicyName(id)) }).toEqual({ id, role: undefined, guard: false });
    } else {
      expect(role).toBeDefined();
      expect(trustedPrincipals(role?.trust ?? '{}').filter((p) => !p.startsWith(`acs:ram::${OWNER_ACCOUNT_ID}:`))).toEqual([]);
      expect(role?.policies.map((p) => p.policyName)).toEqual([guardPolicyName(id)]);
    }
  }
  // Every guard policy belongs to a live role (no guard left by a deleted or never-finished grant).
  for (const g of guards) expect(finalRoles.some((r) => r.requestId !== undefined && guardPolicyName(r.requestId) === g)).toBe(true);

  // Audit: one event per transition. The chain from CREATE to REVOKED has no repeated or missing
  // link, and the counts match the path each request really took (crash batches failed once).
  const audit = await auditByRequest(pg);
  for (const id of all) {
    const events = audit.get(id) ?? [];
    expect({ id, problems: auditChainProblems(events, 'REVOKED') }).toEqual({ id, problems: [] });
    const c = actionCounts(events);
    expect({ id, CREATE: c.CREATE, ACTIVATE: c.ACTIVATE, FINISH_REVOKE: c.FINISH_REVOKE }).toEqual({ id, CREATE: 1, ACTIVATE: 1, FINISH_REVOKE: 1 });
    expect({ id, APPROVE: c.APPROVE ?? 0 }).toEqual({ id, APPROVE: events[0]?.toStatus === 'PENDING' ? 1 : 0 });
    expect({ id, retries: c.RETRY ?? 0 }).toEqual({ id, retries: c.PROVISION_FAILED ?? 0 });
    expect({ id, starts: c.START_REVOKE }).toEqual({ id, starts: 1 + (c.REVOKE_FAILED ?? 0) });
  }
  for (const id of [...crashedAfterRole, ...crashedBeforeAttach]) expect(actionCounts(audit.get(id) ?? []).PROVISION_FAILED ?? 0).toBeGreaterThanOrEqual(1);
  for (const id of [...revokeDeleteCrash, ...revokeTrustCrash]) expect(actionCounts(audit.get(id) ?? []).REVOKE_FAILED ?? 0).toBeGreaterThanOrEqual(1);

  // Nothing left queued for these requests but the delayed expire messages of the grants.
  expect(t.stack.mns.queueStats(OWNER_ACCOUNT_ID, QueueName.DEADLETTER).visible).toBe(0);
  console.log(`ram-faults: ${N} grants (${K} per crash batch): provisioned in ${provisioned - started} ms, revoked in ${revoked - provisioned} ms; ${phases.join(', ')}`);
});

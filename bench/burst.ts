/**
 * Section 3: a burst of approvals against RAM with the documented rate limits enforced
 * (`strictLimits`): every grant must reach ACTIVE exactly once, no throttling may reach a request,
 * and the total time is compared with the bound the RAM limits impose.
 */
import { approve, callsSince, countByStatus, managedRoleCount, peakPerSecond, pool, round, snapshotCalls, submitMany, waitFor, type BenchStack } from './lib';
import { row, secs, type SectionResult } from './report';

/** Documented per-account RAM limits (api-ram-2015-05-01-quota) of the calls one grant makes. */
const LIMITS = { CreateRole: 20, CreatePolicy: 20, AttachPolicyToRole: 10 } as const;

export interface BurstOptions {
  grants: number;
  /** Approvals in flight at once (the "burst"). */
  approveConcurrency: number;
  label: string;
  key: string;
}

export async function benchBurst(b: BenchStack, o: BurstOptions): Promise<SectionResult> {
  const { stack, probe } = b;
  const ids = await submitMany(b, o.grants, '8h', 8);
  const before = snapshotCalls(probe);
  const throttleBefore = probe.throttleRetries;
  const otherBefore = probe.otherRetries;
  const warnBefore = probe.warningCount;
  const gaveUpBefore = probe.attemptsFailed;
  const invocationsBefore = (probe.invocations.get('crossrole-provisioning') ?? []).length;
  const t0 = Date.now();
  await pool(ids, o.approveConcurrency, async (id) => {
    const r = await approve(stack, id);
    if (r.status !== 200) throw new Error(`approve answered ${r.status}: ${JSON.stringify(r.body).slice(0, 300)}`);
  });
  const approvedMs = Date.now() - t0;

  // The attach limit dominates: per grant 1 CreateRole (20/s), 1 CreatePolicy (20/s), 2 Attach (10/s).
  const profilePolicies = 1;
  const attachesPerGrant = 1 + profilePolicies;
  const boundSeconds = Math.max(o.grants / LIMITS.CreateRole, o.grants / LIMITS.CreatePolicy, (o.grants * attachesPerGrant) / LIMITS.AttachPolicyToRole);
  // Settled: every grant ACTIVE or FAILED, or nothing left to deliver (a dead-lettered message
  // leaves its request APPROVED until the expiry scan, which this stack does not run, drains it).
  let last: Record<string, number> = {};
  let idlePolls = 0;
  const owner = stack.contract.ownerAccountId;
  const queueIdle = (): boolean => {
    const q = stack.mns.queueStats(owner, 'crossrole-provision');
    return q.visible + q.inFlight + q.delayed === 0;
  };
  let settled = 'all ACTIVE or FAILED';
  try {
    await waitFor(`${o.grants} grants to settle`, boundSeconds * 3000 + 120_000, 250, async () => {
      last = await countByStatus(b, ids);
      if ((last.ACTIVE ?? 0) + (last.FAILED ?? 0) >= o.grants) return true;
      idlePolls = queueIdle() ? idlePolls + 1 : 0;
      return idlePolls >= 8 ? true : undefined;
    });
    if ((last.ACTIVE ?? 0) + (last.FAILED ?? 0) < o.grants) settled = 'provision queue drained with grants left APPROVED';
  } catch {
    settled = 'timed out';
  }
  const totalSeconds = (Date.now() - t0) / 1000;
  const deadLetters = stack.mns.queueStats(owner, 'crossrole-deadletter');
  const stuck = o.grants - (last.ACTIVE ?? 0) - (last.FAILED ?? 0);
  const dead = deadLetters.visible + deadLetters.inFlight + deadLetters.delayed;

  const calls = callsSince(probe, before);
  const roles = managedRoleCount(stack);
  let wrongPolicyCount = 0;
  const names = (await b.db.query<{ role_name: string }>('SELECT role_name FROM requests WHERE id = ANY($1::text[])', [ids])).rows.map((r) => r.role_name);
  for (const roleName of names) {
    const role = stack.server.ram.findRole(stack.contract.ownerAccountId, roleName);
    if (!role || stack.server.ram.listPoliciesForRole(stack.contract.ownerAccountId, roleName).length !== attachesPerGrant) wrongPolicyCount++;
  }
  const throttledRequests = Number((await b.db.query<{ n: string }>("SELECT count(*) AS n FROM requests WHERE id = ANY($1::text[]) AND last_error ILIKE '%throttl%'", [ids])).rows[0]?.n ?? 0);
  const throttledAudit = Number((await b.db.query<{ n: string }>("SELECT count(*) AS n FROM audit_events WHERE request_id = ANY($1::text[]) AND (reason ILIKE '%throttl%' OR details::text ILIKE '%throttl%')", [ids])).rows[0]?.n ?? 0);
  const failed = last.FAILED ?? 0;
  const active = last.ACTIVE ?? 0;
  const throttleRetries = probe.throttleRetries - throttleBefore;
  const attachSent = calls.AttachPolicyToRole ?? 0;
  const peakAttach = peakPerSecond(probe, 'AttachPolicyToRole', t0);
  const instances = probe.coldStarts.get('crossrole-provisioning') ?? 0;
  const ratio = totalSeconds / boundSeconds;
  const gaveUp = probe.attemptsFailed - gaveUpBefore;
  const resumeCalls = (calls.GetRole ?? 0) + (calls.ListTagResources ?? 0) + (calls.GetPolicy ?? 0);
  const invocations = (probe.invocations.get('crossrole-provisioning') ?? []).length - invocationsBefore;
  const meanBatch = invocations > 0 ? (o.grants / invocations).toFixed(1) : 'n/a';
  const note = `Burst (${o.label}): the provision queue's trigger is an event stream (s.yaml: mode event-streaming, batchWindow 10 events / 1 s) and FC pushes a stream's batches synchronously, one at a time ("Function Compute waits for the function to return before delivering the next event or batch"), so ${o.grants} approvals were ${invocations} provisioning invocations (${meanBatch} grants per batch on average) on ${instances} instance(s): nodejs20 is a standard runtime without instanceConcurrency, and a stream never has two batches in flight, so one warm instance serves them all and its limiter (Attach paced at 9/s = 90 % of 10/s) is the whole account's. Peak ${peakAttach} Attach/s, ${throttleRetries} Throttling answers retried, ${gaveUp} invocations failed and were retried by the trigger; ${attachSent} Attach requests for ${o.grants * attachesPerGrant} needed. ${stuck === 0 ? `${active}/${o.grants} ACTIVE, none FAILED or duplicated.` : `${active}/${o.grants} ACTIVE; ${stuck} left APPROVED (${dead} dead letters) until the expiry scan, which this stack does not run. ${roles} managed roles.`} Time is ${ratio.toFixed(2)} x the 10/s bound: 1/0.9 = 1.11 from the pacing margin, the rest is the cold instance, the batch windows and the approvals' ramp-up (${(approvedMs / 1000).toFixed(1)} s for the approve calls).`;
  const section = `3 burst ${o.label}`;
  const ok = active === o.grants && roles === o.grants && failed === 0 && wrongPolicyCount === 0;
  return {
    key: o.key,
    title: `Burst of ${o.grants} approvals under strict RAM limits (${o.label})`,
    figures: {
      grants: o.grants, approveConcurrency: o.approveConcurrency, provisioningInstances: instances, provisioningInvocations: invocations,
      settled, active, failed, stuckApproved: stuck, deadLetters: dead, managedRoles: roles, rolesWithWrongPolicyCount: wrongPolicyCount,
      throttledLastError: throttledRequests, throttledAuditEvents: throttledAudit,
      adapterThrottlingRetries: throttleRetries, adapterOtherRetries: probe.otherRetries - otherBefore, warnings: probe.warningCount - warnBefore, invocationsGaveUp: gaveUp, resumeCalls,
      ramRequestsByAction: calls, attachRequestsSent: attachSent, attachRequestsNeeded: o.grants * attachesPerGrant, peakAttachPerSecond: peakAttach,
      approveCallsSeconds: round(approvedMs / 1000, 2), totalSeconds: round(totalSeconds, 2), boundSeconds: round(boundSeconds, 2), ratioToBound: round(ratio, 3),
    },
    rows: [
      row(section, `ACTIVE / FAILED / managed roles (of ${o.grants})`, `${active} / ${failed} / ${roles}${wrongPolicyCount > 0 ? ` (${wrongPolicyCount} roles with wrong policies)` : ''}`, `${o.grants} / 0 / ${o.grants}`, ok),
      ...(stuck > 0 || dead > 0 ? [row(section, 'left APPROVED (message dead-lettered) / dead letters', `${stuck} / ${dead} (${settled})`, '0 / 0', false)] : []),
      row(section, 'Throttling in lastError / audit', `${throttledRequests} / ${throttledAudit}`, '0 / 0', throttledRequests === 0 && throttledAudit === 0),
      row(section, 'Throttling answers retried by the adapter', String(throttleRetries), '0', throttleRetries === 0),
      row(section, `total time vs bound (${o.grants} x ${attachesPerGrant} attaches / 10/s)`, `${secs(totalSeconds)} vs ${secs(boundSeconds)} = x${ratio.toFixed(2)}`),
      row(section, 'provisioning invocations (batches) / instances; peak Attach requests in one second', `${invocations} / ${instances}; ${peakAttach}/s (limit 10/s)`),
    ],
    notes: [note],
  };
}

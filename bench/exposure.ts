/**
 * Section `exposure`: how long a partner keeps access after the ledger ends a grant (README
 * "Reliability and security": seconds through the `revoke` message; at worst one expiry-scan period
 * plus the pass when the message is lost, because the reconciler strips every role whose request is
 * not ACTIVE), and what one reconciler pass over many managed roles costs.
 *
 * "Access" is measured as the partner sees it, through the real STS and ECS SDK clients: Bob's
 * AssumeRole with the grant's ExternalId, and an ECS call with the session he got before the
 * revocation. Both are polled every 100 ms from the revoke call's answer until both are refused.
 */
import * as E from '@alicloud/ecs20140526';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import * as S from '@alicloud/sts20150401';
import { QueueName } from '../shared/domain/ports';
import { QUEUE_MESSAGE_RETENTION_SECONDS } from '../shared/domain/queue-config';
import { LOCAL_REGION, PARTNER_ACCOUNT_ID } from '../local/world';
import { callsSince, countByStatus, ramTotal, revoke, round, sleep, snapshotCalls, submit, summarize, waitFor, type BenchStack } from './lib';
import { ms, row, secs, type SectionResult } from './report';

/** The expiry function's timer (s.yaml `@every 1m`, shared/domain/timing.ts SCAN_PERIOD_SECONDS). */
const SCAN_PERIOD_SECONDS = 60;
const POLL_MS = 100;

interface Creds {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string;
}

interface Grant {
  id: string;
  roleArn: string;
  externalId: string;
  /** Bob's session, issued while the grant was ACTIVE. */
  session: Creds;
}

function config(b: BenchStack, c: Creds): $OpenApiUtil.Config {
  return new $OpenApiUtil.Config({ ...c, endpoint: b.stack.contract.endpoint, protocol: 'http', regionId: LOCAL_REGION });
}

const errorCode = (e: unknown): string => String((e as { code?: unknown }).code ?? (e instanceof Error ? e.message : e));

const prepared = new WeakSet<BenchStack>();

/** Tutorial step 2, once per stack: B's admin lets Bob assume Crossrole roles in A. */
function letBobAssume(b: BenchStack): void {
  if (prepared.has(b)) return;
  const ram = b.stack.server.ram;
  const owner = b.stack.contract.ownerAccountId;
  ram.createPolicy(PARTNER_ACCOUNT_ID, { policyName: 'BenchAssumeCrossrole', policyDocument: JSON.stringify({ Version: '1', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: `acs:ram::${owner}:role/crossrole-*` }] }) });
  ram.attachPolicyToUser(PARTNER_ACCOUNT_ID, 'Custom', 'BenchAssumeCrossrole', 'bob');
  prepared.add(b);
}

async function assumeAsBob(b: BenchStack, roleArn: string, externalId: string): Promise<Creds> {
  const sts = new S.default(config(b, b.stack.contract.principals.bob));
  const r = await sts.assumeRole(new S.AssumeRoleRequest({ roleArn, roleSessionName: 'bob', durationSeconds: 900, externalId }));
  const c = r.body?.credentials;
  if (!c?.accessKeyId || !c.accessKeySecret || !c.securityToken) throw new Error('AssumeRole returned no credentials');
  return { accessKeyId: c.accessKeyId, accessKeySecret: c.accessKeySecret, securityToken: c.securityToken };
}

/** undefined = allowed; otherwise the refusal's error code. */
async function assumeRefused(b: BenchStack, g: Grant): Promise<string | undefined> {
  try {
    await assumeAsBob(b, g.roleArn, g.externalId);
    return undefined;
  } catch (e) {
    return errorCode(e);
  }
}

async function sessionRefused(b: BenchStack, g: Grant): Promise<string | undefined> {
  try {
    await new E.default(config(b, g.session)).describeInstances(new E.DescribeInstancesRequest({ regionId: LOCAL_REGION }));
    return undefined;
  } catch (e) {
    return errorCode(e);
  }
}

/** `n` auto-approved 1 h grants, ACTIVE, each with a working session of Bob's. */
async function activeGrants(b: BenchStack, n: number): Promise<Grant[]> {
  letBobAssume(b);
  const partner = b.stack.contract.principals['partner-admin'];
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const r = await submit(b.stack, partner, '1h', 'benchmark: exposure', 'ecs-readonly-auto');
    if (r.status !== 202 || !r.body.request) throw new Error(`submit answered ${r.status}: ${JSON.stringify(r.body).slice(0, 300)}`);
    ids.push(r.body.request.id);
  }
  await waitFor(`${n} exposure grants to be ACTIVE`, 60_000, 50, async () => ((await countByStatus(b, ids)).ACTIVE === n ? true : undefined));
  return grantsFor(b, ids);
}

async function grantsFor(b: BenchStack, ids: readonly string[]): Promise<Grant[]> {
  const { rows } = await b.db.query<{ id: string; role_name: string; external_id: string }>('SELECT id, role_name, external_id FROM requests WHERE id = ANY($1::text[]) ORDER BY id', [ids]);
  const owner = b.stack.contract.ownerAccountId;
  const out: Grant[] = [];
  for (const r of rows) {
    const roleArn = `acs:ram::${owner}:role/${r.role_name}`;
    const session = await assumeAsBob(b, roleArn, r.external_id);
    const g: Grant = { id: r.id, roleArn, externalId: r.external_id, session };
    const refused = await sessionRefused(b, g);
    if (refused !== undefined) throw new Error(`Bob's fresh session on ${r.id} is refused (${refused}) before any revocation`);
    out.push(g);
  }
  return out;
}

interface Refusal {
  /** ms from `since` until AssumeRole was refused / the old session was refused / both. */
  assumeMs: number;
  sessionMs: number;
  bothMs: number;
  codes: string[];
}

/** Poll both kinds of access every 100 ms from `since` until both are refused. */
async function timeToRefusal(b: BenchStack, g: Grant, since: number, timeoutMs: number): Promise<Refusal> {
  let assumeMs: number | undefined;
  let sessionMs: number | undefined;
  const codes = new Set<string>();
  for (;;) {
    const [a, s] = await Promise.all([assumeMs === undefined ? assumeRefused(b, g) : Promise.resolve('done'), sessionMs === undefined ? sessionRefused(b, g) : Promise.resolve('done')]);
    const at = performance.now() - since;
    if (assumeMs === undefined && a !== undefined) {
      assumeMs = at;
      codes.add(`AssumeRole ${a}`);
    }
    if (sessionMs === undefined && s !== undefined) {
      sessionMs = at;
      codes.add(`DescribeInstances ${s}`);
    }
    if (assumeMs !== undefined && sessionMs !== undefined) return { assumeMs, sessionMs, bothMs: Math.max(assumeMs, sessionMs), codes: [...codes] };
    if (at > timeoutMs) throw new Error(`grant ${g.id}: Bob still has access ${Math.round(at)} ms after the revocation (AssumeRole ${assumeMs === undefined ? 'allowed' : 'refused'}, old session ${sessionMs === undefined ? 'allowed' : 'refused'})`);
    await sleep(POLL_MS);
  }
}

const summary = (values: readonly number[], digits = 0): Record<string, number> => {
  const s = summarize(values);
  return { n: s.n, p50: round(s.p50, digits), p95: round(s.p95, digits), max: round(s.max, digits) };
};

/** (a) The normal path: revoke through the API, the `revoke` message, the revocation function. */
export async function benchExposureNormal(b: BenchStack, n: number): Promise<SectionResult & { revokedIds: string[] }> {
  const grants = await activeGrants(b, n);
  const results: Refusal[] = [];
  for (const g of grants) {
    const r = await revoke(b.stack, g.id, 'trust');
    if (r.status !== 200) throw new Error(`revoke answered ${r.status}: ${JSON.stringify(r.body).slice(0, 300)}`);
    results.push(await timeToRefusal(b, g, performance.now(), 30_000));
  }
  const both = summarize(results.map((r) => r.bothMs));
  const section = 'exposure (a) normal';
  return {
    key: 'exposureNormal',
    title: 'Exposure after a revocation, normal path (revoke message)',
    revokedIds: grants.map((g) => g.id),
    figures: {
      grants: n, pollMs: POLL_MS,
      bothRefusedMs: summary(results.map((r) => r.bothMs)), assumeRoleRefusedMs: summary(results.map((r) => r.assumeMs)), oldSessionRefusedMs: summary(results.map((r) => r.sessionMs)),
      refusals: [...new Set(results.flatMap((r) => r.codes))],
    },
    rows: [
      row(section, `revoke answer -> AssumeRole and old session both refused, p50 / p95 / max (n=${n}, polled every ${POLL_MS} ms)`, `${ms(both.p50)} / ${ms(both.p95)} / ${ms(both.max)}`, 'within seconds', both.max <= 5000),
    ],
    notes: [
      `Exposure (normal): ${n} auto-approved grants, each with a session Bob got while it was ACTIVE; each revoked in trust mode through the approval API, one at a time. From the revoke call's answer, Bob's AssumeRole (with the ExternalId) and an ECS DescribeInstances with his old session were polled every ${POLL_MS} ms through the real SDK clients until both were refused (${[...new Set(results.flatMap((r) => r.codes))].join(', ')}). The path: the revoke message waits up to the trigger's 1 s batch window, then the revocation function's UpdateRole (trust) and DetachPolicyFromRole; the figure includes up to ${POLL_MS} ms of polling granularity.`,
    ],
  };
}

/** The `revoke` message is lost: the queue is missing while the revoke call sends it (the approval logs it and answers 200). */
async function revokeLosingTheMessage(b: BenchStack, id: string): Promise<number> {
  const { mns, contract } = b.stack;
  mns.deleteQueue(contract.ownerAccountId, QueueName.REVOKE);
  try {
    const r = await revoke(b.stack, id, 'trust');
    if (r.status !== 200) throw new Error(`revoke answered ${r.status}: ${JSON.stringify(r.body).slice(0, 300)}`);
    return performance.now();
  } finally {
    mns.createQueue(contract.ownerAccountId, QueueName.REVOKE, { messageRetentionPeriod: QUEUE_MESSAGE_RETENTION_SECONDS });
  }
}

/**
 * (b) The worst case: the message is lost, so only the expiry scan's reconciler ends the access.
 * With `manualFire` (quick) the timer is fired by hand right after the revocations: that measures
 * the pass, not the schedule. Otherwise the stack runs the real `@every 1m` timer, and the
 * revocations are `staggerMs` apart so that they land at different points of its period.
 */
export async function benchExposureWorst(b: BenchStack, m: number, staggerMs: number, manualFire: boolean): Promise<SectionResult> {
  const grants = await activeGrants(b, m);
  const expiryBefore = b.probe.invocations.get('crossrole-expiry')?.length ?? 0;
  const waits: Array<Promise<Refusal>> = [];
  for (const [i, g] of grants.entries()) {
    if (i > 0 && staggerMs > 0) await sleep(staggerMs);
    const since = await revokeLosingTheMessage(b, g.id);
    waits.push(timeToRefusal(b, g, since, (SCAN_PERIOD_SECONDS + 90) * 1000));
  }
  const statuses = await countByStatus(b, grants.map((g) => g.id));
  if ((statuses.REVOKING ?? 0) !== m) throw new Error(`the lost-message revocations should leave REVOKING rows, found ${JSON.stringify(statuses)}`);
  let firedPassMs: number | undefined;
  if (manualFire) {
    const o = await b.stack.fc.fireTimer('crossrole-expiry');
    if (!o.ok) throw new Error(`expiry timer invocation failed: ${o.error.errorMessage}`);
    firedPassMs = o.durationMs;
  }
  const results = await Promise.all(waits);
  // The roles are stripped in the middle of the pass: let the invocation that did it finish and report its duration.
  if (!manualFire) await waitFor('the expiry pass to finish', 120_000, 100, async () => ((b.probe.invocations.get('crossrole-expiry')?.length ?? 0) > expiryBefore ? true : undefined));
  const passes = (b.probe.invocations.get('crossrole-expiry') ?? []).slice(expiryBefore);
  const passMs = firedPassMs ?? Math.max(...passes);
  const { rows: notes } = await b.db.query<{ n: string }>("SELECT count(*) AS n FROM audit_events WHERE request_id = ANY($1::text[]) AND action = 'NOTE' AND reason LIKE 'reconciled: role stripped%'", [grants.map((g) => g.id)]);
  const stripped = Number(notes[0]?.n ?? 0);
  const both = summarize(results.map((r) => r.bothMs));
  const boundMs = SCAN_PERIOD_SECONDS * 1000 + passMs;
  const section = 'exposure (b) message lost';
  const how = manualFire ? 'timer fired by hand right after the revocations (quick: the pass only, not the schedule)' : `real @every 1m timer, revocations ${staggerMs / 1000} s apart`;
  return {
    key: 'exposureWorst',
    title: 'Exposure after a revocation whose message is lost (the reconciler alone)',
    figures: {
      grants: m, manualFire, staggerMs, pollMs: POLL_MS, bothRefusedMs: summary(results.map((r) => r.bothMs)), perGrantMs: results.map((r) => Math.round(r.bothMs)),
      expiryPassesMs: passes, passMs, boundMs: Math.round(boundMs), strippedByReconciler: stripped, ledgerAfter: await countByStatus(b, grants.map((g) => g.id)),
    },
    rows: [
      row(section, `revoke answer -> both refused, p50 / max (n=${m}; ${manualFire ? 'manual fire' : 'real timer'})`, `${secs(both.p50 / 1000)} / ${secs(both.max / 1000)}`, manualFire ? undefined : `<= 60 s + pass (${secs(boundMs / 1000)})`, manualFire ? undefined : both.max <= boundMs + POLL_MS),
      row(section, 'roles stripped by the reconciler (audit NOTE) / grants', `${stripped} / ${m}`, `${m} / ${m}`, stripped === m),
    ],
    notes: [
      `Exposure (message lost): ${m} ACTIVE grants revoked through the API while the revoke queue did not exist (deleted just before each revoke call, recreated right after): the approval committed REVOKING, its send failed and was logged, and the call answered 200, so no revocation function ran. Only the expiry scan's reconcile phase could end the access: ${how}. Every role was stripped by it (the audit trail's "reconciled: role stripped" notes: ${stripped}/${m}); the rows stay REVOKING until the scan re-sends their message once they are stuck (${'>'} 301 s), which the bench does not wait for. Expiry invocations during the wait: ${passes.map((x) => `${Math.round(x)} ms`).join(', ') || 'none'}. Stated bound: one period (60 s) + the pass.`,
    ],
  };
}

/** A REVOKED trust-mode grant copied `k` times in the ledger, each with a stripped role in RAM (the steady state of a full account). */
async function seedStrippedRoles(b: BenchStack, templateId: string, k: number): Promise<void> {
  const owner = b.stack.contract.ownerAccountId;
  const trust = JSON.stringify({ Version: '1', Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { RAM: [`acs:ram::${owner}:root`] } }] });
  const ids = Array.from({ length: k }, (_, i) => `${templateId}s${String(i).padStart(4, '0')}`);
  const names = ids.map((_, i) => `crossrole-seed-${String(i).padStart(4, '0')}`);
  await b.db.query(
    `INSERT INTO requests SELECT (jsonb_populate_record(NULL::requests, to_jsonb(r) || jsonb_build_object('id', x.id, 'role_name', x.name))).*
     FROM requests r, unnest($2::text[], $3::text[]) AS x(id, name) WHERE r.id = $1`,
    [templateId, ids, names],
  );
  for (const [i, roleName] of names.entries()) {
    b.stack.server.ram.createRole(owner, { roleName, assumeRolePolicyDocument: trust, tags: { 'crossrole:managed': 'true', 'crossrole:request-id': ids[i] ?? '' } });
  }
}

/** One reconciler pass over `k` + the bench's own managed roles, fired by hand: duration and RAM calls. */
export async function benchReconcilePass(b: BenchStack, revokedTemplate: string, k: number): Promise<SectionResult> {
  await seedStrippedRoles(b, revokedTemplate, k);
  // One pass first, not measured: it takes the expiry instance's cold start and any leftover work.
  const warm = await b.stack.fc.fireTimer('crossrole-expiry');
  if (!warm.ok) throw new Error(`expiry timer invocation failed: ${warm.error.errorMessage}`);
  const before = snapshotCalls(b.probe);
  const t = performance.now();
  const o = await b.stack.fc.fireTimer('crossrole-expiry');
  const wallMs = performance.now() - t;
  if (!o.ok) throw new Error(`expiry timer invocation failed: ${o.error.errorMessage}`);
  const report = (o.result.kind === 'json' ? o.result.value : {}) as { rolesChecked?: number; rolesStripped?: number; rolesRestored?: number; errors?: number };
  const calls = callsSince(b.probe, before);
  const ramCalls = ramTotal(calls);
  const section = 'exposure pass cost';
  return {
    key: 'reconcilePass',
    title: `One reconciler pass over ${report.rolesChecked ?? '?'} managed roles`,
    figures: { seededRoles: k, rolesChecked: report.rolesChecked, rolesChanged: (report.rolesStripped ?? 0) + (report.rolesRestored ?? 0), errors: report.errors, passMs: Math.round(wallMs), invocationMs: o.durationMs, ramCalls, ramCallsByAction: calls },
    rows: [
      row(section, `whole expiry scan with ${report.rolesChecked ?? '?'} managed roles (fired by hand)`, `${secs(wallMs / 1000)}; ${ramCalls} RAM calls (${Object.entries(calls).map(([a, n]) => `${a} ${n}`).join(', ')})`, 'pass < 60 s', wallMs < SCAN_PERIOD_SECONDS * 1000),
    ],
    notes: [
      `Reconciler pass: ${k} managed roles seeded in the local RAM (owner-only trust, no permission policy, tagged with request ids copied from a real REVOKED trust-mode grant in the ledger), plus the bench's own; the timer fired by hand twice, the second pass measured (the first takes the cold start). Nothing needed a change (${report.rolesStripped ?? 0} stripped, ${report.rolesRestored ?? 0} restored, ${report.errors ?? 0} errors): this is the steady-state cost, paced by the RAM adapter at 90 % of RAM's 100/s for GetRole and ListPoliciesForRole, whatever the local RAM enforces. RAM calls counted by the local RAM server.`,
    ],
  };
}

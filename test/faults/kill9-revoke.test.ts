/**
 * Worst day #3b: the whole stack is SIGKILLed while revocations are in flight.
 *
 * N auto-approved grants are ACTIVE and Bob (partner account) holds an STS session on each. All
 * are revoked through the approval API, and the process group is killed with SIGKILL as soon as the
 * revocation function has finished one of them: the others are REVOKING with their `revoke`
 * message in the batch the dead process held (invisible for the trigger's whole retry sequence,
 * about 4.5 minutes), REVOKING with the message still queued, or still ACTIVE because their revoke
 * call never reached the ledger. The stack restarts on the same data directory, and the test
 * measures, per grant, how long after the restart Bob can still (a) assume the role with the
 * ExternalId and (b) use the session he got before. The README's bound: after the ledger leaves
 * ACTIVE, at worst one expiry-scan period plus the pass (the reconciler strips every role whose
 * request is not ACTIVE), whatever happened to the messages.
 *
 * The timer, scaled: the restarted stack runs with `--no-timers` and the test is the expiry
 * function's `@every P` timer, firing it through the local FC admin endpoint P seconds after the
 * restart and every P seconds after that, as the schedule would from the process start
 * (local/fc/timers.ts arms the first fire one interval after start). P is 10 s by default so the
 * test stays near a minute; CROSSROLE_FAULT_TIMER_PERIOD=60 runs it at s.yaml's real period. The
 * bound asserted is P + the pass that stripped the roles + 5 s for polling and SDK latency.
 * Revoke calls that got no answer before the kill are sent again after the restart, as a client
 * would (the API is idempotent: a REVOKING or REVOKED grant answers 200 unchanged).
 *
 * Then every grant must end REVOKED with its role stripped (trust: the owner account only; no
 * policy but its expiry guard) and an unbroken audit trail with one START_REVOKE and one
 * FINISH_REVOKE. Test-only time travel, as in kill9.test.ts: a REVOKING row whose message died
 * with the process is re-sent by the scan once unchanged for 301 s; `updated_at` is moved 10
 * minutes back instead of waiting.
 *
 * Size: CROSSROLE_FAULT_REVOKE_GRANTS (default 12).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as E from '@alicloud/ecs20140526';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import * as R from '@alicloud/ram20150501';
import * as S from '@alicloud/sts20150401';
import { Client } from 'pg';
import { buildIdentityProof, IDENTITY_HEADER } from '../../shared/identity';
import type { LocalContract, LocalPrincipal } from '../../local/stack';
import { ensureBuilt, freePort } from '../helpers/build';
import { contractOf, fireExpiry, killGroup, ledgerUrlOf, startChild, type Child } from './child-stack';
import { actionCounts, auditByRequest, auditChainProblems, envInt, pool, sleep, trustedPrincipals } from './helpers';

const GRANTS = envInt('CROSSROLE_FAULT_REVOKE_GRANTS', 12);
const PERIOD_S = envInt('CROSSROLE_FAULT_TIMER_PERIOD', 10);
const POLL_MS = 200;
const MARGIN_MS = 5000;
const REGION = 'cn-hangzhou';

jest.setTimeout(120_000 + PERIOD_S * 2000);

interface Creds {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string;
}

interface Grant {
  id: string;
  roleName: string;
  roleArn: string;
  externalId: string;
  session: Creds;
}

const sdkConfig = (contract: LocalContract, c: Creds): $OpenApiUtil.Config =>
  new $OpenApiUtil.Config({ ...c, endpoint: contract.endpoint, protocol: 'http', regionId: REGION });
const credsOf = (p: LocalPrincipal): Creds => ({ accessKeyId: p.accessKeyId, accessKeySecret: p.accessKeySecret });

async function api(contract: LocalContract, who: LocalPrincipal, which: 'intake' | 'approval', path: string, body: unknown): Promise<{ status: number; text: string }> {
  const proof = buildIdentityProof({ stsEndpoint: contract.endpoint, protocol: 'http', credentials: credsOf(who) });
  const res = await fetch(`${contract.api[which]}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', [IDENTITY_HEADER]: proof }, body: JSON.stringify(body) });
  return { status: res.status, text: await res.text() };
}

async function assumeAsBob(contract: LocalContract, roleArn: string, externalId: string): Promise<Creds> {
  const r = await new S.default(sdkConfig(contract, credsOf(contract.principals.bob))).assumeRole(new S.AssumeRoleRequest({ roleArn, roleSessionName: 'bob', durationSeconds: 900, externalId }));
  const c = r.body?.credentials;
  return { accessKeyId: c?.accessKeyId ?? '', accessKeySecret: c?.accessKeySecret ?? '', securityToken: c?.securityToken ?? '' };
}

/** undefined while the access works; the refusal's code once it does not. */
async function refused(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
    return undefined;
  } catch (e) {
    return String((e as { code?: unknown }).code ?? e);
  }
}

interface Exposure {
  id: string;
  assumeMs: number;
  sessionMs: number;
  codes: string[];
}

/** Poll Bob's two kinds of access every POLL_MS from `since` until both are refused. */
async function exposureAfter(contract: LocalContract, g: Grant, since: number, timeoutMs: number): Promise<Exposure> {
  let assumeMs: number | undefined;
  let sessionMs: number | undefined;
  const codes: string[] = [];
  const ecs = new E.default(sdkConfig(contract, g.session));
  for (;;) {
    const [a, s] = await Promise.all([
      assumeMs === undefined ? refused(assumeAsBob(contract, g.roleArn, g.externalId)) : Promise.resolve(undefined),
      sessionMs === undefined ? refused(ecs.describeInstances(new E.DescribeInstancesRequest({ regionId: REGION }))) : Promise.resolve(undefined),
    ]);
    const at = performance.now() - since;
    if (assumeMs === undefined && a !== undefined) {
      assumeMs = at;
      codes.push(`AssumeRole ${a}`);
    }
    if (sessionMs === undefined && s !== undefined) {
      sessionMs = at;
      codes.push(`DescribeInstances ${s}`);
    }
    if (assumeMs !== undefined && sessionMs !== undefined) return { id: g.id, assumeMs, sessionMs, codes };
    if (at > timeoutMs) throw new Error(`grant ${g.id}: Bob still has access ${Math.round(at)} ms after the restart`);
    await sleep(POLL_MS);
  }
}

async function statusCounts(pg: Client): Promise<Record<string, number>> {
  const { rows } = await pg.query<{ status: string; n: string }>('SELECT status, count(*) AS n FROM requests GROUP BY status');
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}

let dataDir: string;
let child: Child | undefined;

beforeAll(async () => {
  await ensureBuilt();
  dataDir = mkdtempSync(join(tmpdir(), 'crossrole-kill9-revoke-'));
}, 240_000);

afterAll(async () => {
  if (child) await killGroup(child, 'SIGKILL');
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

test(`SIGKILL while ${GRANTS} revocations are in flight: after a restart every partner loses access within the timer period + the pass, and every grant ends REVOKED and stripped`, async () => {
  const port = await freePort();
  child = await startChild(port, dataDir);
  const contract = contractOf(dataDir);
  const { principals } = contract;

  // Tutorial step 2: B's admin lets Bob assume Crossrole roles in A.
  const ramB = new R.default(sdkConfig(contract, credsOf(principals['partner-admin'])));
  await ramB.createPolicy(new R.CreatePolicyRequest({ policyName: 'AssumeCrossroleGrants', policyDocument: JSON.stringify({ Version: '1', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: `acs:ram::${contract.ownerAccountId}:role/crossrole-*` }] }) }));
  await ramB.attachPolicyToUser(new R.AttachPolicyToUserRequest({ policyType: 'Custom', policyName: 'AssumeCrossroleGrants', userName: 'bob' }));

  let pg = new Client({ connectionString: ledgerUrlOf(child) });
  // This connection dies with the stack it talks to: that is the point, not a failure.
  pg.on('error', () => undefined);
  await pg.connect();
  let grants: Grant[];
  try {
    // N ACTIVE grants, a few submitted at a time (the intake burst is kill9.test.ts's subject, not this one's).
    const ids = await pool(Array.from({ length: GRANTS }, (_, i) => i), 3, async (i) => {
      const r = await api(contract, principals['partner-admin'], 'intake', '/requests', { profile: 'ecs-readonly-auto', duration: '1h', reason: `kill9-revoke #${i}` });
      expect(r.status).toBe(202);
      return (JSON.parse(r.text) as { request: { id: string } }).request.id;
    });
    const deadline = Date.now() + 60_000;
    while ((await statusCounts(pg)).ACTIVE !== GRANTS) {
      if (Date.now() > deadline) throw new Error(`grants not ACTIVE: ${JSON.stringify(await statusCounts(pg))}`);
      await sleep(100);
    }
    const { rows } = await pg.query<{ id: string; role_name: string; external_id: string }>('SELECT id, role_name, external_id FROM requests WHERE id = ANY($1)', [ids]);
    grants = await Promise.all(rows.map(async (r) => {
      const roleArn = `acs:ram::${contract.ownerAccountId}:role/${r.role_name}`;
      const session = await assumeAsBob(contract, roleArn, r.external_id);
      const ok = await new E.default(sdkConfig(contract, session)).describeInstances(new E.DescribeInstancesRequest({ regionId: REGION }));
      expect(ok.body?.instances?.instance?.length).toBe(3);
      return { id: r.id, roleName: r.role_name, roleArn, externalId: r.external_id, session };
    }));

    // Revoke them all, half of them in flight at a time; kill the group once one is REVOKED.
    let killed = false;
    const victim = child;
    const revoking = pool(grants, Math.ceil(GRANTS / 2), async (g) => {
      if (killed) return;
      try {
        const r = await api(contract, principals.approver, 'approval', `/requests/${g.id}/revoke`, { reason: 'kill9-revoke' });
        if (r.status !== 200 && !killed) throw new Error(`revoke ${g.id} before the kill: HTTP ${r.status} ${r.text}`);
      } catch (e) {
        if (!killed) throw e;
      }
    });
    const killAt = Date.now() + 30_000;
    for (;;) {
      const c = await statusCounts(pg);
      if ((c.REVOKED ?? 0) >= 1 || Date.now() > killAt) break;
      await sleep(20);
    }
    killed = true;
    await killGroup(victim, 'SIGKILL');
    await revoking;
    expect(victim.proc.signalCode).toBe('SIGKILL');
  } finally {
    await pg.end().catch(() => undefined);
  }

  // Restart on the same directory and port; the test is the expiry timer from here (see the header).
  child = await startChild(port, dataDir);
  const restartedAt = performance.now();
  pg = new Client({ connectionString: ledgerUrlOf(child) });
  await pg.connect();
  try {
    const atRestart = await statusCounts(pg);
    const { rows: before } = await pg.query<{ id: string; status: string }>('SELECT id, status FROM requests');
    const stillActive = new Set(before.filter((r) => r.status === 'ACTIVE').map((r) => r.id));

    const passes: Array<{ at: number; ms: number }> = [];
    let stop = false;
    const timer = (async () => {
      for (let k = 1; !stop; k++) {
        const due = restartedAt + k * PERIOD_S * 1000;
        while (!stop && performance.now() < due) await sleep(Math.min(200, due - performance.now()));
        if (stop) return;
        const at = performance.now() - restartedAt;
        const f = await fireExpiry(port);
        expect(f.ok).toBe(true);
        passes.push({ at, ms: f.ms });
      }
    })();
    // The client's retry of revoke calls that got no answer.
    const resent = await Promise.all(grants.filter((g) => stillActive.has(g.id)).map(async (g) => {
      const r = await api(contract, principals.approver, 'approval', `/requests/${g.id}/revoke`, { reason: 'kill9-revoke, retried after the restart' });
      expect(r.status).toBe(200);
      return g.id;
    }));
    const exposures = await Promise.all(grants.map((g) => exposureAfter(contract, g, restartedAt, (PERIOD_S + 60) * 1000)));
    stop = true;
    await timer;

    const worst = Math.max(...exposures.map((e) => Math.max(e.assumeMs, e.sessionMs)));
    const stripPass = passes[0];
    const bound = PERIOD_S * 1000 + (stripPass?.ms ?? 0) + MARGIN_MS;
    expect({ worstMs: Math.round(worst), within: worst <= bound }).toEqual({ worstMs: Math.round(worst), within: true });

    // Every grant ends REVOKED (time travel for the rows whose message died with the process).
    const deadline = Date.now() + 60_000;
    let rounds = 0;
    for (;;) {
      const c = await statusCounts(pg);
      if (c.REVOKED === GRANTS) break;
      if (Date.now() > deadline) throw new Error(`not all REVOKED after ${rounds} scans: ${JSON.stringify(c)}\n${child.output.join('').slice(-2000)}`);
      await pg.query("UPDATE requests SET updated_at = updated_at - interval '10 minutes' WHERE status IN ('REVOKING', 'FAILED')");
      expect((await fireExpiry(port)).ok).toBe(true);
      rounds++;
      await sleep(1500);
    }

    // Stripped in RAM: trusts only the owner, keeps nothing but its guard; one revocation each in the audit.
    const ramA = new R.default(sdkConfig(contract, credsOf(principals['owner-admin'])));
    const audit = await auditByRequest(pg);
    for (const g of grants) {
      const role = await ramA.getRole(new R.GetRoleRequest({ roleName: g.roleName }));
      const attached = await ramA.listPoliciesForRole(new R.ListPoliciesForRoleRequest({ roleName: g.roleName }));
      const names = (attached.body?.policies?.policy ?? []).map((p) => p.policyName ?? '');
      expect({ id: g.id, trust: trustedPrincipals(role.body?.role?.assumeRolePolicyDocument ?? '{}'), policies: names.filter((n) => !n.startsWith('crossrole-guard-')) })
        .toEqual({ id: g.id, trust: [`acs:ram::${contract.ownerAccountId}:root`], policies: [] });
      const events = audit.get(g.id) ?? [];
      expect({ id: g.id, problems: auditChainProblems(events, 'REVOKED') }).toEqual({ id: g.id, problems: [] });
      const n = actionCounts(events);
      expect({ id: g.id, START_REVOKE: n.START_REVOKE, FINISH_REVOKE: n.FINISH_REVOKE }).toEqual({ id: g.id, START_REVOKE: 1, FINISH_REVOKE: 1 });
    }
    const { rows: notes } = await pg.query<{ n: string }>("SELECT count(DISTINCT request_id) AS n FROM audit_events WHERE action = 'NOTE' AND reason LIKE 'reconciled: role stripped%'");
    const strippedByScan = Number(notes[0]?.n ?? 0);
    const fmt = (x: number): string => `${(x / 1000).toFixed(1)}s`;
    console.log(`kill9-revoke: ${GRANTS} grants; at restart ${JSON.stringify(atRestart)}; revoke re-sent for ${resent.length}; timer period ${PERIOD_S}s, passes ${passes.map((p) => `at ${fmt(p.at)} took ${Math.round(p.ms)} ms`).join(', ')}; `
      + `access after restart (AssumeRole / old session) ${exposures.map((e) => `${fmt(e.assumeMs)}/${fmt(e.sessionMs)}`).join(' ')}; worst ${fmt(worst)} vs bound ${fmt(bound)}; stripped by the reconciler ${strippedByScan}; REVOKED after ${rounds} more scan(s)`);
  } finally {
    await pg.end();
  }
});

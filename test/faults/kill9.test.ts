/**
 * Worst day #3: the whole stack is SIGKILLed in the middle of a burst of requests.
 *
 * `npm start`'s bundle (dist/local/main.js) runs as a child process in its own process group;
 * a burst of auto-approved requests is submitted concurrently and the group is killed with
 * SIGKILL once half of them were answered. The stack restarts on the same data directory:
 * every request that got a 202 must be in the ledger, and every request in the ledger must
 * reach ACTIVE, with one role each and no duplicate audit event.
 *
 * Test-only time travel: work a crash left behind (an APPROVED row whose message was never
 * sent, or a message the dead process held invisible) is re-sent by the expiry scan once the row
 * has been unchanged for 5 minutes. Instead of waiting, `updated_at` is moved 10 minutes back in
 * the ledger, which is exactly the state the scan meets 5 minutes later; the scan itself is fired
 * through the local FC admin endpoint `POST /_local/fc/timers/crossrole-expiry/fire`.
 *
 * Size: CROSSROLE_FAULT_BURST (default 200 requests), CROSSROLE_FAULT_BURST_WIDTH (16 in flight).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { buildIdentityProof, IDENTITY_HEADER } from '../../shared/identity';
import type { LocalContract } from '../../local/stack';
import { ensureBuilt, freePort } from '../helpers/build';
import { contractOf, fireExpiry, killGroup, ledgerUrlOf, startChild, type Child } from './child-stack';
import { actionCounts, auditByRequest, auditChainProblems, envInt, sleep } from './helpers';

const BURST = envInt('CROSSROLE_FAULT_BURST', 200);
const WIDTH = envInt('CROSSROLE_FAULT_BURST_WIDTH', 16);

jest.setTimeout(240_000);

/** One request; resolves to its id on a 202, or to the answer otherwise. */
async function submitRequest(contract: LocalContract, reason: string): Promise<{ id?: string; status: number; text: string }> {
  const partner = contract.principals['partner-admin'];
  const proof = buildIdentityProof({ stsEndpoint: contract.endpoint, protocol: 'http', credentials: { accessKeyId: partner.accessKeyId, accessKeySecret: partner.accessKeySecret } });
  const res = await fetch(`${contract.api.intake}/requests`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', [IDENTITY_HEADER]: proof },
    body: JSON.stringify({ profile: 'ecs-readonly-auto', duration: '1h', reason }),
  });
  const text = await res.text();
  return { status: res.status, text, ...(res.status === 202 ? { id: (JSON.parse(text) as { request: { id: string } }).request.id } : {}) };
}

let dataDir: string;
let child: Child | undefined;

beforeAll(async () => {
  await ensureBuilt();
  dataDir = mkdtempSync(join(tmpdir(), 'crossrole-kill9-'));
}, 240_000);

afterAll(async () => {
  if (child) await killGroup(child, 'SIGKILL');
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

test(`SIGKILL in the middle of a burst of ${BURST} requests: every accepted request survives and reaches ACTIVE after a restart`, async () => {
  const port = await freePort();
  child = await startChild(port, dataDir);
  const contract = contractOf(dataDir);
  const partner = contract.principals['partner-admin'];

  // Warm-up, not part of the burst: WIDTH requests at once start the intake instances the burst
  // will use. Each cold instance loads its bundle and opens its connections while the others do the
  // same on this machine's 2 cores; on a loaded machine that can exceed intake's 10 s timeout (the
  // local FC counts it from the invocation, as FC does, not from the instance's start). Such an
  // answer has no known outcome, like a request cut by the kill: whatever reached the ledger must
  // still reach ACTIVE below. The burst itself runs on warm instances and must not see one.
  const warm = await Promise.all(Array.from({ length: WIDTH }, (_, i) => submitRequest(contract, `warm-up #${i}`)));
  const warmFailures = warm.filter((w) => w.status !== 202);
  for (const w of warmFailures) expect(w.text).toMatch(/FunctionTimeout/);

  const accepted: string[] = [];
  let answered = 0;
  let killed = false;
  let killing: Promise<void> | undefined;
  const victim = child;
  let next = 0;
  const submitOne = async (i: number): Promise<void> => {
    try {
      const r = await submitRequest(contract, `burst #${i}`);
      if (r.id !== undefined) accepted.push(r.id);
      else if (!killed) throw new Error(`request #${i} before the kill: HTTP ${r.status} ${r.text}`);
    } catch (e) {
      // After the kill, connections fail: those requests have no known outcome.
      if (!killed) throw e;
    }
    answered++;
    if (!killed && answered >= BURST / 2) {
      killed = true;
      killing = killGroup(victim, 'SIGKILL');
    }
  };
  await Promise.all(Array.from({ length: WIDTH }, async () => {
    for (;;) {
      const i = next++;
      if (i >= BURST) return;
      if (killed) return;
      await submitOne(i);
    }
  }));
  await killing;
  expect(killed).toBe(true);
  expect(victim.proc.signalCode).toBe('SIGKILL');
  expect(accepted.length).toBeGreaterThanOrEqual(Math.floor(BURST / 2) - WIDTH);

  // Restart on the same data directory (same port, so the contract's endpoints stay valid).
  child = await startChild(port, dataDir);
  const again = contractOf(dataDir);
  expect(again.principals['partner-admin'].accessKeyId).toBe(partner.accessKeyId);
  const pg = new Client({ connectionString: ledgerUrlOf(child) });
  await pg.connect();
  try {
    const { rows: present } = await pg.query<{ id: string }>('SELECT id FROM requests WHERE id = ANY($1)', [accepted]);
    expect(present.length).toBe(accepted.length);

    const deadline = Date.now() + 90_000;
    let rounds = 0;
    for (;;) {
      const { rows } = await pg.query<{ status: string; n: string }>('SELECT status, count(*) AS n FROM requests GROUP BY status');
      const counts = Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
      const total = Object.values(counts).reduce((a, b) => a + b, 0);
      if (counts.ACTIVE === total) break;
      if (Date.now() > deadline) throw new Error(`not all requests ACTIVE after ${rounds} scans: ${JSON.stringify(counts)}\n${child.output.join('').slice(-2000)}`);
      // Time travel (see the header): make the stuck rows look 10 minutes old to the scan.
      await pg.query("UPDATE requests SET updated_at = updated_at - interval '10 minutes' WHERE status IN ('APPROVED', 'FAILED')");
      const { rows: failed } = await pg.query<{ id: string }>("SELECT id FROM requests WHERE status = 'FAILED'");
      expect(failed).toEqual([]);
      const fire = await fireExpiry(port);
      expect(fire.ok).toBe(true);
      rounds++;
      await sleep(1000);
    }

    // One grant each: exactly one CREATE and one ACTIVATE per request, one unbroken chain.
    const audit = await auditByRequest(pg);
    const { rows: all } = await pg.query<{ id: string }>('SELECT id FROM requests');
    expect(all.length).toBeGreaterThanOrEqual(accepted.length);
    for (const { id } of all) {
      const events = audit.get(id) ?? [];
      expect({ id, problems: auditChainProblems(events, 'ACTIVE') }).toEqual({ id, problems: [] });
      const c = actionCounts(events);
      expect({ id, CREATE: c.CREATE, ACTIVATE: c.ACTIVATE }).toEqual({ id, CREATE: 1, ACTIVATE: 1 });
    }
    console.log(`kill9: warm-up ${WIDTH} (${warmFailures.length} FunctionTimeout); ${BURST} submitted ${WIDTH} at a time, killed after ${answered} answers; ${accepted.length} accepted, ${all.length} in the ledger; all ACTIVE after ${rounds} scan(s)`);
  } finally {
    await pg.end();
  }
});

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
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { buildIdentityProof, IDENTITY_HEADER } from '../../shared/identity';
import type { LocalContract } from '../../local/stack';
import { ensureBuilt, freePort, PROJECT_ROOT } from '../helpers/build';
import { actionCounts, auditByRequest, auditChainProblems, envInt, sleep } from './helpers';

const BURST = envInt('CROSSROLE_FAULT_BURST', 200);
const WIDTH = envInt('CROSSROLE_FAULT_BURST_WIDTH', 16);
const MAIN = join(PROJECT_ROOT, 'dist', 'local', 'main.js');

jest.setTimeout(240_000);


interface Child {
  proc: ChildProcess;
  output: string[];
}

async function startChild(port: number, dataDir: string): Promise<Child> {
  const proc = spawn(process.execPath, [MAIN, '--port', String(port), '--data-dir', dataDir, '--no-timers', '--fast-retries'], {
    cwd: PROJECT_ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`stack did not start:\n${output.join('').slice(-3000)}`)), 60_000);
    const onData = (b: Buffer): void => {
      output.push(b.toString('utf8'));
      if (output.length > 400) output.splice(0, 200);
      if (output.join('').includes('Ctrl-C stops')) {
        clearTimeout(timer);
        resolve();
      }
    };
    proc.stdout?.on('data', onData);
    proc.stderr?.on('data', onData);
    proc.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`stack exited (${code ?? signal ?? '?'}) before it was ready:\n${output.join('').slice(-3000)}`));
    });
  });
  await ready;
  return { proc, output };
}

async function killGroup(c: Child, signal: NodeJS.Signals): Promise<void> {
  if (c.proc.exitCode !== null || c.proc.signalCode !== null || c.proc.pid === undefined) return;
  const exited = new Promise<void>((resolve) => c.proc.once('exit', () => resolve()));
  try {
    process.kill(-c.proc.pid, signal);
  } catch {
    return; // already gone
  }
  await exited;
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
  const contract = JSON.parse(readFileSync(join(dataDir, 'local.json'), 'utf8')) as LocalContract;
  const partner = contract.principals['partner-admin'];

  const accepted: string[] = [];
  let answered = 0;
  let killed = false;
  let killing: Promise<void> | undefined;
  const victim = child;
  let next = 0;
  const submitOne = async (i: number): Promise<void> => {
    const proof = buildIdentityProof({ stsEndpoint: contract.endpoint, protocol: 'http', credentials: { accessKeyId: partner.accessKeyId, accessKeySecret: partner.accessKeySecret } });
    try {
      const res = await fetch(`${contract.api.intake}/requests`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [IDENTITY_HEADER]: proof },
        body: JSON.stringify({ profile: 'ecs-readonly-auto', duration: '1h', reason: `burst #${i}` }),
      });
      const text = await res.text();
      if (res.status === 202) accepted.push((JSON.parse(text) as { request: { id: string } }).request.id);
      else if (!killed) throw new Error(`request #${i} before the kill: HTTP ${res.status} ${text}`);
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
  const again = JSON.parse(readFileSync(join(dataDir, 'local.json'), 'utf8')) as LocalContract;
  expect(again.principals['partner-admin'].accessKeyId).toBe(partner.accessKeyId);
  const ledgerUrl = /ledger\s+(postgres:\/\/\S+)/.exec(child.output.join(''))?.[1];
  if (ledgerUrl === undefined) throw new Error(`the stack printed no ledger URL:\n${child.output.join('').slice(-2000)}`);
  const pg = new Client({ connectionString: ledgerUrl });
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
      const fire = await fetch(`http://127.0.0.1:${port}/_local/fc/timers/crossrole-expiry/fire`, { method: 'POST' });
      expect(fire.status).toBe(200);
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
    console.log(`kill9: ${BURST} submitted ${WIDTH} at a time, killed after ${answered} answers; ${accepted.length} accepted, ${all.length} in the ledger; all ACTIVE after ${rounds} scan(s)`);
  } finally {
    await pg.end();
  }
});

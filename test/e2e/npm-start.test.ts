/**
 * `npm start` as a user runs it: a child process on a free port with a temporary data directory.
 * It must write local.json and answer on every endpoint it prints; Ctrl-C (SIGINT) stops it
 * cleanly; a restart keeps the state.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { freePort } from '../helpers/build';
import { PG_TEST_URL, dropSchema, probePostgres, randomSchemaName } from '../helpers/ledger-pg';

const root = join(__dirname, '..', '..');


interface Started {
  child: ChildProcess;
  output: () => string;
  contract: { endpoint: string; api: { intake: string; approval: string }; principals: Record<string, { accessKeyId: string }> };
}

async function start(port: number, dataDir: string, extra: string[] = []): Promise<Started> {
  // `npm start` = scripts/start.js (build if needed) -> dist/local/main.js.
  const child = spawn(process.execPath, [join(root, 'scripts', 'start.js'), '--port', String(port), '--data-dir', dataDir, '--no-timers', ...extra], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const deadline = Date.now() + 60_000;
  while (!out.includes('ready in')) {
    if (child.exitCode !== null) throw new Error(`npm start exited ${child.exitCode}:\n${out}`);
    if (Date.now() > deadline) throw new Error(`npm start not ready in time:\n${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const contract = JSON.parse(readFileSync(join(dataDir, 'local.json'), 'utf8')) as Started['contract'];
  return { child, output: () => out, contract };
}

function stop(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.kill('SIGINT');
  });
}

describe('npm start', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'crossrole-start-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('writes local.json, answers on every endpoint, stops on Ctrl-C and keeps state on restart', async () => {
    const port = await freePort();
    const s = await start(port, dataDir);
    try {
      expect(s.contract.endpoint).toBe(`127.0.0.1:${port}`);
      expect(Object.keys(s.contract.principals).sort()).toEqual(['approver', 'approver-2', 'bob', 'owner-admin', 'partner-admin']);
      expect(s.output()).toContain(s.contract.api.intake);

      const health = await fetch(`http://127.0.0.1:${port}/_local/health`);
      expect(health.status).toBe(200);
      expect(((await health.json()) as { services: string[] }).services).toEqual(expect.arrayContaining(['ram', 'sts', 'ecs', 'mns', 'fc']));
      // The HTTP triggers answer (without a proof: 401 with a typed code, never a 5xx).
      for (const url of [s.contract.api.intake, s.contract.api.approval]) {
        const r = await fetch(`${url}/requests`);
        expect(r.status).toBe(401);
        expect(((await r.json()) as { error: { code: string } }).error.code).toBe('IDENTITY_MISSING');
      }
      // POP RPC without a signature: the cloud's own error format.
      const rpc = await fetch(`http://127.0.0.1:${port}/?Action=GetCallerIdentity&Version=2015-04-01&Format=JSON`, { method: 'POST' });
      expect(rpc.status).toBeGreaterThanOrEqual(400);
      expect(rpc.status).toBeLessThan(500);
      expect(await rpc.json()).toHaveProperty('Code');
      // MNS without a signature: XML error.
      const mns = await fetch(`http://127.0.0.1:${port}/queues`, { headers: { 'x-mns-version': '2015-06-06' } });
      expect(mns.status).toBeGreaterThanOrEqual(400);
      expect(await mns.text()).toContain('<Error');
    } finally {
      expect(await stop(s.child)).toBe(0);
    }

    // Restart on the same directory: same principals (state kept), still healthy.
    const again = await start(port, dataDir);
    try {
      expect(again.contract.principals['bob']?.accessKeyId).toBe(s.contract.principals['bob']?.accessKeyId);
      expect((await fetch(`http://127.0.0.1:${port}/_local/health`)).status).toBe(200);
    } finally {
      await stop(again.child);
    }
    expect(existsSync(join(dataDir, 'ledger'))).toBe(true);
  }, 120_000);
});

const runPg = probePostgres() === undefined || Boolean(process.env.CI);
(runPg ? describe : describe.skip)('npm start --database-url', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'crossrole-start-pg-'));
  const schema = randomSchemaName();
  afterAll(async () => {
    rmSync(dataDir, { recursive: true, force: true });
    await dropSchema(schema);
  });

  it('keeps the ledger on the PostgreSQL server (migrated at start, no PGlite), and never prints its password', async () => {
    const pg = new Client({ connectionString: PG_TEST_URL });
    await pg.connect();
    try {
      await pg.query(`CREATE SCHEMA ${schema}`);
      // The test server trusts local connections, so the password is carried but never checked.
      const u = new URL(PG_TEST_URL);
      u.password = 'never-printed';
      u.searchParams.set('options', `-c search_path=${schema}`);
      const port = await freePort();
      const s = await start(port, dataDir, ['--database-url', u.toString()]);
      try {
        expect(s.output()).toMatch(/ledger\s+postgres:\/\/\S+:\*\*\*@127\.0\.0\.1:5432\/test\S*\s+\(your PostgreSQL server\)/);
        expect(s.output()).not.toContain('never-printed');
        const { rows } = await pg.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${schema}.schema_migrations`);
        expect(rows[0]?.n).toBeGreaterThan(0);
        const r = await fetch(`${s.contract.api.intake}/requests`);
        expect(r.status).toBe(401);
      } finally {
        expect(await stop(s.child)).toBe(0);
      }
      expect(existsSync(join(dataDir, 'ledger'))).toBe(false);
    } finally {
      await pg.end();
    }
  }, 120_000);
});

/**
 * A function's cold start as FC runs it: the built bundles from dist/ on the product's s.yaml, in
 * the local FC runtime, with an environment that carries no catalog (the functions read
 * catalog.json from their code directory, FC_FUNC_CODE_PATH) and a ledger that nobody migrated.
 * The functions do not migrate: they refuse, clearly, until `crossrole bootstrap` has; and the
 * same instance recovers on the next invocation once it has.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFcService, type FcRuntime } from '../../../local/fc';
import type { InvocationOutcome } from '../../../local/fc/types';
import { startLedgerServer, type LocalLedgerServer } from '../../../local/ledger-server';
import { LOCAL_REGION, LOCAL_VPC, OWNER_ACCOUNT_ID } from '../../../local/world';
import { openLedger } from '../../../shared/ledger';
import { SCHEMA_VERSION } from '../../../shared/ledger/migrations';
import { ensureBuilt, PROJECT_ROOT } from '../../helpers/build';
import { getTestEvent } from '../../helpers/get-test-event';
import { FakeIdentity, FakeIssuer, FakeQueues } from './fakes';
import { recordingLogger, type LogEntry } from './harness';

jest.setTimeout(60_000);

let dir: string;
let ledger: LocalLedgerServer;
let fc: FcRuntime;
const logs: LogEntry[] = [];

beforeAll(async () => {
  await ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'crossrole-cold-'));
  // An initialised PostgreSQL without the Crossrole schema: a fresh RDS database before bootstrap.
  ledger = await startLedgerServer(join(dir, 'ledger'), 0, join(PROJECT_ROOT, 'dist', 'pglite-template'));
  const endpoint = new URL(ledger.url);
  fc = createFcService({
    sYamlPath: join(PROJECT_ROOT, 's.yaml'),
    sYamlEnv: {
      DATABASE_URL: ledger.url,
      CROSSROLE_REGION: LOCAL_REGION,
      CROSSROLE_PROTOCOL: 'http',
      CROSSROLE_RAM_ENDPOINT: '127.0.0.1:1',
      CROSSROLE_STS_ENDPOINT: '127.0.0.1:1',
      CROSSROLE_MNS_ENDPOINT: 'http://127.0.0.1:1',
      CROSSROLE_IDENTITY_STS_URLS: 'http://127.0.0.1:1/',
      CROSSROLE_LOG_LEVEL: 'error',
      CROSSROLE_VPC_ID: LOCAL_VPC.vpcId,
      CROSSROLE_VSWITCH_ID: LOCAL_VPC.vSwitchId,
      CROSSROLE_SECURITY_GROUP_ID: LOCAL_VPC.securityGroupId,
    },
    vpcs: [{ vpcId: LOCAL_VPC.vpcId, vSwitchIds: [LOCAL_VPC.vSwitchId], securityGroupId: LOCAL_VPC.securityGroupId, endpoints: [{ host: endpoint.hostname, port: Number(endpoint.port) }] }],
    accountId: OWNER_ACCOUNT_ID,
    region: LOCAL_REGION,
    credentials: new FakeIssuer(),
    identity: new FakeIdentity(),
    queues: new FakeQueues(),
    timers: false,
    queueTriggers: false,
    logger: recordingLogger(logs),
    only: ['crossrole-intake', 'crossrole-expiry'],
  });
}, 120_000);

afterAll(async () => {
  await fc?.close?.();
  await ledger?.close();
  rmSync(dir, { recursive: true, force: true });
});

function httpAnswer(o: InvocationOutcome): { statusCode: number; body: { error?: { code: string; message: string } } } {
  if (!o.ok) throw new Error(`the HTTP function threw: ${o.error.errorMessage}`);
  if (o.result.kind !== 'json') throw new Error(`expected JSON, got ${o.result.kind}`);
  const v = o.result.value as { statusCode: number; body: string };
  return { statusCode: v.statusCode, body: JSON.parse(v.body) as { error?: { code: string; message: string } } };
}

describe('functions against a ledger that was never migrated', () => {
  it('the timer function fails its invocation with the expected and found versions and what to run', async () => {
    const o = await fc.invoke('crossrole-expiry', getTestEvent('timer/expiry-scan'));
    if (o.ok) throw new Error('the expiry scan ran on an unmigrated ledger');
    expect(o.error.errorMessage).toMatch(/has no Crossrole schema \(never migrated\)/);
    expect(o.error.errorMessage).toContain(`this code needs version ${SCHEMA_VERSION}: run crossrole bootstrap`);
  });

  it('an HTTP function answers 500 INTERNAL (the operator\'s mistake is logged, never shown to callers)', async () => {
    const r = httpAnswer(await fc.invoke('crossrole-intake', getTestEvent('http/intake-list-own-requests')));
    expect(r.statusCode).toBe(500);
    expect(r.body.error?.code).toBe('INTERNAL');
    expect(r.body.error?.message).not.toMatch(/schema|bootstrap/);
  });

  it('created nothing: the check never migrates', async () => {
    const { Client } = await import('pg');
    const c = new Client({ connectionString: ledger.url });
    await c.connect();
    try {
      const { rows } = await c.query<{ t: string | null }>("SELECT to_regclass('schema_migrations')::text AS t");
      expect(rows[0]?.t).toBeNull();
    } finally {
      await c.end();
    }
  });

  it('after bootstrap migrates it, the same instances serve on their next invocation (the catalog from the code package)', async () => {
    const migrator = await openLedger({ driver: 'pg', url: ledger.url, maxConnections: 1 });
    await migrator.close();
    const r = httpAnswer(await fc.invoke('crossrole-intake', getTestEvent('http/intake-list-own-requests')));
    // The dependencies were built this time: the request reached authentication (a placeholder proof).
    expect(r.statusCode).toBe(401);
    expect(r.body.error?.code).toMatch(/^IDENTITY_/);
  });
});

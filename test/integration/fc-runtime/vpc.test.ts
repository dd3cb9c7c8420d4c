/**
 * VPC reachability: a TCP server stands in for a database inside the local VPC. Only the function
 * whose vpcConfig names that VPC can connect; the others hang and fail with ETIMEDOUT, as a
 * connection to a private address outside their network does. Both sides keep ordinary access
 * to endpoints outside the VPC (internetAccess).
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createFcService, type FcRuntime, type FcServiceOptions } from '../../../local/fc';
import type { LocalVpc } from '../../../local/fc/vpc';
import { CrossroleError } from '../../../shared/domain/errors';
import { ACCOUNT, FakeIssuer, REGION } from './fakes';

const FIXTURE = join(__dirname, 'fixture', 's-vpc.yaml');

interface Probe {
  ok: boolean;
  code?: string;
  message?: string;
  status?: number;
  ms: number;
}

let db: Server;
let dbPort: number;
let outsidePort: number;
let outside: Server;
const running: FcRuntime[] = [];
const sockets = new Set<Socket>();

async function listen(s: Server): Promise<number> {
  s.on('connection', (c: Socket) => {
    sockets.add(c);
    c.on('close', () => sockets.delete(c));
  });
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  return (s.address() as AddressInfo).port;
}

beforeAll(async () => {
  // The "database": accepts and closes. The public endpoint: a minimal HTTP responder.
  db = createServer((c) => c.end());
  outside = createServer((c) => c.end('HTTP/1.1 204 No Content\r\nconnection: close\r\n\r\n'));
  dbPort = await listen(db);
  outsidePort = await listen(outside);
});

afterAll(async () => {
  for (const c of sockets) c.destroy();
  await new Promise((r) => db.close(r));
  await new Promise((r) => outside.close(r));
});

afterEach(async () => {
  await Promise.all(running.splice(0).map((f) => f.close?.()));
});

function vpcs(): LocalVpc[] {
  return [
    { vpcId: 'vpc-fxlocal01', vSwitchIds: ['vsw-fxlocal01', 'vsw-fxlocal02'], securityGroupId: 'sg-fxlocal01', endpoints: [{ host: '127.0.0.1', port: dbPort }] },
    { vpcId: 'vpc-fxother01', vSwitchIds: ['vsw-fxother01'], securityGroupId: 'sg-fxother01', endpoints: [] },
  ];
}

function startFc(over: Partial<FcServiceOptions> = {}): FcRuntime {
  const fc = createFcService({ sYamlPath: FIXTURE, accountId: ACCOUNT, region: REGION, credentials: new FakeIssuer(), timers: false, vpcs: vpcs(), vpcConnectTimeoutMs: 300, ...over });
  running.push(fc);
  return fc;
}

async function probe(fc: FcRuntime, fn: string, target: { via: 'net' | 'pg' | 'fetch'; host: string; port: number }): Promise<Probe> {
  const o = await fc.invoke(fn, JSON.stringify(target));
  if (!o.ok || o.result.kind !== 'json') throw new Error(`${fn} failed: ${JSON.stringify(o)}`);
  return o.result.value as Probe;
}

function thrown(f: () => unknown): CrossroleError {
  try {
    f();
  } catch (e) {
    if (e instanceof CrossroleError) return e;
    throw e;
  }
  throw new Error('expected a CrossroleError');
}

describe('a database inside the local VPC', () => {
  it('is reachable from the function attached to that VPC', async () => {
    const fc = startFc();
    expect(await probe(fc, 'fx-vpc-in', { via: 'net', host: '127.0.0.1', port: dbPort })).toMatchObject({ ok: true });
    expect(await probe(fc, 'fx-vpc-in', { via: 'net', host: 'localhost', port: dbPort })).toMatchObject({ ok: true });
  });

  it.each(['fx-vpc-out', 'fx-vpc-other'])('is unreachable from %s: the connection hangs, then ETIMEDOUT', async (fn) => {
    const fc = startFc();
    for (const host of ['127.0.0.1', 'localhost']) {
      const r = await probe(fc, fn, { via: 'net', host, port: dbPort });
      expect(r).toMatchObject({ ok: false, code: 'ETIMEDOUT', message: `connect ETIMEDOUT ${host}:${dbPort}` });
      expect(r.ms).toBeGreaterThanOrEqual(280);
    }
  });

  it('is unreachable through node-postgres (the ledger driver) as well', async () => {
    const fc = startFc();
    expect(await probe(fc, 'fx-vpc-out', { via: 'pg', host: '127.0.0.1', port: dbPort })).toMatchObject({ ok: false, code: 'ETIMEDOUT' });
  });

  it('without a connect timeout in the client, the function\'s own timeout ends it first (default 127 s hang)', async () => {
    const fc = startFc({ vpcConnectTimeoutMs: undefined });
    const o = await fc.invoke('fx-vpc-out', JSON.stringify({ via: 'net', host: '127.0.0.1', port: dbPort }));
    expect(o).toMatchObject({ ok: false, timedOut: true, error: { errorType: 'FunctionTimeout' } });
  }, 15_000);

  it('leaves other endpoints reachable, inside and outside the VPC (internet access)', async () => {
    const fc = startFc();
    for (const fn of ['fx-vpc-in', 'fx-vpc-out']) {
      expect(await probe(fc, fn, { via: 'net', host: '127.0.0.1', port: outsidePort })).toMatchObject({ ok: true });
      expect(await probe(fc, fn, { via: 'fetch', host: '127.0.0.1', port: outsidePort })).toMatchObject({ ok: true, status: 204 });
    }
  });

  it('blocks fetch to the VPC endpoint too', async () => {
    const fc = startFc();
    expect(await probe(fc, 'fx-vpc-out', { via: 'fetch', host: '127.0.0.1', port: dbPort })).toMatchObject({ ok: false, code: 'ETIMEDOUT' });
  });
});

describe('vpcConfig that would not deploy', () => {
  it('refuses a VPC that does not exist, naming the function', () => {
    const e = thrown(() => startFc({ sYamlEnv: { FX_VPC_ID: 'vpc-nope01' } }));
    expect(e.field).toBe('resources.inside.props.vpcConfig.vpcId');
    expect(e.message).toContain('function fx-vpc-in: VPC vpc-nope01 does not exist in the local cloud (declared: vpc-fxlocal01, vpc-fxother01)');
  });

  it('refuses a vSwitch outside the VPC', () => {
    const e = thrown(() => startFc({ sYamlEnv: { FX_VSWITCH_ID: 'vsw-fxother01' } }));
    expect(e.field).toBe('resources.inside.props.vpcConfig.vSwitchIds');
    expect(e.message).toContain('vSwitch vsw-fxother01 is not in VPC vpc-fxlocal01');
  });

  it('refuses a security group outside the VPC', () => {
    const e = thrown(() => startFc({ sYamlEnv: { FX_SECURITY_GROUP_ID: 'sg-fxother01' } }));
    expect(e.field).toBe('resources.inside.props.vpcConfig.securityGroupId');
  });

  it('refuses any vpcConfig when no VPC is declared', () => {
    const e = thrown(() => startFc({ vpcs: [] }));
    expect(e.message).toContain('none is declared');
  });

  it('refuses malformed VPC declarations', () => {
    expect(thrown(() => startFc({ vpcs: [...vpcs(), vpcs()[0] as LocalVpc] })).message).toContain('declared twice');
    expect(thrown(() => startFc({ vpcs: [{ vpcId: 'net-1', vSwitchIds: [], securityGroupId: 'sg', endpoints: [] }] })).message).toContain('not a VPC ID');
  });
});

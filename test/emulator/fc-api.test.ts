/**
 * The local FC 2.0 API driven by the real, unmodified @alicloud/fc2 client (protocols.md §4).
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import * as nodeModule from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFcService, type FcRuntime } from '../../local/fc';
import { ACCOUNT, FakeIdentity, FakeIssuer, FakeQueues, KEYS, REGION, serve, waitFor } from '../integration/fc-runtime/fakes';

interface FcResult { headers: Record<string, string>; data: unknown }
interface FcClient {
  invokeFunction(service: string, fn: string, event: string | Buffer, headers?: Record<string, string>, qualifier?: string): Promise<FcResult>;
  listFunctions(service: string, options?: Record<string, unknown>): Promise<FcResult>;
  getFunction(service: string, fn: string): Promise<FcResult>;
}
type FcClientCtor = new (accountId: string, config: Record<string, unknown>) => FcClient;
// Loaded with Node's own loader: under jest's resolver (moduleFileExtensions puts 'ts' first),
// ali-oss, which fc2 requires, would resolve its shipped .ts sources instead of its .js files.
const nodeLoad = (nodeModule as unknown as { Module: { _load(request: string, parent: null, isMain: boolean): unknown } }).Module._load;
const FCClient = nodeLoad(require.resolve('@alicloud/fc2'), null, false) as FcClientCtor;

const FIXTURE = join(__dirname, '..', 'integration', 'fc-runtime', 'fixture', 's.yaml');
const httpEvent = (path: string): string => JSON.stringify({ requestContext: { http: { path } }, body: '' });

let fc: FcRuntime;
let server: Awaited<ReturnType<typeof serve>>;
let out: string;

function client(key: { accessKeyId: string; accessKeySecret: string; securityToken?: string }, account = ACCOUNT): FcClient {
  return new FCClient(account, { accessKeyID: key.accessKeyId, accessKeySecret: key.accessKeySecret, securityToken: key.securityToken, region: REGION, endpoint: server.url, timeout: 10_000 });
}

async function failure(p: Promise<unknown>): Promise<{ name: string; code: string; message: string }> {
  try {
    await p;
  } catch (e) {
    return e as { name: string; code: string; message: string };
  }
  throw new Error('expected the SDK to throw');
}

beforeAll(async () => {
  out = join(mkdtempSync(join(tmpdir(), 'fc-api-')), 'out.jsonl');
  fc = createFcService({ sYamlPath: FIXTURE, sYamlEnv: { FX_OUT: out }, accountId: ACCOUNT, region: REGION, credentials: new FakeIssuer(), identity: new FakeIdentity(), queues: new FakeQueues(), queueTriggers: false, timers: false, asyncRetryDelayMs: () => 10 });
  server = await serve(fc);
});

afterAll(async () => {
  await server.close();
  await fc.close?.();
});

describe('@alicloud/fc2 against the local FC API', () => {
  it('invokes synchronously and gets the result bytes', async () => {
    const r = await client(KEYS.root).invokeFunction('any-service', 'fx-http', httpEvent('/string'));
    expect(r.data).toBe('plain text');
    expect(r.headers['x-fc-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(r.headers['x-fc-error-type']).toBeUndefined();
    expect(r.headers['content-type']).toBe('application/octet-stream');
  });

  it('returns a function failure as 200 with x-fc-error-type, without throwing', async () => {
    const r = await client(KEYS.root).invokeFunction('svc', 'fx-http', httpEvent('/throw'));
    expect(r.headers['x-fc-error-type']).toBe('UnhandledInvocationError');
    expect(r.data).toMatchObject({ errorMessage: 'boom from handler', errorType: 'RangeError' });
  });

  it('returns the log tail when asked', async () => {
    const r = await client(KEYS.root).invokeFunction('svc', 'fx-http', JSON.stringify({ rawPath: '/echo', requestContext: { http: { path: '/echo' } }, body: '' }), { 'x-fc-log-type': 'Tail' });
    expect(Buffer.from(r.headers['x-fc-log-result'] ?? '', 'base64').toString()).toMatch(/\[INFO\] echo \/echo/);
  });

  it('invokes asynchronously: 202, empty body, the function runs in the background', async () => {
    const r = await client(KEYS.root).invokeFunction('svc', 'fx-http', httpEvent('/write'), { 'X-Fc-Invocation-Type': 'Async' });
    expect(r.data).toBe('');
    expect(r.headers['x-fc-request-id']).toBeDefined();
    await fc.whenIdle();
    await waitFor(() => existsSync(out) && readFileSync(out, 'utf8').includes('"fx-http"'), 3000, 'async side effect');
  });

  it('refuses async payloads over 128 KB', async () => {
    const e = await failure(client(KEYS.root).invokeFunction('svc', 'fx-http', 'x'.repeat(128 * 1024 + 1), { 'X-Fc-Invocation-Type': 'Async' }));
    expect(e.code).toBe('EntityTooLarge');
  });

  it('lists functions with paging', async () => {
    const all = await client(KEYS.root).listFunctions('svc');
    expect((all.data as { functions: Array<{ functionName: string }> }).functions.map((f) => f.functionName)).toEqual(['fx-http', 'fx-queue', 'fx-timer']);
    const page = await client(KEYS.root).listFunctions('svc', { limit: 2 });
    expect(page.data).toMatchObject({ nextToken: 'fx-timer' });
    const rest = await client(KEYS.root).listFunctions('svc', { limit: 2, nextToken: 'fx-timer' });
    expect((rest.data as { functions: Array<{ functionName: string }>; nextToken?: string }).functions.map((f) => f.functionName)).toEqual(['fx-timer']);
    expect((rest.data as { nextToken?: string }).nextToken).toBeUndefined();
    const prefixed = await client(KEYS.root).listFunctions('svc', { prefix: 'fx-q' });
    expect((prefixed.data as { functions: unknown[] }).functions).toHaveLength(1);
  });

  it('gets a function', async () => {
    const r = await client(KEYS.root).getFunction('svc', 'fx-http');
    expect(r.data).toMatchObject({ functionName: 'fx-http', runtime: 'nodejs20', handler: 'index.handler', memorySize: 128, timeout: 1, instanceConcurrency: 1, environmentVariables: { GREETING: 'hello-http', OUT_FILE: out } });
  });

  it('answers FunctionNotFound (404) for an unknown function', async () => {
    const e = await failure(client(KEYS.root).invokeFunction('svc', 'nope', 'x'));
    expect([e.name, e.code]).toEqual(['FCFunctionNotFoundError', 'FunctionNotFound']);
    expect(e.message).toContain('failed with 404');
    expect((await failure(client(KEYS.root).getFunction('svc', 'nope'))).code).toBe('FunctionNotFound');
  });

  it('rejects a bad signature and an unknown access key', async () => {
    const bad = await failure(client({ ...KEYS.root, accessKeySecret: 'WrongSecret0123456789abcdefghi' }).invokeFunction('svc', 'fx-http', 'x'));
    expect([bad.name, bad.code]).toEqual(['FCSignatureNotMatchError', 'SignatureNotMatch']);
    expect(bad.message).toContain('failed with 403');
    const unknown = await failure(client({ accessKeyId: 'LTAI5tUNKNOWN00000001', accessKeySecret: 'x'.repeat(30) }).listFunctions('svc'));
    expect(unknown.code).toBe('InvalidAccessKeyID');
  });

  it('authorizes with RAM: STS credentials carry the token and only their policy\'s functions', async () => {
    const sts = client(KEYS.sts);
    const ok = await sts.invokeFunction('svc', 'fx-timer', '{}');
    expect(ok.headers['x-fc-error-type']).toBeUndefined();
    expect((await failure(sts.invokeFunction('svc', 'fx-http', httpEvent('/string')))).code).toBe('AccessDenied');
    expect((await sts.getFunction('svc', 'fx-queue')).data).toMatchObject({ functionName: 'fx-queue' });
    expect((await failure(client(KEYS.nobody).invokeFunction('svc', 'fx-timer', '{}'))).code).toBe('AccessDenied');
    // The wrong token for an STS key is refused before any policy is looked at.
    expect((await failure(client({ ...KEYS.sts, securityToken: 'other' }).listFunctions('svc'))).code).toBe('InvalidSecurityToken');
  });

  it('only serves the account that owns the functions', async () => {
    const e = await failure(client(KEYS.root, '6543210987654321').listFunctions('svc'));
    expect(e.code).toBe('AccessDenied');
  });

  it('accepts only the LATEST qualifier', async () => {
    expect((await client(KEYS.root).invokeFunction('svc', 'fx-http', httpEvent('/string'), {}, 'LATEST')).data).toBe('plain text');
    expect((await failure(client(KEYS.root).invokeFunction('svc', 'fx-http', 'x', {}, 'prod'))).code).toBe('AliasNotFound');
  });
});

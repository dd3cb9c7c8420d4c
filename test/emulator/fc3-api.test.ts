/**
 * The local FC 3.0 API (2023-03-30) driven by the real, unmodified @alicloud/fc20230330 client:
 * ACS3-HMAC-SHA256 signatures verified by the local cloud's ACS3 verifier, RAM authorization per
 * action, and FC's error codes as openapi-core surfaces them (`code`, `statusCode`).
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import Fc3, * as $Fc3 from '@alicloud/fc20230330';
import { $OpenApiUtil } from '@alicloud/openapi-core';
// The SDK's own runtime-options class (a dependency of @alicloud/fc20230330 and openapi-core).
import { RuntimeOptions } from '@darabonba/typescript';
import { createFcService, type FcRuntime } from '../../local/fc';
import { sha256Hex } from '../../local/core/signing/common';
import { fcAuthorization, fcStringToSign } from '../../local/core/signing/fc';
import { computeAcs3Signature } from '../../local/core/signing/pop';
import { ACCOUNT, FakeIdentity, FakeIssuer, FakeQueues, KEYS, REGION, serve, waitFor, type FakeKey } from '../integration/fc-runtime/fakes';

const FIXTURE = join(__dirname, '..', 'integration', 'fc-runtime', 'fixture', 's.yaml');
const httpEvent = (path: string): string => JSON.stringify({ rawPath: path, requestContext: { http: { path } }, body: '' });

// May read fx-queue's triggers and nothing else.
const reader: FakeKey = {
  accessKeyId: 'LTAI5tFCREADER0000001',
  accessKeySecret: 'ReaderSecret0123456789abcdefgh',
  principal: { accountId: ACCOUNT, arn: `acs:ram::${ACCOUNT}:user/reader`, kind: 'user', name: 'reader', principalId: '2002', accessKeyId: 'LTAI5tFCREADER0000001' },
  allow: [['fc:GetTrigger', `acs:fc:*:${ACCOUNT}:functions/fx-queue/triggers/*`], ['fc:ListTriggers', `acs:fc:*:${ACCOUNT}:functions/fx-queue/triggers/*`]],
};

let fc: FcRuntime;
let server: Awaited<ReturnType<typeof serve>>;
let out: string;

type Key = { accessKeyId: string; accessKeySecret: string; securityToken?: string };

function client(key: Key): Fc3 {
  return new Fc3(new $OpenApiUtil.Config({
    accessKeyId: key.accessKeyId,
    accessKeySecret: key.accessKeySecret,
    ...(key.securityToken === undefined ? {} : { securityToken: key.securityToken }),
    endpoint: `127.0.0.1:${server.port}`,
    protocol: 'http',
    readTimeout: 10_000,
    connectTimeout: 10_000,
  }));
}

async function text(body: Readable | undefined): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of body ?? []) chunks.push(Buffer.from(c as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

function invoke(key: Key, fn: string, event: string, opts: { type?: string; log?: string; qualifier?: string } = {}): Promise<$Fc3.InvokeFunctionResponse> {
  return client(key).invokeFunctionWithOptions(fn,
    new $Fc3.InvokeFunctionRequest({ body: Readable.from([Buffer.from(event)]), ...(opts.qualifier === undefined ? {} : { qualifier: opts.qualifier }) }),
    new $Fc3.InvokeFunctionHeaders({ ...(opts.type === undefined ? {} : { xFcInvocationType: opts.type }), ...(opts.log === undefined ? {} : { xFcLogType: opts.log }) }),
    new RuntimeOptions({}));
}

async function failure(p: Promise<unknown>): Promise<{ code: string; statusCode: number; message: string }> {
  try {
    await p;
  } catch (e) {
    return e as { code: string; statusCode: number; message: string };
  }
  throw new Error('expected the SDK to throw');
}

beforeAll(async () => {
  out = join(mkdtempSync(join(tmpdir(), 'fc3-api-')), 'out.jsonl');
  fc = createFcService({ sYamlPath: FIXTURE, sYamlEnv: { FX_OUT: out }, accountId: ACCOUNT, region: REGION, credentials: new FakeIssuer(), identity: new FakeIdentity([...Object.values(KEYS), reader]), queues: new FakeQueues(), queueTriggers: false, timers: false, asyncRetryDelayMs: () => 10 });
  server = await serve(fc);
});

afterAll(async () => {
  await server.close();
  await fc.close?.();
});

describe('@alicloud/fc20230330 against the local FC 3.0 API', () => {
  it('invokes synchronously: 200 with the function result and an FC 3.0 request id', async () => {
    const r = await invoke(KEYS.root, 'fx-http', httpEvent('/string'));
    expect(r.statusCode).toBe(200);
    expect(await text(r.body)).toBe('plain text');
    expect(r.headers?.['x-fc-request-id']).toMatch(/^1-[0-9a-f]{8}-[0-9a-f]{24}$/);
    expect(r.headers?.['x-fc-error-type']).toBeUndefined();
  });

  it('returns a function failure as 200 with x-fc-error-type, and the log tail when asked', async () => {
    const failed = await invoke(KEYS.root, 'fx-http', httpEvent('/throw'));
    expect(failed.statusCode).toBe(200);
    expect(failed.headers?.['x-fc-error-type']).toBe('UnhandledInvocationError');
    expect(JSON.parse(await text(failed.body))).toMatchObject({ errorMessage: 'boom from handler', errorType: 'RangeError' });
    const tailed = await invoke(KEYS.root, 'fx-http', httpEvent('/echo'), { log: 'Tail' });
    await text(tailed.body);
    expect(Buffer.from(tailed.headers?.['x-fc-log-result'] ?? '', 'base64').toString()).toMatch(/\[INFO\] echo \/echo/);
  });

  it('invokes asynchronously: 202, empty body, the function runs in the background', async () => {
    const r = await invoke(KEYS.root, 'fx-http', httpEvent('/write'), { type: 'Async' });
    expect(r.statusCode).toBe(202);
    expect(await text(r.body)).toBe('');
    await fc.whenIdle();
    await waitFor(() => existsSync(out) && readFileSync(out, 'utf8').includes('"fx-http"'), 3000, 'async side effect');
  });

  it('answers FunctionNotFound (404) for an unknown function, AliasNotFound for another qualifier', async () => {
    const e = await failure(invoke(KEYS.root, 'no-such-function', '{}'));
    expect([e.code, e.statusCode]).toEqual(['FunctionNotFound', 404]);
    expect((await failure(client(KEYS.root).getFunction('no-such-function', new $Fc3.GetFunctionRequest({})))).code).toBe('FunctionNotFound');
    expect((await failure(invoke(KEYS.root, 'fx-http', '{}', { qualifier: 'prod' }))).code).toBe('AliasNotFound');
    const latest = await invoke(KEYS.root, 'fx-http', httpEvent('/string'), { qualifier: 'LATEST' });
    expect(await text(latest.body)).toBe('plain text');
  });

  it('refuses a caller without fc:InvokeFunction (AccessDenied, 403), before saying whether the function exists', async () => {
    const e = await failure(invoke(KEYS.nobody, 'fx-timer', '{}'));
    expect([e.code, e.statusCode]).toEqual(['AccessDenied', 403]);
    expect((await failure(invoke(KEYS.nobody, 'no-such-function', '{}'))).code).toBe('AccessDenied');
    // The STS session may invoke acs:fc:*:<uid>:functions/fx-timer only.
    const ok = await invoke(KEYS.sts, 'fx-timer', '{}');
    expect(ok.headers?.['x-fc-error-type']).toBeUndefined();
    await text(ok.body);
    expect((await failure(invoke(KEYS.sts, 'fx-http', '{}'))).code).toBe('AccessDenied');
    // The FC 2.0 ARN (services/*/functions/fx-*) grants nothing on the FC 3.0 API.
    expect((await failure(client(KEYS.sts).getFunction('fx-queue', new $Fc3.GetFunctionRequest({})))).code).toBe('AccessDenied');
  });

  it('rejects a bad signature (SignatureNotMatch), an unknown key (InvalidAccessKeyID) and a wrong token', async () => {
    const bad = await failure(invoke({ ...KEYS.root, accessKeySecret: 'WrongSecret0123456789abcdefghi' }, 'fx-http', '{}'));
    expect([bad.code, bad.statusCode]).toEqual(['SignatureNotMatch', 403]);
    const unknown = await failure(client({ accessKeyId: 'LTAI5tUNKNOWN00000001', accessKeySecret: 'x'.repeat(30) }).listFunctions(new $Fc3.ListFunctionsRequest({})));
    expect([unknown.code, unknown.statusCode]).toEqual(['InvalidAccessKeyID', 403]);
    const token = await failure(client({ ...KEYS.sts, securityToken: 'other' }).listFunctions(new $Fc3.ListFunctionsRequest({})));
    expect([token.code, token.statusCode]).toEqual(['InvalidSecurityToken', 403]);
  });

  it('refuses the FC 2.0 signature and unknown paths on the 2023-03-30 API', async () => {
    const date = new Date().toUTCString();
    const path = '/2023-03-30/functions/fx-http/invocations';
    const headers = { date, 'content-type': 'application/octet-stream' };
    const auth = fcAuthorization(KEYS.root.accessKeyId, KEYS.root.accessKeySecret, fcStringToSign('POST', path, headers));
    const r = await fetch(`${server.url}${path}`, { method: 'POST', headers: { ...headers, authorization: auth }, body: '{}' });
    expect(r.status).toBe(400);
    expect(await r.json()).toMatchObject({ Code: 'InvalidArgument', RequestId: expect.stringMatching(/^1-/) });
    const unknown = await fetch(`${server.url}/2023-03-30/functions/fx-http/versions`);
    expect(await unknown.json()).toMatchObject({ Code: 'PathNotSupported' });
  });

  it('refuses a replayed ACS3 request (same nonce), a stale x-acs-date and another account\'s endpoint', async () => {
    const signed = (date: Date, nonce: string, host = `127.0.0.1:${server.port}`): Record<string, string> => {
      const headers: Record<string, string> = {
        host,
        'x-acs-action': 'ListFunctions',
        'x-acs-version': '2023-03-30',
        'x-acs-date': `${date.toISOString().slice(0, 19)}Z`,
        'x-acs-signature-nonce': nonce,
        'x-acs-content-sha256': sha256Hex(''),
      };
      const names = Object.keys(headers).sort();
      const { signature } = computeAcs3Signature({ method: 'GET', path: '/2023-03-30/functions', rawQuery: '', headers, body: Buffer.alloc(0) }, names, KEYS.root.accessKeySecret);
      return { ...headers, authorization: `ACS3-HMAC-SHA256 Credential=${KEYS.root.accessKeyId},SignedHeaders=${names.join(';')},Signature=${signature}` };
    };
    const once = signed(new Date(), `nonce-${Date.now()}`);
    expect((await fetch(`${server.url}/2023-03-30/functions`, { headers: once })).status).toBe(200);
    const replay = await fetch(`${server.url}/2023-03-30/functions`, { headers: once });
    expect([replay.status, (await replay.json() as { Code: string }).Code]).toEqual([400, 'InvalidArgument']);
    const stale = await fetch(`${server.url}/2023-03-30/functions`, { headers: signed(new Date(Date.now() - 20 * 60_000), `nonce-stale-${Date.now()}`) });
    expect([stale.status, (await stale.json() as { Code: string }).Code]).toEqual([403, 'RequestTimeTooSkewed']);
    // fetch sends the URL's Host; node:http sends the one signed, as the SDK does against a real endpoint.
    const get = (headers: Record<string, string>): Promise<{ status: number; body: string }> => new Promise((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port: server.port, path: '/2023-03-30/functions', headers }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end();
    });
    expect((await get(signed(new Date(), `nonce-own-${Date.now()}`, `${ACCOUNT}.${REGION}.fc.aliyuncs.com`))).status).toBe(200);
    const other = await get(signed(new Date(), `nonce-other-${Date.now()}`, `6543210987654321.${REGION}.fc.aliyuncs.com`));
    expect([other.status, (JSON.parse(other.body) as { Code: string }).Code]).toEqual([403, 'AccessDenied']);
  });

  it('lists functions in pages of `limit` with an opaque nextToken, and by prefix', async () => {
    const fc3 = client(KEYS.root);
    const all = await fc3.listFunctions(new $Fc3.ListFunctionsRequest({}));
    expect(all.body?.functions?.map((f) => f.functionName)).toEqual(['fx-http', 'fx-queue', 'fx-timer']);
    expect(all.body?.nextToken).toBeUndefined();
    const first = await fc3.listFunctions(new $Fc3.ListFunctionsRequest({ limit: 2 }));
    expect(first.body?.functions?.map((f) => f.functionName)).toEqual(['fx-http', 'fx-queue']);
    expect(first.body?.nextToken).toEqual(expect.any(String));
    expect(first.body?.nextToken).not.toBe('fx-timer');
    const rest = await fc3.listFunctions(new $Fc3.ListFunctionsRequest({ limit: 2, nextToken: first.body?.nextToken }));
    expect(rest.body?.functions?.map((f) => f.functionName)).toEqual(['fx-timer']);
    expect(rest.body?.nextToken).toBeUndefined();
    expect((await fc3.listFunctions(new $Fc3.ListFunctionsRequest({ prefix: 'fx-q' }))).body?.functions?.map((f) => f.functionName)).toEqual(['fx-queue']);
    expect((await failure(fc3.listFunctions(new $Fc3.ListFunctionsRequest({ limit: 101 })))).code).toBe('InvalidArgument');
    expect((await failure(fc3.listFunctions(new $Fc3.ListFunctionsRequest({ nextToken: 'not-a-token' })))).code).toBe('InvalidArgument');
    expect((await failure(client(KEYS.nobody).listFunctions(new $Fc3.ListFunctionsRequest({})))).code).toBe('AccessDenied');
  });

  it('gets a function as the FC 3.0 Function struct', async () => {
    const r = await client(KEYS.root).getFunction('fx-http', new $Fc3.GetFunctionRequest({}));
    expect(r.body).toMatchObject({
      functionName: 'fx-http',
      functionArn: `acs:fc:${REGION}:${ACCOUNT}:functions/fx-http`,
      runtime: 'nodejs20',
      handler: 'index.handler',
      memorySize: 128,
      timeout: 1,
      role: `acs:ram::${ACCOUNT}:role/fx-http-role`,
      state: 'Active',
      environmentVariables: { GREETING: 'hello-http', OUT_FILE: out },
    });
  });

  it('lists and gets triggers: an eventbridge trigger shows its queue, an HTTP trigger its URL', async () => {
    const triggers = await client(reader).listTriggers('fx-queue', new $Fc3.ListTriggersRequest({}));
    expect(triggers.body?.triggers?.map((t) => [t.triggerName, t.triggerType])).toEqual([['driven', 'eventbridge'], ['encoded', 'eventbridge'], ['work', 'eventbridge']]);
    const paged = await client(reader).listTriggers('fx-queue', new $Fc3.ListTriggersRequest({ limit: 1, prefix: 'w' }));
    expect(paged.body?.triggers?.map((t) => t.triggerName)).toEqual(['work']);

    const work = await client(reader).getTrigger('fx-queue', 'work');
    expect(work.body).toMatchObject({ triggerName: 'work', triggerType: 'eventbridge', qualifier: 'LATEST', targetArn: `acs:fc:${REGION}:${ACCOUNT}:functions/fx-queue` });
    const config = JSON.parse(work.body?.triggerConfig ?? '{}') as { eventSourceConfig: { eventSourceType: string; eventSourceParameters: { sourceMNSParameters: Record<string, unknown> } }; runOptions: Record<string, unknown> };
    expect(config.eventSourceConfig.eventSourceType).toBe('MNS');
    expect(config.eventSourceConfig.eventSourceParameters.sourceMNSParameters).toEqual({ RegionId: REGION, QueueName: 'fx-work', IsBase64Decode: false });
    expect(config.runOptions).toMatchObject({ mode: 'event-streaming', deadLetterQueue: { Arn: `acs:mns:${REGION}:${ACCOUNT}:/queues/fx-dlq` } });

    expect((await failure(client(reader).getTrigger('fx-queue', 'nope'))).code).toBe('TriggerNotFound');
    expect((await failure(client(reader).getTrigger('fx-http', 'http'))).code).toBe('AccessDenied');
    expect((await failure(client(KEYS.root).listTriggers('no-such-function', new $Fc3.ListTriggersRequest({})))).code).toBe('FunctionNotFound');

    const http = await client(KEYS.root).getTrigger('fx-http', 'http');
    expect(JSON.parse(http.body?.triggerConfig ?? '{}')).toEqual({ authType: 'anonymous', disableURLInternet: false, methods: ['GET', 'POST'] });
    const url = http.body?.httpTrigger?.urlInternet ?? '';
    expect(url).toBe(`http://127.0.0.1:${server.port}/fn/fx-http`);
    expect(http.body?.httpTrigger?.urlIntranet).toBe(url);
    // The URL is where the trigger answers.
    expect(await (await fetch(`${url}/string`)).text()).toBe('plain text');
  });
});

import { join } from 'node:path';
import { createFcRuntime } from '../../../local/fc/runtime';
import { loadFunctionsFromSYaml, parseSYaml } from '../../../local/fc/s-yaml';
import { CrossroleError } from '../../../shared/domain/errors';
import { ACCOUNT, FakeIssuer, REGION, waitFor } from './fakes';
import { closeAll, FIXTURE, recordingLogger, start, type Harness, type LogEntry } from './harness';

const HTTP_ROLE = `acs:ram::${ACCOUNT}:role/fx-http-role`;
const TIMER_ROLE = `acs:ram::${ACCOUNT}:role/fx-timer-role`;

afterEach(closeAll);

async function json(res: Response): Promise<Record<string, unknown>> {
  return (await res.json()) as Record<string, unknown>;
}

describe('HTTP trigger', () => {
  it('passes the FC 3.0 HTTP event and maps the response struct', async () => {
    const h = await start();
    const res = await fetch(`${h.url}/fn/fx-http/echo?a=1&a=2&b=x%20y`, { method: 'POST', headers: { 'x-custom': 'c1', 'content-type': 'application/json', 'user-agent': 'jest-agent' }, body: '{"hello":"fc"}' });
    expect(res.status).toBe(201);
    expect(res.headers.get('x-echo')).toBe('yes');
    const requestId = res.headers.get('x-fc-request-id');
    const body = await json(res);
    const event = body.event as Record<string, unknown>;
    expect(event).toMatchObject({
      version: 'v1',
      rawPath: '/echo',
      body: '{"hello":"fc"}',
      isBase64Encoded: false,
      queryParameters: { a: '1,2', b: 'x y' },
      headers: { 'X-Custom': 'c1', 'Content-Type': 'application/json', 'User-Agent': 'jest-agent' },
      requestContext: { accountId: ACCOUNT, requestId, http: { method: 'POST', path: '/echo', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'jest-agent' } },
    });
    const rc = event.requestContext as Record<string, string>;
    expect(rc.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(Math.abs(Number(rc.timeEpoch) - Date.now())).toBeLessThan(5000);
    expect(body).toMatchObject({ bodyText: '{"hello":"fc"}', greeting: 'hello-http', region: REGION, accountId: ACCOUNT, requestId, fn: { name: 'fx-http', handler: 'index.handler', memory: 128, timeout: 1 } });
  });

  it('keeps rawPath encoded and decodes http.path', async () => {
    const h = await start();
    const res = await fetch(`${h.url}/fn/fx-http/a%20b`);
    expect(res.status).toBe(404);
    expect(await res.text()).toBe('no route /a%20b');
  });

  it('base64-encodes binary request bodies and decodes base64 response bodies', async () => {
    const h = await start();
    const bin = Buffer.from([0xff, 0x00, 0xfe, 0x80]);
    const res = await fetch(`${h.url}/fn/fx-http/echo`, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: bin });
    const event = (await json(res)).event as Record<string, unknown>;
    expect(event).toMatchObject({ isBase64Encoded: true, body: bin.toString('base64') });
    const out = await fetch(`${h.url}/fn/fx-http/binary`);
    expect(out.status).toBe(200);
    expect(Buffer.from(await out.arrayBuffer())).toEqual(Buffer.from([0, 1, 2, 255]));
  });

  it('sends a plain string or object result as a 200', async () => {
    const h = await start();
    const s = await fetch(`${h.url}/fn/fx-http/string`);
    expect([s.status, await s.text()]).toEqual([200, 'plain text']);
    const o = await fetch(`${h.url}/fn/fx-http/object`);
    expect([o.status, o.headers.get('content-type'), await o.json()]).toEqual([200, 'application/json', { hello: 'world' }]);
  });

  it('answers 405 for a method the trigger does not list, and 404 for a function without HTTP trigger', async () => {
    const h = await start();
    const res = await fetch(`${h.url}/fn/fx-http/echo`, { method: 'PUT', body: 'x' });
    expect(res.status).toBe(405);
    expect(res.headers.get('x-fc-error-type')).toBe('FcCommonError');
    expect(await json(res)).toMatchObject({ ErrorCode: 'MethodNotAllowed' });
    const none = await fetch(`${h.url}/fn/fx-timer/`);
    expect(none.status).toBe(404);
    expect(await json(none)).toMatchObject({ ErrorCode: 'FunctionNotFound' });
  });

  it('answers 413 for a body over the limit without invoking the function', async () => {
    const h = await start({ httpBodyLimit: 1024 });
    const res = await fetch(`${h.url}/fn/fx-http/echo`, { method: 'POST', body: 'x'.repeat(1025) });
    expect(res.status).toBe(413);
    expect(await json(res)).toMatchObject({ ErrorCode: 'EntityTooLarge' });
    expect(h.logs.some((l) => l.msg === 'fc invocation')).toBe(false);
    expect((await fetch(`${h.url}/fn/fx-http/echo`, { method: 'POST', body: 'x'.repeat(1024) })).status).toBe(201);
  });

  it('reports a thrown error as 502 UnhandledInvocationError and keeps serving', async () => {
    const h = await start();
    const res = await fetch(`${h.url}/fn/fx-http/throw`);
    expect(res.status).toBe(502);
    expect(res.headers.get('x-fc-error-type')).toBe('UnhandledInvocationError');
    const err = await json(res);
    expect(err).toMatchObject({ errorMessage: 'boom from handler', errorType: 'RangeError' });
    expect(Array.isArray(err.stackTrace)).toBe(true);
    const ok = await fetch(`${h.url}/fn/fx-http/echo`);
    expect(ok.status).toBe(201);
    // The same warm instance served both: the handler threw, the instance survived.
    expect((await json(ok)).calls).toBe(2);
  });

  it('stops a function at its timeout, reports FunctionTimeout, and serves the next request from a new instance', async () => {
    const h = await start();
    const t0 = Date.now();
    const res = await fetch(`${h.url}/fn/fx-http/sleep`);
    expect(res.status).toBe(502);
    expect(await json(res)).toEqual({ errorMessage: 'Function timed out after 1 seconds', errorType: 'FunctionTimeout' });
    expect(Date.now() - t0).toBeLessThan(3000);
    const ok = await fetch(`${h.url}/fn/fx-http/echo`);
    expect(ok.status).toBe(201);
    expect((await json(ok)).calls).toBe(1);
  });

  it('replaces an instance that crashed outside the handler', async () => {
    const h = await start();
    const res = await fetch(`${h.url}/fn/fx-http/crash`);
    expect(res.status).toBe(502);
    expect(await json(res)).toMatchObject({ errorType: 'Error', errorMessage: expect.stringContaining('crash outside the handler') });
    const ok = await fetch(`${h.url}/fn/fx-http/echo`);
    expect(ok.status).toBe(201);
    expect((await json(ok)).calls).toBe(1);
  });

  it('reuses warm instances and bounds them by maxConcurrency', async () => {
    const h = await start({ maxConcurrency: 2 });
    const results = await Promise.all(Array.from({ length: 6 }, () => h.fc.invoke('fx-timer', '{}')));
    expect(results.every((r) => r.ok)).toBe(true);
    const colds = h.logs.filter((l) => l.msg === 'fc cold start' && l.fields?.function === 'fx-timer');
    expect(colds.length).toBeLessThanOrEqual(2);
    expect(colds.length).toBeGreaterThanOrEqual(1);
  });
});

describe('function environment and credentials', () => {
  it('gives each function its own process.env, FC variables and role credentials', async () => {
    const h = await start();
    const a = await h.fc.invoke('fx-http', JSON.stringify({ requestContext: { http: { path: '/env' } }, body: '' }));
    const b = await h.fc.fireTimer('fx-timer');
    if (!a.ok || a.result.kind !== 'json' || !b.ok || b.result.kind !== 'json') throw new Error('invocations failed');
    const va = a.result.value as { greeting: string; env: Record<string, string>; credentials: Record<string, string> };
    const vb = b.result.value as { greeting: string; env: Record<string, string>; credentials: Record<string, string> };
    expect([va.greeting, vb.greeting]).toEqual(['hello-http', 'hello-timer']);
    expect(va.env).toMatchObject({ FC_FUNCTION_NAME: 'fx-http', FC_REGION: REGION, FC_ACCOUNT_ID: ACCOUNT, FC_FUNCTION_HANDLER: 'index.handler', FC_FUNCTION_MEMORY_SIZE: '128', LOCAL_ENDPOINT: 'http://127.0.0.1:1', OUT_FILE: h.out });
    expect(vb.env).toMatchObject({ FC_FUNCTION_NAME: 'fx-timer', LOCAL_ENDPOINT: 'http://127.0.0.1:1', GREETING: 'hello-timer' });
    expect(vb.env.OUT_FILE).toBeUndefined();
    // The host's environment does not leak into functions.
    expect(va.env.PATH).toBeUndefined();

    const httpCreds = h.issuer.latestFor(HTTP_ROLE);
    const timerCreds = h.issuer.latestFor(TIMER_ROLE);
    expect(httpCreds).toBeDefined();
    expect(va.credentials).toEqual({ accessKeyId: httpCreds?.accessKeyId, accessKeySecret: httpCreds?.accessKeySecret, securityToken: httpCreds?.securityToken });
    expect(vb.credentials).toEqual({ accessKeyId: timerCreds?.accessKeyId, accessKeySecret: timerCreds?.accessKeySecret, securityToken: timerCreds?.securityToken });
    expect(va.env).toMatchObject({ ALIBABA_CLOUD_ACCESS_KEY_ID: httpCreds?.accessKeyId, ALIBABA_CLOUD_ACCESS_KEY_SECRET: httpCreds?.accessKeySecret, ALIBABA_CLOUD_SECURITY_TOKEN: httpCreds?.securityToken });
    expect(h.issuer.issued.map((i) => [i.roleArn, i.service, i.sessionName])).toEqual(expect.arrayContaining([
      [HTTP_ROLE, 'fc.aliyuncs.com', 'fc-fx-http'],
      [TIMER_ROLE, 'fc.aliyuncs.com', 'fc-fx-timer'],
    ]));
  });

  it('refreshes role credentials before they expire, and restarts instances with the new ones', async () => {
    const issuer = new FakeIssuer();
    issuer.lifetimeMs = 2000;
    const h = await start({}, issuer);
    const first = await h.fc.fireTimer('fx-timer');
    await new Promise((r) => setTimeout(r, 1600));
    const second = await h.fc.fireTimer('fx-timer');
    if (!first.ok || first.result.kind !== 'json' || !second.ok || second.result.kind !== 'json') throw new Error('invocations failed');
    const c1 = (first.result.value as { credentials: { accessKeyId: string } }).credentials;
    const v2 = second.result.value as { credentials: { accessKeyId: string }; env: Record<string, string> };
    expect(v2.credentials.accessKeyId).not.toBe(c1.accessKeyId);
    expect(v2.env.ALIBABA_CLOUD_ACCESS_KEY_ID).toBe(v2.credentials.accessKeyId);
  });

  it('fails the invocation, not the runtime, when the role cannot be assumed', async () => {
    const issuer = new FakeIssuer();
    issuer.refuse.add(TIMER_ROLE);
    const h = await start({}, issuer);
    const o = await h.fc.fireTimer('fx-timer');
    expect(o.ok).toBe(false);
    if (!o.ok) expect(o.error.errorType).toBe('FunctionRoleError');
    expect((await fetch(`${h.url}/fn/fx-http/echo`)).status).toBe(201);
  });
});

describe('timer trigger', () => {
  it('fires with the FC timer event', async () => {
    const h = await start();
    const o = await h.fc.fireTimer('fx-timer', 'every-hour');
    if (!o.ok || o.result.kind !== 'json') throw new Error('timer invocation failed');
    const ev = (o.result.value as { event: Record<string, string> }).event;
    expect(Object.keys(ev).sort()).toEqual(['payload', 'triggerName', 'triggerTime']);
    expect(ev).toMatchObject({ triggerName: 'every-hour', payload: '{"job":"scan"}' });
    expect(ev.triggerTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    await expect(h.fc.fireTimer('fx-http')).rejects.toMatchObject({ code: 'VALIDATION' });
  });

  it('fires through the admin endpoint', async () => {
    const h = await start();
    const res = await fetch(`${h.url}/_local/fc/timers/fx-timer/fire`, { method: 'POST' });
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({ ok: true, result: { event: { triggerName: 'every-hour' } } });
    expect((await fetch(`${h.url}/_local/fc/timers/fx-http/fire`, { method: 'POST' })).status).toBe(404);
  });

  it('runs on its schedule when timers are on, and not when they are off', async () => {
    const fired = (h: Harness): number => h.logs.filter((l) => l.msg === 'fc invocation' && l.fields?.function === 'fx-timer').length;
    // The fixture fires hourly; a one-second cron is swapped in for this test.
    const specs = loadFunctionsFromSYaml(FIXTURE, { env: {}, accountId: ACCOUNT }).filter((f) => f.functionName === 'fx-timer');
    const timer = specs[0]!;
    timer.triggers = [{ kind: 'timer', triggerName: 'fast', cronExpression: '* * * * * *', enable: true }];
    const logs: LogEntry[] = [];
    const logger = recordingLogger(logs);
    const make = (timers: boolean): ReturnType<typeof createFcRuntime> => createFcRuntime({ functions: specs, baseDir: join(__dirname, 'fixture'), region: REGION, accountId: ACCOUNT, credentials: new FakeIssuer(), timers, logger });
    const off = make(false);
    await new Promise((r) => setTimeout(r, 1300));
    expect(fired({ logs } as Harness)).toBe(0);
    await off.close?.();
    const running = make(true);
    try {
      await waitFor(() => fired({ logs } as Harness) >= 1, 3000, 'a scheduled timer invocation');
    } finally {
      await running.close?.();
    }
  });
});

function thrown(f: () => unknown): CrossroleError {
  try {
    f();
  } catch (e) {
    if (e instanceof CrossroleError) return e;
    throw e;
  }
  throw new Error('expected a CrossroleError');
}

const oneFunction = (props: string): string => `edition: 3.0.0
name: t
resources:
  f:
    component: fc3
    props:
      region: cn-hangzhou
      functionName: fx-limits
      code: ./code/http
${props}`;

describe('instance concurrency (FC 3.0: custom runtimes only)', () => {
  it('runs one request at a time per instance of a standard runtime: parallel requests get their own instances', async () => {
    const h = await start({ maxConcurrency: 5 });
    const results = await Promise.all(Array.from({ length: 3 }, () => fetch(`${h.url}/fn/fx-http/wait`).then(async (r) => (await r.json()) as { instanceId: string; maxInFlight: number })));
    expect(new Set(results.map((r) => r.instanceId)).size).toBe(3);
    expect(results.every((r) => r.maxInFlight === 1)).toBe(true);
    expect(h.logs.filter((l) => l.msg === 'fc cold start' && l.fields?.function === 'fx-http')).toHaveLength(3);
  });

  it('queues requests when every instance is busy rather than sharing one', async () => {
    const h = await start({ maxConcurrency: 1 });
    const results = await Promise.all(Array.from({ length: 3 }, () => fetch(`${h.url}/fn/fx-http/wait`).then(async (r) => (await r.json()) as { instanceId: string; maxInFlight: number })));
    expect(new Set(results.map((r) => r.instanceId)).size).toBe(1);
    expect(results.map((r) => r.maxInFlight)).toEqual([1, 1, 1]);
  });

  it.each(['nodejs20', 'nodejs18', 'python3.10', 'java11'])('refuses instanceConcurrency > 1 on the standard runtime %s, naming the function', (runtime) => {
    const e = thrown(() => parseSYaml(oneFunction(`      runtime: ${runtime}\n      instanceConcurrency: 20`), { env: {}, accountId: ACCOUNT }));
    expect(e.code).toBe('INVALID_CONFIG');
    expect(e.field).toBe('resources.f.props.instanceConcurrency');
    expect(e.message).toContain('function fx-limits');
    expect(e.message).toContain(`runtime ${runtime} is a standard runtime`);
  });

  it('accepts instanceConcurrency on custom runtimes and custom containers, and 1 (no concurrency) anywhere', () => {
    for (const runtime of ['custom', 'custom.debian10', 'custom-container']) {
      expect(parseSYaml(oneFunction(`      runtime: ${runtime}\n      instanceConcurrency: 20`), { env: {}, accountId: ACCOUNT })[0]?.instanceConcurrency).toBe(20);
    }
    expect(parseSYaml(oneFunction('      runtime: nodejs20\n      instanceConcurrency: 1'), { env: {}, accountId: ACCOUNT })[0]?.instanceConcurrency).toBe(1);
  });

  it('refuses at runtime start a spec built without s.yaml that asks for it', () => {
    const [spec] = loadFunctionsFromSYaml(FIXTURE, { env: {}, accountId: ACCOUNT });
    if (!spec) throw new Error('fixture changed');
    spec.instanceConcurrency = 10;
    const e = thrown(() => createFcRuntime({ functions: [spec], baseDir: join(__dirname, 'fixture'), region: REGION, accountId: ACCOUNT, credentials: new FakeIssuer(), timers: false }));
    expect(e.message).toContain('function fx-http');
  });
});

describe('environment size (4 KB per function)', () => {
  // The JSON form {"BIG":"<value>"} takes len(value) + 10 bytes.
  const sized = (bytes: number): string => 'x'.repeat(bytes - 10);

  it('accepts exactly 4096 bytes and refuses 4097, naming the function and the size', () => {
    const ok = parseSYaml(oneFunction(`      runtime: nodejs20\n      environmentVariables:\n        BIG: ${sized(4096)}`), { env: {}, accountId: ACCOUNT });
    expect(ok[0]?.environmentVariables.BIG).toHaveLength(4086);
    const e = thrown(() => parseSYaml(oneFunction(`      runtime: nodejs20\n      environmentVariables:\n        BIG: ${sized(4097)}`), { env: {}, accountId: ACCOUNT }));
    expect(e.code).toBe('INVALID_CONFIG');
    expect(e.field).toBe('resources.f.props.environmentVariables');
    expect(e.message).toContain('function fx-limits');
    expect(e.message).toContain('4097 bytes');
    expect(e.message).toContain('BIG (4087 bytes)');
  });

  it('counts UTF-8 bytes, and the values as resolved from ${env()}', () => {
    // "é" takes 2 bytes: 2000 of them fit (4010 bytes), 2100 do not (4210 bytes), though far under 4096 characters.
    const text = oneFunction("      runtime: nodejs20\n      environmentVariables:\n        BIG: ${env('BIG')}");
    expect(parseSYaml(text, { env: { BIG: 'é'.repeat(2000) }, accountId: ACCOUNT })).toHaveLength(1);
    expect(thrown(() => parseSYaml(text, { env: { BIG: 'é'.repeat(2100) }, accountId: ACCOUNT })).message).toContain('4210 bytes');
  });

  it('counts the runtime\'s extra variables too, refusing the runtime at start', () => {
    const specs = loadFunctionsFromSYaml(FIXTURE, { env: {}, accountId: ACCOUNT });
    const e = thrown(() => createFcRuntime({ functions: specs, baseDir: join(__dirname, 'fixture'), region: REGION, accountId: ACCOUNT, credentials: new FakeIssuer(), timers: false, env: { PADDING: 'p'.repeat(4050) } }));
    expect(e.message).toMatch(/^resources\.http\.props\.environmentVariables: function fx-http: its environment variables take \d+ bytes/);
  });

  it.each([
    ['a name starting with a digit', '1ABC'],
    ['a name with a dash', 'A-B'],
    ['a reserved FC_ name', 'FC_REGION'],
  ])('refuses %s', (_what, key) => {
    const e = thrown(() => parseSYaml(oneFunction(`      runtime: nodejs20\n      environmentVariables:\n        ${key}: v`), { env: {}, accountId: ACCOUNT }));
    expect(e.field).toBe(`resources.f.props.environmentVariables.${key}`);
  });
});

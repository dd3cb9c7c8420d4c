import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFcRuntime, createFcService, loadFunctionsFromSYaml, type FcRuntime, type FcServiceOptions } from '../../../local/fc';
import type { FcLogger } from '../../../local/fc/types';
import { ACCOUNT, FakeIdentity, FakeIssuer, FakeQueues, REGION, serve, waitFor } from './fakes';

const FIXTURE = join(__dirname, 'fixture', 's.yaml');
const HTTP_ROLE = `acs:ram::${ACCOUNT}:role/fx-http-role`;
const TIMER_ROLE = `acs:ram::${ACCOUNT}:role/fx-timer-role`;
const QUEUE_ROLE = `acs:ram::${ACCOUNT}:role/fx-queue-role`;

interface Harness {
  fc: FcRuntime;
  issuer: FakeIssuer;
  queues: FakeQueues;
  out: string;
  url: string;
  logs: Array<{ level: string; msg: string; fields?: Record<string, unknown> }>;
  lines(): Array<Record<string, unknown>>;
  close(): Promise<void>;
}

const open: Harness[] = [];

async function start(over: Partial<FcServiceOptions> = {}, issuer = new FakeIssuer()): Promise<Harness> {
  const out = join(mkdtempSync(join(tmpdir(), 'fc-rt-')), 'out.jsonl');
  const queues = new FakeQueues();
  const logs: Harness['logs'] = [];
  const logger: FcLogger = {
    debug: (msg, fields) => logs.push({ level: 'debug', msg, ...(fields ? { fields } : {}) }),
    info: (msg, fields) => logs.push({ level: 'info', msg, ...(fields ? { fields } : {}) }),
    warn: (msg, fields) => logs.push({ level: 'warn', msg, ...(fields ? { fields } : {}) }),
    error: (msg, fields) => logs.push({ level: 'error', msg, ...(fields ? { fields } : {}) }),
  };
  const fc = createFcService({
    sYamlPath: FIXTURE,
    sYamlEnv: { FX_OUT: out },
    accountId: ACCOUNT,
    region: REGION,
    credentials: issuer,
    identity: new FakeIdentity(),
    queues,
    timers: false,
    env: { LOCAL_ENDPOINT: 'http://127.0.0.1:1', GREETING: 'overridden-by-s.yaml' },
    logger,
    queueWaitSeconds: 0.2,
    retryDelayMs: () => 10,
    ...over,
  });
  const server = await serve(fc);
  const h: Harness = {
    fc, issuer, queues, out, url: server.url, logs,
    lines: () => (existsSync(out) ? readFileSync(out, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>) : []),
    close: async () => {
      await server.close();
      await fc.close?.();
    },
  };
  open.push(h);
  return h;
}

afterEach(async () => {
  await Promise.all(open.splice(0).map((h) => h.close()));
});

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
    const logs: Harness['logs'] = [];
    const logger: FcLogger = { debug: (msg, fields) => logs.push({ level: 'debug', msg, ...(fields ? { fields } : {}) }), info: () => undefined, warn: () => undefined, error: () => undefined };
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

describe('MNS queue trigger', () => {
  it('delivers each message as an event-driven CloudEvent and deletes it on success', async () => {
    const h = await start();
    const sent = h.queues.sendMessage(ACCOUNT, 'fx-work', '{"requestId":"r-1"}');
    await waitFor(() => h.queues.deleted.find((d) => d.messageId === sent.messageId), 5000, 'delete');
    const [line] = h.lines();
    const ce = line?.ce as Record<string, unknown>;
    expect(ce).toMatchObject({
      source: 'MNS-fx-queue-work',
      specversion: '1.0',
      type: 'mns:Queue:SendMessage',
      datacontenttype: 'application/json; charset=utf-8',
      subject: `acs:mns:${REGION}:${ACCOUNT}:queues/fx-work`,
      aliyunaccountid: ACCOUNT,
      aliyunoriginalaccountid: ACCOUNT,
      aliyuneventbusname: 'MNS-fx-queue-work',
      aliyunregionid: REGION,
      data: { messageId: sent.messageId, messageBody: '{"requestId":"r-1"}' },
    });
    expect(typeof ce.id).toBe('string');
    expect(typeof (ce.data as Record<string, unknown>).requestId).toBe('string');
    expect(new Date(ce.time as string).toISOString()).toBe(ce.time);
    // The function ran with its own role's credentials.
    const qc = h.issuer.latestFor(QUEUE_ROLE);
    expect(line?.credentials).toEqual({ accessKeyId: qc?.accessKeyId, accessKeySecret: qc?.accessKeySecret, securityToken: qc?.securityToken });
    expect(h.queues.bodies(ACCOUNT, 'fx-work')).toEqual([]);
  });

  it('retries a failing message 3 times (BACKOFF_RETRY), then sends the event to the dead-letter queue', async () => {
    const h = await start();
    const sent = h.queues.sendMessage(ACCOUNT, 'fx-work', 'fail-1');
    await waitFor(() => h.queues.bodies(ACCOUNT, 'fx-dlq').length === 1, 5000, 'dead letter');
    await waitFor(() => h.queues.deleted.find((d) => d.messageId === sent.messageId), 2000, 'delete of the original');
    const attempts = h.lines().filter((l) => (l.ce as { data: { messageBody: string } }).data.messageBody === 'fail-1');
    expect(attempts).toHaveLength(4);
    // One event, retried: the same CloudEvent id every time.
    expect(new Set(attempts.map((a) => (a.ce as { id: string }).id)).size).toBe(1);
    const dead = JSON.parse(h.queues.bodies(ACCOUNT, 'fx-dlq')[0] ?? '{}') as Record<string, unknown>;
    expect(dead).toMatchObject({ type: 'mns:Queue:SendMessage', subject: `acs:mns:${REGION}:${ACCOUNT}:queues/fx-work`, data: { messageId: sent.messageId, messageBody: 'fail-1' } });
    expect(h.queues.bodies(ACCOUNT, 'fx-work')).toEqual([]);
    // The message stayed invisible for the whole retry sequence: 4 attempts x 5 s timeout + delays + margin.
    expect(h.queues.receives.find((r) => r.queue === 'fx-work')?.visibilityTimeout).toBe(51);
  });

  it('drops a failing message after the retries when there is no dead-letter queue and errorsTolerance is ALL', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'fc-rt-')), 'out.jsonl');
    const specs = loadFunctionsFromSYaml(FIXTURE, { env: { FX_OUT: out }, accountId: ACCOUNT }).filter((f) => f.functionName === 'fx-queue');
    const trig = specs[0]!.triggers[0]!;
    if (trig.kind !== 'mns') throw new Error('fixture changed');
    delete trig.deadLetterQueueArn;
    specs[0]!.triggers = [trig];
    const queues = new FakeQueues();
    const fc = createFcRuntime({ functions: specs, baseDir: join(__dirname, 'fixture'), region: REGION, accountId: ACCOUNT, credentials: new FakeIssuer(), queues, queueWaitSeconds: 0.2, retryDelayMs: () => 5, maxRetries: { BACKOFF_RETRY: 1 } });
    try {
      const sent = queues.sendMessage(ACCOUNT, 'fx-work', 'fail-drop');
      await waitFor(() => queues.deleted.find((d) => d.messageId === sent.messageId), 5000, 'drop');
      expect(readFileSync(out, 'utf8').trim().split('\n')).toHaveLength(2);
      expect([...queues.queues.keys()].filter((k) => k.endsWith('dlq'))).toEqual([]);
    } finally {
      await fc.close?.();
    }
  });

  it('decodes base64 bodies when IsBase64Decode is true', async () => {
    const h = await start();
    const sent = h.queues.sendMessage(ACCOUNT, 'fx-encoded', Buffer.from('{"id":"decoded"}').toString('base64'));
    await waitFor(() => h.queues.deleted.find((d) => d.messageId === sent.messageId), 5000, 'delete');
    expect(h.lines()[0]?.ce).toMatchObject({ source: 'MNS-fx-queue-encoded', data: { messageBody: '{"id":"decoded"}' } });
  });

  it('blocks the trigger when retries are exhausted with errorsTolerance NONE, keeping the message', async () => {
    const h = await start({ maxRetries: { BACKOFF_RETRY: 1 } });
    h.queues.sendMessage(ACCOUNT, 'fx-encoded', Buffer.from('fail-blocking').toString('base64'));
    await waitFor(() => h.fc.queueTriggerStates()['fx-queue/encoded'] === 'blocked', 5000, 'blocked trigger');
    expect(h.lines()).toHaveLength(2);
    expect(h.queues.bodies(ACCOUNT, 'fx-encoded')).toHaveLength(1);
    expect(h.queues.bodies(ACCOUNT, 'fx-dlq')).toEqual([]);
    // Other triggers keep running.
    expect(h.fc.queueTriggerStates()['fx-queue/work']).toBe('running');
    h.queues.sendMessage(ACCOUNT, 'fx-encoded', Buffer.from('ignored').toString('base64'));
    await new Promise((r) => setTimeout(r, 400));
    expect(h.lines()).toHaveLength(2);
  });

  it('stops polling on close()', async () => {
    const h = await start();
    await h.close();
    open.splice(open.indexOf(h), 1);
    h.queues.sendMessage(ACCOUNT, 'fx-work', 'after-close');
    await new Promise((r) => setTimeout(r, 500));
    expect(h.queues.bodies(ACCOUNT, 'fx-work')).toEqual(['after-close']);
    expect(h.lines()).toEqual([]);
    expect(h.fc.queueTriggerStates()).toEqual({ 'fx-queue/work': 'stopped', 'fx-queue/encoded': 'stopped' });
  });
});

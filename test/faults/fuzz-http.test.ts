/**
 * Worst day #5: the HTTP triggers are fed garbage. fast-check generates methods, paths under both
 * functions, headers (identity proofs random, half-valid or mangled), query strings and bodies
 * (random JSON, prototype-pollution keys, random bytes as base64, huge strings, unicode, control
 * characters). Whatever comes in: never a 5xx, never a throw, always a JSON body with a typed
 * `error.code` for a non-2xx answer, and the stack still healthy afterwards.
 *
 * Most runs call the built handler bundles in-process with FC 3.0 HTTP events (the same bytes
 * the FC runtime hands them), configured by environment to use the running stack's ledger, STS
 * and MNS; a share goes over real HTTP through the local FC trigger.
 * Sizes: CROSSROLE_FUZZ_RUNS (in-process, default 9,500) and CROSSROLE_FUZZ_HTTP_RUNS (default 500).
 */
import * as fc from 'fast-check';
import { join } from 'node:path';
import { IDENTITY_HEADER } from '../../shared/identity';
import { buildIdentityRequest } from '../../shared/identity/proof';
import { encodeProof } from '../../shared/identity/proof-format';
import { LOCAL_CATALOG, LOCAL_REGION } from '../../local/world';
import { PROJECT_ROOT, startTestStack, type TestStack } from '../helpers/stack';
import { envInt } from './helpers';

const RUNS = envInt('CROSSROLE_FUZZ_RUNS', 9500);
const HTTP_RUNS = envInt('CROSSROLE_FUZZ_HTTP_RUNS', 500);

jest.setTimeout(240_000);

interface HttpResponse { statusCode: number; headers: Record<string, string>; body: string }
type Handler = (event: Buffer, context: { requestId: string; credentials: { accessKeyId: string; accessKeySecret: string } }) => Promise<HttpResponse>;

let t: TestStack;
let handlers: { intake: Handler; approval: Handler };
let validProof: () => string;

beforeAll(async () => {
  t = await startTestStack();
  const { contract } = t;
  const url = `http://${contract.endpoint}`;
  // The functions' configuration, as local/stack.ts gives it to them in the FC runtime.
  Object.assign(process.env, {
    CROSSROLE_CONFIG: JSON.stringify(LOCAL_CATALOG),
    DATABASE_URL: t.stack.ledgerUrl,
    CROSSROLE_REGION: LOCAL_REGION,
    CROSSROLE_PROTOCOL: 'http',
    CROSSROLE_RAM_ENDPOINT: contract.endpoint,
    CROSSROLE_STS_ENDPOINT: contract.endpoint,
    CROSSROLE_MNS_ENDPOINT: url,
    CROSSROLE_IDENTITY_STS_URLS: `${url}/`,
    CROSSROLE_LOG_LEVEL: 'error',
  });
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const load = (name: string): Handler => (require(join(PROJECT_ROOT, 'dist', 'functions', name, 'index.js')) as { handler: Handler }).handler;
  handlers = { intake: load('intake'), approval: load('approval') };
  const partner = contract.principals['partner-admin'];
  validProof = () => encodeProof(buildIdentityRequest({ stsEndpoint: contract.endpoint, protocol: 'http', credentials: { accessKeyId: partner.accessKeyId, accessKeySecret: partner.accessKeySecret } }));
}, 120_000);

afterAll(async () => {
  await t?.close();
});

// ---------------------------------------------------------------- generators

const nasty = fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', '', ' ', '..', '%2e%2e', '\u0000', '\u202e', '😀', 'ＰＲＯＦＩＬＥ', 'null', '[object Object]');
const text = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme', maxLength: 50 }),
  fc.string({ unit: 'binary', maxLength: 50 }),
  nasty,
  fc.constantFrom("'; DROP TABLE requests; --", '{"$where":"1"}', '${jndi:ldap://x}', '<script>alert(1)</script>', '\r\nX-Injected: 1'),
);
const key = fc.oneof(nasty, fc.constantFrom('profile', 'duration', 'reason', 'roleName', 'principals', 'mode', 'acknowledgePrivileged'), fc.string({ maxLength: 12 }));
const jsonish: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, text, fc.double(), fc.integer(), fc.boolean(), fc.constant(null), tie('arr'), tie('obj')),
  arr: fc.array(tie('value'), { maxLength: 5 }),
  obj: fc.dictionary(key, tie('value'), { maxKeys: 6 }),
})).value;
/** Bodies that look like real requests with one field or more gone wrong. */
const almost = fc.record({
  profile: fc.oneof(fc.constantFrom('ecs-readonly', 'ecs-readonly-auto'), text),
  duration: fc.oneof(fc.constantFrom('1h', '8h', '30m', '7d', '0s', '-1h', '1e9h', 'PT1H'), text),
  reason: text,
  roleName: text,
  principals: fc.array(text, { maxLength: 12 }),
  mode: fc.oneof(fc.constantFrom('trust', 'delete'), text),
}, { requiredKeys: [] });
const body = fc.oneof(
  { weight: 3, arbitrary: jsonish.map((v) => JSON.stringify(v) ?? 'undefined') },
  { weight: 3, arbitrary: almost.map((v) => JSON.stringify(v)) },
  { weight: 1, arbitrary: fc.constantFrom('{"__proto__":{"isApprover":true,"status":"ACTIVE"}}', '{"constructor":{"prototype":{"admin":true}}}', '{"profile":"ecs-readonly","duration":"1h","reason":"x","__proto__":{"roleName":"x"}}') },
  { weight: 2, arbitrary: text },
  { weight: 1, arbitrary: fc.constantFrom('x'.repeat(300_000), `{"reason":"${'é'.repeat(140_000)}"}`, '['.repeat(10_000), '{"a":'.repeat(5_000)) },
);
const rawBytes = fc.uint8Array({ maxLength: 512 }).map((b) => Buffer.from(b).toString('base64'));

const segment = fc.oneof(nasty, fc.constantFrom('requests', 'approve', 'reject', 'revoke', 'retry', 'cancel', 'review', 'audit', '00000000-0000-4000-8000-000000000000'), fc.string({ maxLength: 20 }), fc.webSegment());
const path = fc.oneof(
  fc.constantFrom('/requests', '/requests/', '/', '', '/audit'),
  fc.tuple(segment, fc.constantFrom('approve', 'reject', 'revoke', 'retry', 'cancel', 'review', '')).map(([id, verb]) => `/requests/${id}${verb ? `/${verb}` : ''}`),
  fc.array(segment, { maxLength: 6 }).map((s) => `/${s.join('/')}`),
);
const method = fc.oneof(fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS', 'get', 'post'), fc.string({ maxLength: 8 }));

/** Identity header values: missing, random, random base64url JSON, a valid proof mangled. */
const identity = fc.oneof(
  // Valid proofs, so that bodies, ids and queries reach the use cases behind authentication.
  { weight: 4, arbitrary: fc.constantFrom({ valid: 'partner-admin' as const }, { valid: 'approver' as const }, { valid: 'bob' as const }) },
  fc.constant(undefined),
  text,
  jsonish.map((v) => Buffer.from(JSON.stringify(v) ?? '', 'utf8').toString('base64url')),
  fc.record({ v: fc.oneof(fc.constant(1), jsonish), method: fc.oneof(fc.constant('POST'), text), url: fc.oneof(fc.constantFrom('http://127.0.0.1:1/', 'http://[::1]/', 'http://2130706433/', 'file:///etc/passwd'), text), headers: fc.dictionary(fc.string({ maxLength: 10 }), fc.string({ maxLength: 20 }), { maxKeys: 4 }) })
    .map((e) => Buffer.from(JSON.stringify(e), 'utf8').toString('base64url')),
  fc.tuple(fc.nat(), fc.string({ minLength: 1, maxLength: 3 })).map(([i, junk]) => ({ mangle: { i, junk } })),
  fc.constant('x'.repeat(20_000)),
);

const headers = fc.dictionary(fc.oneof(fc.string({ maxLength: 16 }), fc.constantFrom('content-type', 'content-length', 'host', 'X-Crossrole-Identity', '__proto__')), fc.string({ maxLength: 64 }), { maxKeys: 5 });

interface Case {
  fn: 'intake' | 'approval';
  method: string;
  path: string;
  headers: Record<string, string>;
  identity: string | { mangle: { i: number; junk: string } } | { valid: 'partner-admin' | 'approver' | 'bob' } | undefined;
  query: Record<string, string>;
  body: string;
  base64: boolean;
}

const caseArb: fc.Arbitrary<Case> = fc.record({
  fn: fc.constantFrom('intake' as const, 'approval' as const),
  method,
  path,
  headers,
  identity,
  query: fc.dictionary(key, text, { maxKeys: 4 }),
  body: fc.oneof({ weight: 4, arbitrary: body }, { weight: 1, arbitrary: rawBytes }),
  base64: fc.boolean(),
});

function identityValue(c: Case): string | undefined {
  if (c.identity === undefined || typeof c.identity === 'string') return c.identity;
  if ('valid' in c.identity) return t.api(c.identity.valid).proof();
  // A real, fresh proof with one character changed (or appended to): signature or encoding breaks.
  const p = validProof();
  const i = c.identity.mangle.i % (p.length + 1);
  return p.slice(0, i) + c.identity.mangle.junk + p.slice(i + 1);
}

function eventOf(c: Case): Buffer {
  const id = identityValue(c);
  const hdrs: Record<string, string> = { ...c.headers };
  if (id !== undefined) hdrs[IDENTITY_HEADER] = id;
  const bodyText = c.base64 ? Buffer.from(c.body, 'utf8').toString('base64') : c.body;
  return Buffer.from(JSON.stringify({
    version: 'v1',
    rawPath: c.path,
    body: bodyText,
    isBase64Encoded: c.base64,
    headers: hdrs,
    queryParameters: c.query,
    requestContext: { accountId: '1511928242963727', domainName: 'local', domainPrefix: 'local', http: { method: c.method, path: c.path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'fuzz' }, requestId: 'fuzz', time: new Date().toISOString(), timeEpoch: String(Date.now()) },
  }), 'utf8');
}

/** The contract every answer must keep; returns a description of the breach, or undefined. */
function breach(status: number, bodyText: string): string | undefined {
  if (!Number.isInteger(status) || status < 200 || status >= 500) return `status ${status}`;
  if (status < 300) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(bodyText);
  } catch {
    return `non-JSON body for ${status}: ${bodyText.slice(0, 200)}`;
  }
  const code = (parsed as { error?: { code?: unknown } } | null)?.error?.code;
  if (typeof code !== 'string' || !/^[A-Z][A-Z0-9_]*$/.test(code)) return `no typed error.code for ${status}: ${bodyText.slice(0, 200)}`;
  return undefined;
}

test(`${RUNS} generated requests in-process: no 5xx, no throw, typed errors`, async () => {
  const statuses = new Map<number, number>();
  const context = { requestId: 'fuzz', credentials: { accessKeyId: t.contract.principals['owner-admin'].accessKeyId, accessKeySecret: t.contract.principals['owner-admin'].accessKeySecret } };
  // The handlers log every refusal as a JSON line on stdout (the boot logger before config is
  // read): 10,000 of them would drown the test report, so they are dropped for this run.
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = (() => true) as typeof process.stdout.write;
  try {
    await runInProcess(statuses, context);
  } finally {
    process.stdout.write = write;
  }
  console.log(`fuzz in-process: ${RUNS} cases, statuses ${JSON.stringify(Object.fromEntries([...statuses].sort()))}`);
});

async function runInProcess(statuses: Map<number, number>, context: Parameters<Handler>[1]): Promise<void> {
  await fc.assert(
    fc.asyncProperty(caseArb, async (c) => {
      const res = await handlers[c.fn](eventOf(c), context);
      statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
      const problem = breach(res.statusCode, res.body);
      if (problem !== undefined) throw new Error(problem);
    }),
    { numRuns: RUNS, seed: Number(process.env.CROSSROLE_FUZZ_SEED ?? Date.now() % 2 ** 31) },
  );
  // Junk events (not an FC HTTP event at all) are answered too.
  for (const junk of ['', 'null', '[]', '{"requestContext":{}}', '\u0000\u0001', '{"version":"v1","rawPath":"/requests","requestContext":{"http":{"method":"POST","path":"/requests"}},"body":"{}","isBase64Encoded":"yes"}']) {
    for (const fn of ['intake', 'approval'] as const) {
      const res = await handlers[fn](Buffer.from(junk, 'utf8'), context);
      expect(breach(res.statusCode, res.body)).toBeUndefined();
    }
  }
}

test(`${HTTP_RUNS} generated requests over real HTTP: no 5xx, typed errors, the stack still healthy`, async () => {
  const statuses = new Map<number, number>();
  const base = `http://${t.contract.endpoint}/fn`;
  const httpSafe = (s: string): string => s.replace(/[^\x21-\x7e]/g, '');
  await fc.assert(
    fc.asyncProperty(caseArb, fc.constantFrom('GET', 'POST', 'GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'), async (c, m) => {
      const hdrs: Record<string, string> = {};
      for (const [k, v] of Object.entries(c.headers)) {
        const name = k.replace(/[^a-zA-Z0-9-]/g, '');
        if (name === '' || ['content-length', 'host', 'transfer-encoding', 'connection', 'expect', 'upgrade', 'keep-alive', 'te', 'trailer'].includes(name.toLowerCase())) continue;
        hdrs[name] = httpSafe(v);
      }
      const id = identityValue(c);
      if (id !== undefined) hdrs[IDENTITY_HEADER] = httpSafe(id);
      // Dot segments (even %2E-escaped) are resolved by any URL parser, fetch included, before the
      // request leaves; they would leave the function's URL space, so they become '...'.
      const target = `${base}/crossrole-${c.fn}${c.path.split('/').map((seg) => (seg === '.' || seg === '..' ? '...' : encodeURIComponent(seg))).join('/')}?${new URLSearchParams(c.query).toString()}`;
      const res = await fetch(target, { method: m, headers: hdrs, ...(m === 'GET' ? {} : { body: c.body }) });
      const bodyText = await res.text();
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      // A method the HTTP trigger is not configured for is refused by FC itself, in FC's error
      // format, before the function runs (as in the cloud).
      const fcRefusal = res.status === 405 && m !== 'GET' && m !== 'POST' && /^[A-Za-z]+$/.test(String((JSON.parse(bodyText) as { ErrorCode?: unknown }).ErrorCode));
      const problem = fcRefusal ? undefined : breach(res.status, bodyText);
      if (problem !== undefined) throw new Error(`${m} ${target}: ${problem}`);
    }),
    { numRuns: HTTP_RUNS },
  );
  const health = await fetch(`http://${t.contract.endpoint}/_local/health`);
  expect(health.status).toBe(200);
  // And the functions themselves still serve a real request.
  const ok = await t.api('partner-admin').call('intake', 'GET', '/requests');
  expect(ok.status).toBe(200);
  console.log(`fuzz over HTTP: ${HTTP_RUNS} cases, statuses ${JSON.stringify(Object.fromEntries([...statuses].sort()))}`);
});

test('regressions found by this fuzzer: a NUL in an id or a list cursor is a 4xx, not a 500', async () => {
  const partner = t.api('partner-admin');
  for (const [fn, method, path] of [['intake', 'GET', '/requests/%00'], ['intake', 'GET', '/requests?after=%00'], ['approval', 'POST', '/requests/a%00b/revoke'], ['approval', 'GET', '/requests?after=x%00']] as const) {
    const res = await partner.call(fn, method, path, method === 'POST' ? { body: { reason: 'x' } } : {});
    expect({ path, status: res.status, problem: breach(res.status, res.text) }).toEqual({ path, status: expect.any(Number), problem: undefined });
    expect(res.status).toBeLessThan(500);
  }
});

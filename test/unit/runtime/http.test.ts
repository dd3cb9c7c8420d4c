import { z } from 'zod';
import {
  AuthenticationError,
  CrossroleError,
  ERROR_CODES,
  ForbiddenError,
  IllegalTransitionError,
  NotFoundError,
  ValidationError,
  VersionConflictError,
  type ErrorCode,
} from '../../../shared/domain/errors';
import type { CallerIdentity } from '../../../shared/domain/ports';
import { type AuthedRoute, httpEdge } from '../../../shared/runtime/http/edge';
import { type HttpEvent, type HttpRequest, parseHttpEvent, parseJsonBody } from '../../../shared/runtime/http/event';
import { type ErrorBody, HTTP_STATUS, type HttpResponse, jsonResponse, toHttpResponse } from '../../../shared/runtime/http/response';
import { matchRoute, routablePath } from '../../../shared/runtime/http/router';
import { createLogger } from '../../../shared/runtime/logger';
import { getTestEvent, getTestEventJson, listTestEvents } from '../../helpers/get-test-event';

const RID = '0f3c6a1e-8b2d-4c5e-9a7f-1d2e3f4a5b6c';

function captureLogger(): { logger: ReturnType<typeof createLogger>; lines: string[] } {
  const lines: string[] = [];
  return { logger: createLogger({ level: 'debug', sink: (l) => lines.push(l) }), lines };
}

function bodyOf(res: HttpResponse): ErrorBody {
  return JSON.parse(res.body) as ErrorBody;
}

function thrown(fn: () => unknown): CrossroleError {
  try {
    fn();
  } catch (e) {
    if (e instanceof CrossroleError) return e;
    throw e;
  }
  throw new Error('expected a CrossroleError');
}

describe('jsonResponse', () => {
  it('builds FC response objects with JSON and security headers', () => {
    expect(jsonResponse(201, { id: 'x' }, { Location: '/requests/x' })).toEqual({
      statusCode: 201,
      headers: { 'content-type': 'application/json', location: '/requests/x', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' },
      body: '{"id":"x"}',
      isBase64Encoded: false,
    });
  });

  it('security headers cannot be weakened by callers', () => {
    const res = jsonResponse(200, {}, { 'Cache-Control': 'public, max-age=3600' });
    expect(res.headers['cache-control']).toBe('no-store');
  });
});

describe('toHttpResponse', () => {
  const cases: Array<[string, unknown, number, ErrorCode]> = [
    ['ValidationError', new ValidationError('INVALID_DURATION', 'duration', 'bad'), 400, 'INVALID_DURATION'],
    ['AuthenticationError', new AuthenticationError('IDENTITY_MISSING', 'no proof'), 401, 'IDENTITY_MISSING'],
    ['ForbiddenError', new ForbiddenError('FORBIDDEN_SELF_APPROVAL', 'not yours to approve'), 403, 'FORBIDDEN_SELF_APPROVAL'],
    ['NotFoundError', new NotFoundError('request', RID), 404, 'NOT_FOUND'],
    ['METHOD_NOT_ALLOWED', new CrossroleError('METHOD_NOT_ALLOWED', 'nope', { details: { allow: ['GET', 'POST'] } }), 405, 'METHOD_NOT_ALLOWED'],
    ['IllegalTransitionError', new IllegalTransitionError('REVOKED', 'APPROVED', RID), 409, 'ILLEGAL_TRANSITION'],
    ['VersionConflictError', new VersionConflictError(RID, 2), 409, 'VERSION_CONFLICT'],
    ['PAYLOAD_TOO_LARGE', new CrossroleError('PAYLOAD_TOO_LARGE', 'big'), 413, 'PAYLOAD_TOO_LARGE'],
    ['UNKNOWN_PROFILE', new CrossroleError('UNKNOWN_PROFILE', 'no such profile'), 422, 'UNKNOWN_PROFILE'],
    ['THROTTLED', new CrossroleError('THROTTLED', 'slow down', { details: { retryAfterSeconds: 1.5 } }), 429, 'THROTTLED'],
    ['DEPENDENCY_UNAVAILABLE', new CrossroleError('DEPENDENCY_UNAVAILABLE', 'RAM unavailable, retry'), 503, 'DEPENDENCY_UNAVAILABLE'],
  ];

  it.each(cases)('%s → %i', (_name, error, status, code) => {
    const { logger } = captureLogger();
    const res = toHttpResponse(error, { requestId: 'fc-1', logger });
    expect(res.statusCode).toBe(status);
    expect(res.headers['content-type']).toBe('application/json');
    expect(res.headers['cache-control']).toBe('no-store');
    const body = bodyOf(res);
    expect(body.requestId).toBe('fc-1');
    expect(body.error.code).toBe(code);
    expect(body.error.message).toBe((error as Error).message);
    expect(Object.keys(body)).toEqual(['error', 'requestId']);
  });

  it('every error code maps to its table status (INVALID_CONFIG and INTERNAL excepted: both are 500s)', () => {
    for (const code of ERROR_CODES) {
      const res = toHttpResponse(new CrossroleError(code, 'm'), { logger: captureLogger().logger });
      const expected = code === 'INVALID_CONFIG' ? 500 : HTTP_STATUS[code];
      expect({ code, status: res.statusCode }).toEqual({ code, status: expected });
    }
  });

  it('includes field for validation errors, and never details', () => {
    const res = toHttpResponse(new ValidationError('INVALID_ARN', 'principals[0]', 'bad', { details: { secretish: 'internal' } }), { logger: captureLogger().logger });
    expect(bodyOf(res).error).toEqual({ code: 'INVALID_ARN', message: 'principals[0]: bad', field: 'principals[0]' });
  });

  it('sets Allow on 405 and Retry-After on 429', () => {
    const { logger } = captureLogger();
    expect(toHttpResponse(cases[4]?.[1], { logger }).headers.allow).toBe('GET, POST');
    expect(toHttpResponse(cases[9]?.[1], { logger }).headers['retry-after']).toBe('2');
  });

  it('zod errors become 400 VALIDATION naming the field', () => {
    const r = z.object({ profile: z.object({ name: z.string() }) }).safeParse({ profile: { name: 7 } });
    expect(r.success).toBe(false);
    const res = toHttpResponse(r.error, { logger: captureLogger().logger });
    expect(res.statusCode).toBe(400);
    expect(bodyOf(res).error).toMatchObject({ code: 'VALIDATION', field: 'profile.name' });
  });

  it.each<[string, unknown]>([
    ['TypeError', new TypeError("Cannot read properties of undefined (reading 'accessKeySecret')")],
    ['string', 'db password=hunter2 rejected'],
    ['object', { code: 'INVALID_JSON', message: 'pretending to be a CrossroleError' }],
    ['undefined', undefined],
    ['INVALID_CONFIG (operator error, not caller error)', new ValidationError('INVALID_CONFIG', 'CROSSROLE_CONFIG.approvers[0]', 'acs:ram::1234567890123456:user/alice is wrong')],
    ['INTERNAL CrossroleError', new CrossroleError('INTERNAL', 'invariant broken at ledger row 7')],
  ])('unknown failure (%s) → 500 INTERNAL, generic, logged, nothing leaked', (_name, error) => {
    const { logger, lines } = captureLogger();
    const res = toHttpResponse(error, { requestId: 'fc-2', logger });
    expect(res.statusCode).toBe(500);
    const body = bodyOf(res);
    expect(body).toEqual({ error: { code: 'INTERNAL', message: expect.stringContaining('internal error') }, requestId: 'fc-2' });
    for (const leak of ['accessKeySecret', 'hunter2', 'pretending', 'alice', 'ledger row', 'at ', 'Error']) expect(res.body).not.toContain(leak);
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] as string)).toMatchObject({ level: 'error', requestId: 'fc-2' });
  });

  it('passes a ready HttpResponse through, enforcing the security headers', () => {
    const ok = jsonResponse(200, { ok: true });
    const res = toHttpResponse({ ...ok, headers: { 'content-type': 'application/json', 'cache-control': 'public' } });
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe('{"ok":true}');
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('logs 4xx at info/warn (not error) and 5xx at error', () => {
    const { logger, lines } = captureLogger();
    toHttpResponse(new ValidationError('VALIDATION', 'x', 'y'), { logger });
    toHttpResponse(new AuthenticationError('IDENTITY_EXPIRED', 'old'), { logger });
    toHttpResponse(new CrossroleError('CLOUD_ERROR', 'ram'), { logger });
    expect(lines.map((l) => (JSON.parse(l) as { level: string }).level)).toEqual(['info', 'warn', 'error']);
  });
});

describe('parseHttpEvent', () => {
  it('parses the valid intake POST (Buffer, as FC passes it)', () => {
    const req = parseHttpEvent(getTestEvent('http/intake-create-request'));
    expect(req).toMatchObject({ method: 'POST', rawPath: '/requests', path: '/requests', requestId: '1-6750a1b2-0123456789abcdef01234567', sourceIp: '203.0.113.10' });
    expect(req.headers['x-crossrole-identity']).toBeDefined();
    expect(parseJsonBody(req)).toEqual({ profile: 'ecs-readonly', duration: '8h', reason: expect.any(String) });
  });

  it('accepts a string or an object too', () => {
    const text = getTestEvent('http/intake-get-request').toString('utf8');
    expect(parseHttpEvent(text).rawPath).toBe(`/requests/${RID}`);
    expect(parseHttpEvent(JSON.parse(text) as object).method).toBe('GET');
  });

  it('decodes base64 bodies', () => {
    const plain = parseHttpEvent(getTestEvent('http/intake-create-request'));
    const b64 = parseHttpEvent(getTestEvent('http/intake-create-request-base64'));
    expect(b64.body).toBe(plain.body);
    expect(b64.bodyBytes).toBe(Buffer.byteLength(plain.body));
  });

  it('lower-cases header names and joins multi-values', () => {
    const e = getTestEventJson<HttpEvent>('http/intake-get-request');
    e.headers = { 'X-Crossrole-Identity': 'p', Accept: ['a', 'b'], 'X-Forwarded-For': '1.1.1.1' };
    e.queryParameters = { status: ['PENDING', 'ACTIVE'] };
    const req = parseHttpEvent(e);
    expect(req.headers).toEqual({ 'x-crossrole-identity': 'p', accept: 'a,b', 'x-forwarded-for': '1.1.1.1' });
    expect(req.query).toEqual({ status: 'PENDING,ACTIVE' });
  });

  it('parses the query of the pending list', () => {
    expect(parseHttpEvent(getTestEvent('http/approval-list-pending')).query).toEqual({ status: 'PENDING' });
  });

  it('oversize body → PAYLOAD_TOO_LARGE 413 (plain and base64, checked before decoding)', () => {
    const err = thrown(() => parseHttpEvent(getTestEvent('http/invalid-oversize')));
    expect(err.code).toBe('PAYLOAD_TOO_LARGE');
    expect(HTTP_STATUS[err.code]).toBe(413);
    const e = getTestEventJson<HttpEvent>('http/intake-create-request-base64');
    expect(thrown(() => parseHttpEvent(e, { maxBodyBytes: 16 })).code).toBe('PAYLOAD_TOO_LARGE');
    e.body = Buffer.alloc(300_000).toString('base64');
    expect(thrown(() => parseHttpEvent(e)).code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('a body exactly at the limit is accepted', () => {
    const e = getTestEventJson<HttpEvent>('http/intake-create-request');
    e.body = 'x'.repeat(1024);
    expect(parseHttpEvent(e, { maxBodyBytes: 1024 }).bodyBytes).toBe(1024);
    e.body = 'é'.repeat(513); // 1026 bytes: the limit is in bytes, not characters
    expect(thrown(() => parseHttpEvent(e, { maxBodyBytes: 1024 })).code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('bad base64 → VALIDATION at body', () => {
    const err = thrown(() => parseHttpEvent(getTestEvent('http/invalid-base64-body')));
    expect({ code: err.code, field: err.field }).toEqual({ code: 'VALIDATION', field: 'body' });
  });

  it.each<[string, unknown, string]>([
    ['the invalid sample', getTestEventJson('http/invalid-not-http-event'), 'event.requestContext.http'],
    ['not JSON', Buffer.from('GET / HTTP/1.1'), 'event'],
    ['an array', [], 'event'],
    ['a number', 42, 'event'],
    ['wrong version', { ...getTestEventJson<HttpEvent>('http/intake-get-request'), version: 'v2' }, 'event.version'],
    ['method with spaces', (() => {
      const e = getTestEventJson<HttpEvent>('http/intake-get-request');
      e.requestContext.http.method = 'GET /admin';
      return e;
    })(), 'event.requestContext.http.method'],
  ])('malformed event (%s) → VALIDATION naming the field', (_name, event, field) => {
    const err = thrown(() => parseHttpEvent(event as object));
    expect({ code: err.code, field: err.field, status: HTTP_STATUS[err.code] }).toEqual({ code: 'VALIDATION', field, status: 400 });
  });

  it('every valid http sample parses; every invalid one either fails to parse or is refused later', () => {
    for (const name of listTestEvents('http')) {
      if (!name.includes('/invalid-')) expect(() => parseHttpEvent(getTestEvent(name))).not.toThrow();
    }
  });
});

describe('parseJsonBody', () => {
  const req = (body: string): Pick<HttpRequest, 'body' | 'bodyBytes'> => ({ body, bodyBytes: Buffer.byteLength(body) });

  it('malformed JSON (sample) → INVALID_JSON 400 with a clear message', () => {
    const err = thrown(() => parseJsonBody(parseHttpEvent(getTestEvent('http/invalid-malformed-json'))));
    expect(err.code).toBe('INVALID_JSON');
    expect(HTTP_STATUS[err.code]).toBe(400);
    expect(err.message).toMatch(/^body: is not valid JSON \(/);
  });

  it('empty body → INVALID_JSON', () => {
    expect(thrown(() => parseJsonBody(req(''))).code).toBe('INVALID_JSON');
    expect(thrown(() => parseJsonBody(req('  \n'))).code).toBe('INVALID_JSON');
  });

  it.each(['["a"]', '"text"', '42', 'null', 'true'])('non-object %s → VALIDATION', (text) => {
    const err = thrown(() => parseJsonBody(req(text)));
    expect({ code: err.code, field: err.field }).toEqual({ code: 'VALIDATION', field: 'body' });
  });

  it('the array sample → VALIDATION', () => {
    expect(thrown(() => parseJsonBody(parseHttpEvent(getTestEvent('http/invalid-body-not-object')))).code).toBe('VALIDATION');
  });

  it('over maxBytes → PAYLOAD_TOO_LARGE', () => {
    expect(thrown(() => parseJsonBody(req(`{"a":"${'x'.repeat(100)}"}`), 50)).code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('returns the object', () => {
    expect(parseJsonBody(req('{"a":1,"b":{"c":[1]}}'))).toEqual({ a: 1, b: { c: [1] } });
  });
});

describe('router', () => {
  // The matcher is generic: a route table carries whatever its edge needs, here just a name.
  const routes = [
    { method: 'POST', pattern: '/requests', name: 'create' },
    { method: 'GET', pattern: '/requests', name: 'list' },
    { method: 'GET', pattern: '/requests/:id', name: 'get' },
    { method: 'POST', pattern: '/requests/:id/approve', name: 'approve' },
    { method: 'POST', pattern: '/requests/:id/reject', name: 'reject' },
    { method: 'POST', pattern: '/requests/:id/revoke', name: 'revoke' },
  ];

  it.each([
    ['/requests', '/requests'],
    ['/fn/crossrole-intake/requests', '/requests'],
    ['/fn/crossrole-intake', '/'],
    ['/fn/crossrole-intake/', '/'],
    ['/requests/', '/requests'],
    ['/', '/'],
    ['/function/x', '/function/x'],
  ])('routablePath(%s) = %s', (raw, path) => {
    expect(routablePath(raw)).toBe(path);
  });

  it.each<[string, string, Record<string, string>]>([
    ['http/intake-create-request', 'create', {}],
    ['http/intake-get-request', 'get', { id: RID }],
    ['http/intake-get-request-local-prefix', 'get', { id: RID }],
    ['http/intake-list-own-requests', 'list', {}],
    ['http/approval-list-pending', 'list', {}],
    ['http/approval-approve', 'approve', { id: RID }],
    ['http/approval-reject', 'reject', { id: RID }],
    ['http/approval-revoke', 'revoke', { id: RID }],
  ])('%s → %s', (event, name, params) => {
    const m = matchRoute(parseHttpEvent(getTestEvent(event)), routes);
    expect({ name: m.route.name, params: m.params }).toEqual({ name, params });
  });

  it('decodes path parameters', () => {
    expect(matchRoute({ method: 'GET', rawPath: '/requests/a%2Fb' }, routes).params).toEqual({ id: 'a/b' });
  });

  it('wrong method → METHOD_NOT_ALLOWED naming the allowed methods', () => {
    expect(thrown(() => matchRoute(parseHttpEvent(getTestEvent('http/invalid-wrong-method')), routes)).details).toEqual({ allow: ['POST'] });
    expect(thrown(() => matchRoute({ method: 'PUT', rawPath: '/requests' }, routes)).details).toEqual({ allow: ['GET', 'POST'] });
  });

  it('unknown route → ROUTE_NOT_FOUND', () => {
    expect(thrown(() => matchRoute(parseHttpEvent(getTestEvent('http/invalid-unknown-route')), routes)).code).toBe('ROUTE_NOT_FOUND');
    for (const rawPath of ['/requests/x/y/approve', '/requests//approve', '/requests/%E0%A4%A/approve', '/fn/crossrole-intake/nothing']) {
      expect(thrown(() => matchRoute({ method: 'POST', rawPath }, routes)).code).toBe('ROUTE_NOT_FOUND');
    }
  });
});

describe('httpEdge: route, authenticate, parse the declared body, map', () => {
  interface Deps { logger: ReturnType<typeof createLogger>; config: { maxBodyBytes: number } }
  const caller: CallerIdentity = { accountId: '2000000000000002', arn: 'acs:ram::2000000000000002:user/bob', principalId: 'p', identityType: 'RAMUser' };

  function edge(routes: ReadonlyArray<AuthedRoute<Deps>>, maxBodyBytes = 1024): { handler: (event: Buffer) => Promise<HttpResponse>; authenticated: () => number } {
    let authentications = 0;
    const deps: Deps = { logger: captureLogger().logger, config: { maxBodyBytes } };
    const h = httpEdge<Deps>(routes, {
      maxBodyBytes: () => maxBodyBytes,
      deps: async () => deps,
      authenticate: async (_deps, headers) => {
        authentications++;
        if (headers['x-crossrole-identity'] === undefined) throw new AuthenticationError('IDENTITY_MISSING', 'no proof');
        return caller;
      },
      bootLogger: captureLogger().logger,
    });
    return { handler: (event) => h(event, { requestId: 'fc-1' }), authenticated: () => authentications };
  }
  const seen: unknown[] = [];
  const routes: ReadonlyArray<AuthedRoute<Deps>> = [
    { method: 'GET', pattern: '/requests/:id', handler: async ({ params, caller: c }) => jsonResponse(200, { id: params.id, by: c.arn }) },
    { method: 'POST', pattern: '/requests', body: true, handler: async ({ body }) => { seen.push(body); return jsonResponse(202, { got: body }); } },
    { method: 'POST', pattern: '/requests/:id/retry', handler: async ({ params }) => jsonResponse(200, { retried: params.id }) },
    { method: 'GET', pattern: '/a', handler: async () => { throw new NotFoundError('request', 'r9'); } },
    { method: 'GET', pattern: '/b', handler: async () => Promise.reject(new Error('pg: connection refused to 10.0.0.5')) },
  ];
  /** An HTTP event with the sample's shape and a proof header, optionally another method, path and body. */
  function event(method: string, path: string, body?: string, proof = true): Buffer {
    const e = getTestEventJson<HttpEvent>('http/intake-create-request');
    e.requestContext.http.method = method;
    e.requestContext.http.path = path;
    e.rawPath = path;
    e.body = body ?? '';
    e.isBase64Encoded = false;
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(e.headers ?? {})) if (k.toLowerCase() !== 'x-crossrole-identity') headers[k] = Array.isArray(v) ? v.join(',') : v;
    e.headers = proof ? { ...headers, 'x-crossrole-identity': 'proof' } : headers;
    return Buffer.from(JSON.stringify(e), 'utf8');
  }
  beforeEach(() => {
    seen.length = 0;
  });

  it('a route that declares a body gets it parsed as a JSON object', async () => {
    const res = await edge(routes).handler(event('POST', '/requests', '{"profile":"ecs-read"}'));
    expect(res.statusCode).toBe(202);
    expect(seen).toEqual([{ profile: 'ecs-read' }]);
  });

  it.each<[string, number, string]>([
    ['', 400, 'INVALID_JSON'],
    ['{"a":', 400, 'INVALID_JSON'],
    ['[1,2]', 400, 'VALIDATION'],
    ['"text"', 400, 'VALIDATION'],
  ])('a declared body %j that is not a JSON object → %i %s, and the handler never runs', async (body, status, code) => {
    const res = await edge(routes).handler(event('POST', '/requests', body));
    expect({ status: res.statusCode, code: bodyOf(res).error.code }).toEqual({ status, code });
    expect(seen).toEqual([]);
  });

  it('a body over the limit → 413 before anything else', async () => {
    const e = edge(routes, 16);
    const res = await e.handler(event('POST', '/requests', JSON.stringify({ reason: 'x'.repeat(64) })));
    expect(res.statusCode).toBe(413);
    expect(e.authenticated()).toBe(0);
  });

  it('authentication comes before the body: no proof and a bad body is a 401', async () => {
    const res = await edge(routes).handler(event('POST', '/requests', '{"a":', false));
    expect(bodyOf(res).error.code).toBe('IDENTITY_MISSING');
  });

  it('a route without a declared body ignores whatever body is sent', async () => {
    const res = await edge(routes).handler(event('POST', '/requests/r1/retry', 'not json at all'));
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ retried: 'r1' });
  });

  it('an unknown route or a wrong method is answered before authentication (no STS call)', async () => {
    const e = edge(routes);
    const notFound = await e.handler(event('GET', '/nothing'));
    expect(notFound.statusCode).toBe(404);
    const wrong = await e.handler(event('DELETE', '/requests'));
    expect(wrong.statusCode).toBe(405);
    expect(wrong.headers.allow).toBe('POST');
    expect(e.authenticated()).toBe(0);
  });

  it('the caller and path parameters reach the handler', async () => {
    const res = await edge(routes).handler(event('GET', '/fn/crossrole-intake/requests/a%2Fb'));
    expect(JSON.parse(res.body)).toEqual({ id: 'a/b', by: caller.arn });
  });

  it("maps a handler's thrown error, and never lets an unexpected one escape", async () => {
    const e = edge(routes);
    expect((await e.handler(event('GET', '/a'))).statusCode).toBe(404);
    const b = await e.handler(event('GET', '/b'));
    expect(b.statusCode).toBe(500);
    expect(b.body).not.toContain('10.0.0.5');
    expect(bodyOf(b).requestId).toBe('fc-1');
  });

  it('a malformed event is a 400, never a throw', async () => {
    expect((await edge(routes).handler(Buffer.from('not json'))).statusCode).toBe(400);
  });
});

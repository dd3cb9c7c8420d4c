/**
 * The Function Compute 3.0 API (version 2023-03-30) that `@alicloud/fc20230330` speaks: FC 3.0 has
 * no services, functions are top-level
 * (www.alibabacloud.com/help/en/functioncompute/feature-updates-in-function-compute-3).
 * One handler per action:
 *
 *   POST /2023-03-30/functions/{functionName}/invocations         InvokeFunction
 *   GET  /2023-03-30/functions/{functionName}                     GetFunction
 *   GET  /2023-03-30/functions                                    ListFunctions
 *   GET  /2023-03-30/functions/{functionName}/triggers            ListTriggers
 *   GET  /2023-03-30/functions/{functionName}/triggers/{trigger}  GetTrigger
 *
 * Paths and parameters are those of `@alicloud/fc20230330` 4.7.6 `src/client.ts` (ROA style,
 * `x-acs-action`/`x-acs-version` headers, signed with ACS3-HMAC-SHA256 by openapi-core's
 * `doRequest`). The signature is verified by the local cloud's one ACS3 verifier
 * (core/pop-auth.ts over core/signing/pop.ts); its POP error codes are answered in FC's own
 * codes (FC error-code table: SignatureNotMatch, InvalidAccessKeyID, AccessDenied 403 …).
 */
import type { IdentityProvider, LocalRequest, LocalResponse, Principal } from '../core/contract';
import { isServiceError } from '../core/errors';
import type { PopAuthenticator } from '../core/pop-auth';
import { headerValue } from '../core/signing/common';
import { ASYNC_PAYLOAD_LIMIT, SYNC_PAYLOAD_LIMIT } from './fc-api';
import { codeChecksum, fc3Error, fc3Json, fc3RequestId, functionArn, functionJson, triggerJson, type RenderContext } from './fc3-models';
import { logTail } from './instance-pool';
import type { DeclaredTrigger, FunctionSpec } from './spec';
import { resultBytes, type InvocationOutcome } from './types';

interface Fc3ApiDeps {
  accountId: string;
  region: string;
  /** The ACS3 verifier (signature, date skew, nonce, access key and STS token). */
  authenticator: PopAuthenticator;
  /** RAM authorization of each action. */
  identity: IdentityProvider;
  functions: ReadonlyMap<string, FunctionSpec>;
  deployedAt: Date;
  invoke(functionName: string, event: Buffer, requestId: string): Promise<InvocationOutcome>;
  invokeAsync(functionName: string, event: Buffer, requestId: string): void;
}

interface Call {
  req: LocalRequest;
  deps: Fc3ApiDeps;
  requestId: string;
  principal: Principal;
  query: URLSearchParams;
  render: RenderContext;
}

const ROUTE = /^\/2023-03-30\/functions(?:\/([^/]+)(?:\/(invocations|triggers)(?:\/([^/]+))?)?)?\/?$/;
/** FC function and trigger names (the Trigger struct's doc comment; fc3's functionName schema). */
const NAME = /^[A-Za-z_][A-Za-z0-9_-]{0,127}$/;

const header = (req: LocalRequest, name: string): string | undefined => headerValue(req.headers, name);

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

// ------------------------------------------------------------------ authentication

/** The verifier's POP codes in FC's terms (FC error-code table; the token code name is UNCONFIRMED). */
function authFailure(e: unknown, accessKeyId: string, requestId: string): LocalResponse {
  if (!isServiceError(e)) throw e;
  const c = e.code;
  if (c === 'SignatureDoesNotMatch') return fc3Error(403, 'SignatureNotMatch', 'The request signature we calculated does not match the signature you provided. Check your access key and signing method', requestId);
  if (c.startsWith('InvalidAccessKeyId')) return fc3Error(403, 'InvalidAccessKeyID', `invalid access key ID '${accessKeyId}'`, requestId);
  if (c.startsWith('InvalidSecurityToken') || c === 'MissingSecurityToken') return fc3Error(403, 'InvalidSecurityToken', e.message, requestId);
  if (c === 'InvalidTimeStamp.Expired') return fc3Error(403, 'RequestTimeTooSkewed', `the difference between the request time and the server time is too large: ${e.message}`, requestId);
  if (c.startsWith('Missing')) return fc3Error(400, 'MissingRequiredHeader', `required HTTP header ${c.slice('Missing'.length)} was not specified`, requestId);
  return fc3Error(400, 'InvalidArgument', e.message, requestId);
}

function authenticate(req: LocalRequest, deps: Fc3ApiDeps, requestId: string): { principal: Principal } | { response: LocalResponse } {
  const authorization = header(req, 'authorization');
  if (authorization === undefined) return { response: fc3Error(400, 'MissingRequiredHeader', 'required HTTP header Authorization was not specified', requestId) };
  // The FC 2.0 signature (`FC ak:sig`) is for the 2016-08-15 paths; whether FC 3.0 accepts it here is UNCONFIRMED, so it is refused.
  if (!authorization.startsWith('ACS3-')) return { response: fc3Error(400, 'InvalidArgument', 'the 2023-03-30 API takes ACS3-HMAC-SHA256 signatures (Authorization: ACS3-HMAC-SHA256 Credential=...,SignedHeaders=...,Signature=...)', requestId) };
  const accessKeyId = /Credential=([^,\s]+)/.exec(authorization)?.[1] ?? '';
  try {
    return { principal: deps.authenticator.authenticate(req, []).principal };
  } catch (e) {
    return { response: authFailure(e, accessKeyId, requestId) };
  }
}

/**
 * The real endpoint names the account and region (`<uid>.<region>.fc.aliyuncs.com`); a request
 * addressed to another account's or region's endpoint finds none of these functions.
 */
function endpointMismatch(req: LocalRequest, deps: Fc3ApiDeps, requestId: string): LocalResponse | undefined {
  const m = /^(\d+)\.([a-z0-9-]+)\.fc\.aliyuncs\.com(?::\d+)?$/i.exec(header(req, 'host') ?? '');
  if (!m || (m[1] === deps.accountId && m[2] === deps.region)) return undefined;
  return fc3Error(403, 'AccessDenied', `endpoint ${m[0]} is not served here; this endpoint serves account ${deps.accountId} in ${deps.region}`, requestId);
}

// ------------------------------------------------------------------ shared checks

function allowed(c: Call, action: string, resource: string): boolean {
  return c.deps.identity.isAllowed(c.principal, action, resource, { sourceIp: c.req.sourceIp, currentTime: c.req.receivedAt });
}

function denied(c: Call, action: string, resource: string): LocalResponse {
  return fc3Error(403, 'AccessDenied', `the caller ${c.principal.arn} is not authorized to perform '${action}' on resource '${resource}'`, c.requestId);
}

function functionNotFound(c: Call, name: string): LocalResponse {
  return fc3Error(404, 'FunctionNotFound', `function '${name}' does not exist.`, c.requestId);
}

/** Only the LATEST version exists locally (s.yaml publishes no versions or aliases). */
function qualifierProblem(c: Call, fn: string): LocalResponse | undefined {
  const q = c.query.get('qualifier');
  if (q === null || q === '' || q === 'LATEST') return undefined;
  return /^\d+$/.test(q)
    ? fc3Error(404, 'VersionNotFound', `version '${q}' of function '${fn}' does not exist`, c.requestId)
    : fc3Error(404, 'AliasNotFound', `alias '${q}' of function '${fn}' does not exist`, c.requestId);
}

interface Page { limit: number; start: string }

/**
 * `limit` is 1–100 ("The minimum value is 1 and the maximum value is 100", ListFunctionsRequest doc
 * comment), default 20 (FC 2.0's documented default; FC 3.0's is UNCONFIRMED). `nextToken` is
 * opaque (the SDK's example `MTIzNCNhYmM=` is base64); locally base64 of the next name, and a
 * token this API did not issue is refused.
 */
function paging(c: Call): Page | LocalResponse {
  const rawLimit = c.query.get('limit');
  const limit = rawLimit === null ? 20 : Number(rawLimit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) return fc3Error(400, 'InvalidArgument', `limit must be an integer from 1 to 100 (got '${rawLimit ?? ''}')`, c.requestId);
  const token = c.query.get('nextToken');
  if (token === null || token === '') return { limit, start: '' };
  const start = Buffer.from(token, 'base64').toString('utf8');
  if (!NAME.test(start) || Buffer.from(start, 'utf8').toString('base64') !== token) return fc3Error(400, 'InvalidArgument', `invalid nextToken '${token}'`, c.requestId);
  return { limit, start };
}

function pageOf<T>(names: string[], page: Page, prefix: string, render: (name: string) => T): { items: T[]; nextToken?: string } {
  const matching = names.filter((n) => n.startsWith(prefix) && n >= page.start).sort();
  const items = matching.slice(0, page.limit).map(render);
  const next = matching[page.limit];
  return next === undefined ? { items } : { items, nextToken: Buffer.from(next, 'utf8').toString('base64') };
}

// ------------------------------------------------------------------ actions

async function InvokeFunction(c: Call, fn: string): Promise<LocalResponse> {
  const arn = functionArn(c.deps.region, c.deps.accountId, fn);
  // Authorize before revealing whether the function exists.
  if (!allowed(c, 'fc:InvokeFunction', arn)) return denied(c, 'fc:InvokeFunction', arn);
  const spec = c.deps.functions.get(fn);
  if (!spec) return functionNotFound(c, fn);
  const q = qualifierProblem(c, fn);
  if (q) return q;
  const type = (header(c.req, 'x-fc-invocation-type') ?? 'Sync').toLowerCase();
  if (type !== 'sync' && type !== 'async') return fc3Error(400, 'InvalidArgument', `x-fc-invocation-type must be Sync or Async (got '${header(c.req, 'x-fc-invocation-type') ?? ''}')`, c.requestId);
  const logType = (header(c.req, 'x-fc-log-type') ?? 'None').toLowerCase();
  if (logType !== 'none' && logType !== 'tail') return fc3Error(400, 'InvalidArgument', `x-fc-log-type must be None or Tail (got '${header(c.req, 'x-fc-log-type') ?? ''}')`, c.requestId);
  // Async tasks must be enabled on the function (AsyncConfig), which s.yaml does not do.
  if (header(c.req, 'x-fc-async-task-id') !== undefined) return fc3Error(400, 'InvalidArgument', `async tasks are not enabled for function '${fn}'`, c.requestId);

  if (type === 'async') {
    if (c.req.body.length > ASYNC_PAYLOAD_LIMIT) return fc3Error(400, 'EntityTooLarge', `payload size exceeds maximum allowed size (${ASYNC_PAYLOAD_LIMIT} bytes)`, c.requestId);
    c.deps.invokeAsync(fn, c.req.body, c.requestId);
    return { status: 202, headers: { 'x-fc-request-id': c.requestId }, body: '' };
  }
  if (c.req.body.length > SYNC_PAYLOAD_LIMIT) return fc3Error(400, 'EntityTooLarge', `payload size exceeds maximum allowed size (${SYNC_PAYLOAD_LIMIT} bytes)`, c.requestId);
  const outcome = await c.deps.invoke(fn, c.req.body, c.requestId);
  const headers: Record<string, string> = { 'x-fc-request-id': c.requestId, 'x-fc-code-checksum': codeChecksum(spec) };
  if (logType === 'tail') headers['x-fc-log-result'] = Buffer.from(logTail(outcome.logs), 'utf8').toString('base64');
  if (!outcome.ok) {
    // A function error is not an API error: 200 with x-fc-error-type and the error as JSON.
    return { status: 200, headers: { ...headers, 'x-fc-error-type': 'UnhandledInvocationError', 'content-type': 'application/json' }, body: JSON.stringify(outcome.error) };
  }
  return { status: 200, headers: { ...headers, 'content-type': 'application/octet-stream' }, body: resultBytes(outcome.result) };
}

function GetFunction(c: Call, fn: string): LocalResponse {
  const arn = functionArn(c.deps.region, c.deps.accountId, fn);
  if (!allowed(c, 'fc:GetFunction', arn)) return denied(c, 'fc:GetFunction', arn);
  const spec = c.deps.functions.get(fn);
  if (!spec) return functionNotFound(c, fn);
  return qualifierProblem(c, fn) ?? fc3Json(functionJson(spec, c.render, true), c.requestId);
}

function ListFunctions(c: Call): LocalResponse {
  const arn = functionArn(c.deps.region, c.deps.accountId, '*');
  if (!allowed(c, 'fc:ListFunctions', arn)) return denied(c, 'fc:ListFunctions', arn);
  const page = paging(c);
  if ('status' in page) return page;
  // fcVersion v2 lists FC 2.0 functions only: everything here was deployed to FC 3.0.
  const fcVersion = c.query.get('fcVersion');
  if (fcVersion !== null && fcVersion !== 'v2' && fcVersion !== 'v3') return fc3Error(400, 'InvalidArgument', `fcVersion must be v2 or v3 (got '${fcVersion}')`, c.requestId);
  const names = fcVersion === 'v2' ? [] : [...c.deps.functions.keys()];
  const { items, nextToken } = pageOf(names, page, c.query.get('prefix') ?? '', (n) => functionJson(c.deps.functions.get(n) as FunctionSpec, c.render, false));
  return fc3Json({ functions: items, ...(nextToken === undefined ? {} : { nextToken }) }, c.requestId);
}

function httpBaseUrl(c: Call): string {
  return `http://${header(c.req, 'host') ?? '127.0.0.1'}`;
}

function ListTriggers(c: Call, fn: string): LocalResponse {
  const arn = `${functionArn(c.deps.region, c.deps.accountId, fn)}/triggers/*`;
  if (!allowed(c, 'fc:ListTriggers', arn)) return denied(c, 'fc:ListTriggers', arn);
  const spec = c.deps.functions.get(fn);
  if (!spec) return functionNotFound(c, fn);
  const page = paging(c);
  if ('status' in page) return page;
  const byName = new Map((spec.declaredTriggers ?? []).map((t) => [t.triggerName, t]));
  const { items, nextToken } = pageOf([...byName.keys()], page, c.query.get('prefix') ?? '', (n) => triggerJson(spec, byName.get(n) as DeclaredTrigger, c.render, httpBaseUrl(c)));
  return fc3Json({ triggers: items, ...(nextToken === undefined ? {} : { nextToken }) }, c.requestId);
}

function GetTrigger(c: Call, fn: string, triggerName: string): LocalResponse {
  const arn = `${functionArn(c.deps.region, c.deps.accountId, fn)}/triggers/${triggerName}`;
  if (!allowed(c, 'fc:GetTrigger', arn)) return denied(c, 'fc:GetTrigger', arn);
  const spec = c.deps.functions.get(fn);
  if (!spec) return functionNotFound(c, fn);
  const t = spec.declaredTriggers?.find((x) => x.triggerName === triggerName);
  // TriggerNotFound: the code devsapp/fc3 tests for (src/resources/fc/error-code.ts).
  if (!t) return fc3Error(404, 'TriggerNotFound', `trigger '${triggerName}' does not exist in function '${fn}'`, c.requestId);
  return fc3Json(triggerJson(spec, t, c.render, httpBaseUrl(c)), c.requestId);
}

// ------------------------------------------------------------------ router

export async function handleFc3Api(req: LocalRequest, deps: Fc3ApiDeps): Promise<LocalResponse> {
  const requestId = fc3RequestId(req.receivedAt);
  const route = ROUTE.exec(req.path);
  const method = req.method.toUpperCase();
  const fn = route?.[1] === undefined ? undefined : decode(route[1]);
  const sub = route?.[2];
  const triggerName = route?.[3] === undefined ? undefined : decode(route[3]);
  const action = !route ? undefined
    : fn === undefined ? (method === 'GET' ? 'ListFunctions' : undefined)
      : sub === undefined ? (method === 'GET' ? 'GetFunction' : undefined)
        : sub === 'invocations' ? (method === 'POST' && triggerName === undefined ? 'InvokeFunction' : undefined)
          : method === 'GET' ? (triggerName === undefined ? 'ListTriggers' : 'GetTrigger') : undefined;
  if (action === undefined) return fc3Error(400, 'PathNotSupported', `'${method}' against '${req.path}' is not supported`, requestId);

  const auth = authenticate(req, deps, requestId);
  if ('response' in auth) return auth.response;
  const mismatch = endpointMismatch(req, deps, requestId);
  if (mismatch) return mismatch;
  const c: Call = { req, deps, requestId, principal: auth.principal, query: new URLSearchParams(req.rawQuery), render: { region: deps.region, accountId: deps.accountId, deployedAt: deps.deployedAt } };
  switch (action) {
    case 'InvokeFunction': return InvokeFunction(c, fn ?? '');
    case 'GetFunction': return GetFunction(c, fn ?? '');
    case 'ListFunctions': return ListFunctions(c);
    case 'ListTriggers': return ListTriggers(c, fn ?? '');
    case 'GetTrigger': return GetTrigger(c, fn ?? '', triggerName ?? '');
  }
}

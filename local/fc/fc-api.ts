/**
 * The FC 2.0 API subset that `@alicloud/fc2` uses against the local runtime (@alicloud/fc2 2.6.6 lib/client.js):
 * InvokeFunction (sync and async), ListFunctions and GetFunction, with FC signature verification
 * and RAM authorization. FC 3.0 has no services: any service name maps to the runtime's functions
 * unless a `serviceName` is configured.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { IdentityProvider, LocalRequest, LocalResponse, Principal } from '../core/contract';
import { contentMd5OfHex, safeEqual, withinClockSkew } from '../core/signing/common';
import { fcSignature, fcStringToSign, parseFcAuthorization } from '../core/signing/fc';
import type { FunctionSpec } from './spec';
import { logTail } from './instance-pool';
import { resultBytes, type InvocationOutcome } from './types';

export const FC_API_PREFIX = '/2016-08-15/';
/** Payload limits: 32 MB synchronous, 128 KB asynchronous (www.alibabacloud.com/help/en/functioncompute/fc/advanced-features-of-triggers). */
export const SYNC_PAYLOAD_LIMIT = 32 * 1024 * 1024;
export const ASYNC_PAYLOAD_LIMIT = 128 * 1024;

interface FcApiDeps {
  accountId: string;
  region: string;
  /** If set, only this service name is accepted; otherwise any name addresses the functions. */
  serviceName?: string;
  identity: IdentityProvider;
  functions: ReadonlyMap<string, FunctionSpec>;
  invoke(functionName: string, event: Buffer): Promise<InvocationOutcome>;
  invokeAsync(functionName: string, event: Buffer): string;
}

export function fcError(status: number, code: string, message: string, requestId: string = randomUUID()): LocalResponse {
  return {
    status,
    headers: { 'content-type': 'application/json', 'x-fc-request-id': requestId },
    body: JSON.stringify({ ErrorCode: code, ErrorMessage: message }),
  };
}

function header(req: LocalRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

function decodePath(p: string): string {
  try {
    return decodeURIComponent(p);
  } catch {
    return p;
  }
}

type AuthResult = { ok: true; principal: Principal } | { ok: false; response: LocalResponse };

/** Verify an FC-signed request: Date skew, Content-MD5, access key / STS token, signature. */
export function authenticateFcRequest(req: LocalRequest, identity: IdentityProvider, resource: string, requestId: string, queries?: Array<[string, string]>): AuthResult {
  const auth = header(req, 'authorization');
  const date = header(req, 'date');
  if (auth === undefined || date === undefined) return { ok: false, response: fcError(400, 'MissingRequiredHeader', `missing required header: ${auth === undefined ? 'Authorization' : 'Date'}`, requestId) };
  const m = parseFcAuthorization(auth);
  if (!m) return { ok: false, response: fcError(400, 'InvalidArgument', 'Authorization must be "FC <AccessKeyId>:<Signature>"', requestId) };
  if (!withinClockSkew(Date.parse(date), req.receivedAt)) {
    return { ok: false, response: fcError(403, 'RequestTimeTooSkewed', `the difference between the request time '${date}' and the server time is too large`, requestId) };
  }
  const md5 = header(req, 'content-md5');
  if (md5 !== undefined) {
    // FC (like MNS) sends base64 of the hex MD5 string (@alicloud/fc2 lib/client.js).
    if (md5 !== contentMd5OfHex(req.body)) return { ok: false, response: fcError(400, 'InvalidArgument', 'Content-MD5 does not match the body', requestId) };
  }
  const lookup = identity.lookupKey(m.accessKeyId, header(req, 'x-fc-security-token'), req.receivedAt);
  if (!lookup.ok) {
    const code = lookup.code.startsWith('InvalidAccessKeyId') ? 'InvalidAccessKeyID' : 'InvalidSecurityToken';
    return { ok: false, response: fcError(403, code, code === 'InvalidAccessKeyID' ? `invalid access key ID '${m.accessKeyId}'` : lookup.message, requestId) };
  }
  const expected = fcSignature(lookup.secret, fcStringToSign(req.method.toUpperCase(), resource, req.headers, queries));
  if (!safeEqual(expected, m.signature)) {
    return { ok: false, response: fcError(403, 'SignatureNotMatch', 'The request signature we calculated does not match the signature you provided. Check your access key and signing method', requestId) };
  }
  return { ok: true, principal: lookup.principal };
}

/** ARNs a policy may name for a function: FC 2.0 (`services/<svc>/functions/<fn>`) and FC 3.0 (`functions/<fn>`). */
export function functionArns(region: string, accountId: string, service: string, fn: string): string[] {
  return [`acs:fc:${region}:${accountId}:services/${service}/functions/${fn}`, `acs:fc:${region}:${accountId}:functions/${fn}`];
}

function functionJson(spec: FunctionSpec): Record<string, unknown> {
  const checksum = createHash('sha256').update(JSON.stringify(spec)).digest('hex').slice(0, 19);
  return {
    functionId: createHash('md5').update(spec.functionName).digest('hex').replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5'),
    functionName: spec.functionName,
    description: spec.description ?? '',
    runtime: spec.runtime,
    handler: spec.handler,
    timeout: spec.timeout,
    initializer: null,
    initializationTimeout: 3,
    memorySize: spec.memorySize,
    codeSize: 0,
    codeChecksum: BigInt(`0x${checksum.slice(0, 15)}`).toString(),
    environmentVariables: spec.environmentVariables,
    createdTime: '1970-01-01T00:00:00Z',
    lastModifiedTime: '1970-01-01T00:00:00Z',
    instanceConcurrency: spec.instanceConcurrency,
    instanceType: 'e1',
    caPort: 9000,
    customContainerConfig: null,
    layers: null,
  };
}

const SERVICE_PATH = /^\/2016-08-15\/services\/([^/]+)\/functions(?:\/([^/]+)(\/invocations)?)?\/?$/;

export async function handleFcApi(req: LocalRequest, deps: FcApiDeps): Promise<LocalResponse> {
  const requestId = randomUUID();
  const path = decodePath(req.path);
  const route = SERVICE_PATH.exec(path);
  const method = req.method.toUpperCase();
  const isInvoke = route?.[3] !== undefined;
  if (!route || route[1] === undefined || (isInvoke ? method !== 'POST' : method !== 'GET')) {
    return fcError(400, 'PathNotSupported', `${method} ${path} is not supported by the local FC emulator`, requestId);
  }
  const auth = authenticateFcRequest(req, deps.identity, path, requestId);
  if (!auth.ok) return auth.response;
  const accountHeader = header(req, 'x-fc-account-id');
  if (accountHeader !== deps.accountId) {
    return fcError(403, 'AccessDenied', `account '${accountHeader ?? ''}' has no functions here; this endpoint serves account ${deps.accountId}`, requestId);
  }
  const [service = '', qualifier] = route[1].split('.', 2);
  if (deps.serviceName !== undefined && service !== deps.serviceName) return fcError(404, 'ServiceNotFound', `service '${service}' does not exist`, requestId);
  if (qualifier !== undefined && qualifier !== 'LATEST') return fcError(404, 'AliasNotFound', `alias '${qualifier}' does not exist in service '${service}' (only LATEST is emulated)`, requestId);
  const ctx = { sourceIp: req.sourceIp, currentTime: req.receivedAt };
  const allowed = (action: string, arns: string[]): boolean => arns.some((a) => deps.identity.isAllowed(auth.principal, action, a, ctx));
  const denied = (action: string): LocalResponse => fcError(403, 'AccessDenied', `the caller ${auth.principal.arn} is not authorized to perform ${action}`, requestId);

  const fnName = route[2];
  if (fnName === undefined) {
    if (!allowed('fc:ListFunctions', functionArns(deps.region, deps.accountId, service, '*'))) return denied('fc:ListFunctions');
    const q = new URLSearchParams(req.rawQuery);
    const limit = Math.min(Math.max(Number(q.get('limit') ?? '20') || 20, 1), 100);
    const prefix = q.get('prefix') ?? '';
    const start = q.get('nextToken') ?? q.get('startKey') ?? '';
    const names = [...deps.functions.keys()].filter((n) => n.startsWith(prefix) && n >= start).sort();
    const page = names.slice(0, limit);
    const body: Record<string, unknown> = { functions: page.map((n) => functionJson(deps.functions.get(n) as FunctionSpec)) };
    if (names.length > limit) body.nextToken = names[limit];
    return { status: 200, headers: { 'content-type': 'application/json', 'x-fc-request-id': requestId }, body: JSON.stringify(body) };
  }

  const spec = deps.functions.get(fnName);
  // Authorize before revealing whether the function exists.
  const action = isInvoke ? 'fc:InvokeFunction' : 'fc:GetFunction';
  if (!allowed(action, functionArns(deps.region, deps.accountId, service, fnName))) return denied(action);
  if (!spec) return fcError(404, 'FunctionNotFound', `function '${fnName}' does not exist in service '${service}'`, requestId);
  if (!isInvoke) {
    return { status: 200, headers: { 'content-type': 'application/json', 'x-fc-request-id': requestId }, body: JSON.stringify(functionJson(spec)) };
  }

  const invocationType = (header(req, 'x-fc-invocation-type') ?? 'Sync').toLowerCase();
  if (invocationType === 'async') {
    if (req.body.length > ASYNC_PAYLOAD_LIMIT) return fcError(400, 'EntityTooLarge', `payload size ${req.body.length} exceeds the async invocation limit of ${ASYNC_PAYLOAD_LIMIT} bytes`, requestId);
    const asyncId = deps.invokeAsync(fnName, req.body);
    return { status: 202, headers: { 'x-fc-request-id': asyncId }, body: '' };
  }
  if (req.body.length > SYNC_PAYLOAD_LIMIT) return fcError(400, 'EntityTooLarge', `payload size ${req.body.length} exceeds the sync invocation limit of ${SYNC_PAYLOAD_LIMIT} bytes`, requestId);
  const outcome = await deps.invoke(fnName, req.body);
  const headers: Record<string, string> = {
    'x-fc-request-id': outcome.requestId,
    'x-fc-invocation-duration': String(Math.max(1, Math.round(outcome.durationMs))),
    'x-fc-max-memory-usage': '0',
    'x-fc-invocation-service-version': 'LATEST',
    'x-fc-code-checksum': String(functionJson(spec).codeChecksum),
  };
  if ((header(req, 'x-fc-log-type') ?? '').toLowerCase() === 'tail') headers['x-fc-log-result'] = Buffer.from(logTail(outcome.logs), 'utf8').toString('base64');
  if (!outcome.ok) {
    headers['x-fc-error-type'] = 'UnhandledInvocationError';
    headers['content-type'] = 'application/json';
    return { status: 200, headers, body: JSON.stringify(outcome.error) };
  }
  // Never label results application/json: the SDK would JSON.parse plain text and throw (@alicloud/fc2 lib/client.js).
  headers['content-type'] = 'application/octet-stream';
  return { status: 200, headers, body: resultBytes(outcome.result) };
}

/**
 * The FC 3.0 (2023-03-30) API's wire shapes, rendered from the function specs the runtime loaded
 * from s.yaml: the `Function` and `Trigger` structs, request IDs and the error body. Sources:
 * - `@alicloud/fc20230330` 4.7.6 models `Function`, `Trigger`, `HTTPTrigger`, `ListFunctionsOutput`,
 *   `ListTriggersOutput` (field names and doc comments, taken from the API reference);
 * - help.aliyun.com/zh/functioncompute/fc/developer-reference/api-fc-2023-03-30-struct-error:
 *   errors are `{Code, Message, RequestId}`, request IDs look like `1-64e70cf1-5cbef92ea8fc8c42899cf5d1`;
 * - alibabacloud.com/help/en/functioncompute/fc-3-0/developer-reference/api-fc-2023-03-30-gettrigger:
 *   the GetTrigger example (`triggerConfig` as JSON text, `httpTrigger.{urlInternet, urlIntranet}`).
 */
import { createHash, randomBytes } from 'node:crypto';
import type { LocalResponse } from '../core/contract';
import type { DeclaredTrigger, FunctionSpec } from './spec';

export const FC3_API_PREFIX = '/2023-03-30/';

/** `1-<8 hex: epoch seconds>-<24 hex>`, the form of FC 3.0 request IDs. */
export function fc3RequestId(now: Date = new Date()): string {
  return `1-${Math.floor(now.getTime() / 1000).toString(16).padStart(8, '0')}-${randomBytes(12).toString('hex')}`;
}

/** The FC 3.0 error body `{Code, Message, RequestId}`; openapi-core reads `Code`/`Message`/`RequestId` from it. */
export function fc3Error(status: number, code: string, message: string, requestId: string): LocalResponse {
  return {
    status,
    headers: { 'content-type': 'application/json', 'x-fc-request-id': requestId },
    body: JSON.stringify({ Code: code, Message: message, RequestId: requestId }),
  };
}

export function fc3Json(body: unknown, requestId: string): LocalResponse {
  return { status: 200, headers: { 'content-type': 'application/json', 'x-fc-request-id': requestId }, body: JSON.stringify(body) };
}

/** `acs:fc:<region>:<uid>:functions/<name>`: the `functionArn` form of the Function struct. */
export function functionArn(region: string, accountId: string, functionName: string): string {
  return `acs:fc:${region}:${accountId}:functions/${functionName}`;
}

/** A stable UUID-shaped ID from a seed, so repeated reads of one resource agree. */
function stableId(seed: string): string {
  return createHash('md5').update(seed).digest('hex').replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5');
}

/** FC reports the code package's CRC-64 as a decimal string; locally a stable number derived from the spec. */
export function codeChecksum(spec: FunctionSpec): string {
  return BigInt(`0x${createHash('sha256').update(JSON.stringify(spec)).digest('hex').slice(0, 15)}`).toString();
}

export interface RenderContext {
  region: string;
  accountId: string;
  /** When the runtime loaded s.yaml: the local "deployment" time. */
  deployedAt: Date;
}

const iso = (d: Date): string => `${d.toISOString().slice(0, 19)}Z`;

/**
 * The Function struct. ListFunctions "returns only a subset of a function's attribute fields"; the
 * state fields (state, stateReason*, lastUpdateStatus*) only come from GetFunction (SDK doc comment
 * of listFunctionsWithOptions), hence `detail`.
 */
export function functionJson(spec: FunctionSpec, ctx: RenderContext, detail: boolean): Record<string, unknown> {
  const body: Record<string, unknown> = {
    functionName: spec.functionName,
    functionArn: functionArn(ctx.region, ctx.accountId, spec.functionName),
    functionId: stableId(`${ctx.accountId}/${spec.functionName}`),
    description: spec.description ?? '',
    runtime: spec.runtime,
    handler: spec.handler,
    timeout: spec.timeout,
    memorySize: spec.memorySize,
    diskSize: 512,
    instanceConcurrency: spec.instanceConcurrency,
    environmentVariables: spec.environmentVariables,
    internetAccess: spec.internetAccess,
    codeChecksum: codeChecksum(spec),
    codeSize: 0,
    createdTime: iso(ctx.deployedAt),
    lastModifiedTime: iso(ctx.deployedAt),
  };
  if (spec.role !== undefined) body['role'] = spec.role;
  if (spec.vpcConfig !== undefined) body['vpcConfig'] = { vpcId: spec.vpcConfig.vpcId, vSwitchIds: spec.vpcConfig.vSwitchIds, securityGroupId: spec.vpcConfig.securityGroupId };
  if (detail) Object.assign(body, { state: 'Active', lastUpdateStatus: 'Successful' });
  return body;
}

/**
 * The Trigger struct. `triggerConfig` is the declared configuration as JSON text, as fc3 deployed
 * it; whether FC normalizes it (adds defaults, reorders keys) is UNCONFIRMED, so nothing is added.
 * `sourceArn` and `status` are left out: what FC 3.0 reports for them on eventbridge, timer and
 * HTTP triggers is UNCONFIRMED, and a checker must not come to depend on an invented value.
 * `httpBaseUrl` is where this local cloud serves HTTP triggers (`http://<host>`), so the URL
 * fields point at `/fn/<function>` (FC: `https://<fn>-<id>.<region>.fcapp.run`).
 */
export function triggerJson(spec: FunctionSpec, t: DeclaredTrigger, ctx: RenderContext, httpBaseUrl: string): Record<string, unknown> {
  const body: Record<string, unknown> = {
    triggerName: t.triggerName,
    triggerType: t.triggerType,
    triggerId: stableId(`${ctx.accountId}/${spec.functionName}/${t.triggerName}`),
    description: t.description ?? '',
    qualifier: t.qualifier ?? 'LATEST',
    triggerConfig: JSON.stringify(t.triggerConfig),
    targetArn: functionArn(ctx.region, ctx.accountId, spec.functionName),
    createdTime: iso(ctx.deployedAt),
    lastModifiedTime: iso(ctx.deployedAt),
  };
  if (t.invocationRole !== undefined) body['invocationRole'] = t.invocationRole;
  if (t.triggerType === 'http') {
    const url = `${httpBaseUrl}/fn/${encodeURIComponent(spec.functionName)}`;
    // With disableURLInternet the public URL is withheld (the stricter reading: FC's exact output is UNCONFIRMED).
    body['httpTrigger'] = t.triggerConfig['disableURLInternet'] === true ? { urlIntranet: url } : { urlInternet: url, urlIntranet: url };
  }
  return body;
}

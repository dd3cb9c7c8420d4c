/**
 * The POP "RPC" service skeleton shared by RAM, STS and ECS: routing by version and action
 * (x-acs-version/x-acs-action for ACS3, Version/Action parameters for HMAC-SHA1), parameter
 * parsing (query + form body), authentication, optional rate limits and fault injection,
 * one handler per action, authorization by the service's table (./authorization), and the
 * JSON codec of the SDKs (@alicloud/openapi-core src/client.ts).
 */
import { requiresAuthorization, type AuthorizationTable } from './authorization';
import type { ActionAuthorizer, AuthzContext, LocalRequest, LocalResponse, LocalService, Principal } from './contract';
import { internalError, isServiceError, missingParameter, ServiceError } from './errors';
import type { FaultInjector } from './faults';
import type { PopAuthenticator, SignatureScheme } from './pop-auth';
import type { RateLimiter } from './rate-limiter';
import { newRequestId } from './request-id';
import { headerValue } from './signing/common';
import { parseFormPairs } from './signing/pop';

/** What one action handler sees. */
export interface RpcContext {
  readonly action: string;
  readonly requestId: string;
  readonly principal: Principal;
  readonly scheme: SignatureScheme;
  readonly request: LocalRequest;
  /** A parameter as sent (first occurrence), or undefined. */
  param(name: string): string | undefined;
  /** A required parameter; throws `Missing<Name>` (400) if absent or empty. */
  required(name: string): string;
  /** All parameters whose name starts with `prefix` (for flattened `Tag.N.Key` forms). */
  paramsWithPrefix(prefix: string): Array<[string, string]>;
  /**
   * Authorize this call by the service's table: every resource the table names for the action
   * must be allowed, else the service's denial error is thrown. Call it after the handler's own
   * parameter checks. `extra` adds condition keys.
   */
  authorize(extra?: Record<string, string | string[]>): void;
  /** acs:CurrentTime / acs:SourceIp for the identity provider. */
  authzContext(extra?: Record<string, string | string[]>): AuthzContext;
}

export type RpcHandler = (ctx: RpcContext) => Record<string, unknown> | Promise<Record<string, unknown>>;

interface RpcServiceOptions {
  name: string;
  /** API version, e.g. `2015-05-01`. */
  version: string;
  /** `HostId` of error bodies, e.g. `ram.aliyuncs.com`. */
  hostId: string;
  handlers: Record<string, RpcHandler>;
  /** For every action of `handlers`: what RAM checks. */
  authorization: AuthorizationTable;
  authenticator: PopAuthenticator;
  authorizer: ActionAuthorizer;
  /** The error this service answers when the caller's policies deny an action. */
  denied: (action: string, resource: string) => ServiceError;
  /** Per-action requests-per-second per account (strict mode only). */
  rateLimits?: { limiter: RateLimiter; perSecond: Record<string, number>; code: string; message: string };
  faults?: FaultInjector;
}

const JSON_TYPE = 'application/json;charset=utf-8';

/** Parameters of a POP request: the query, plus a form-encoded body if any. */
export function popParams(req: LocalRequest): Array<[string, string]> {
  const params = parseFormPairs(req.rawQuery);
  const type = headerValue(req.headers, 'content-type') ?? '';
  if (req.body.length > 0 && type.toLowerCase().startsWith('application/x-www-form-urlencoded')) {
    params.push(...parseFormPairs(req.body.toString('utf8')));
  }
  return params;
}

function firstParam(params: Array<[string, string]>, name: string): string | undefined {
  for (const [k, v] of params) if (k === name) return v;
  return undefined;
}

function renderJson(status: number, requestId: string, body: Record<string, unknown>, headers: Record<string, string> = {}): LocalResponse {
  return {
    status,
    headers: { 'content-type': JSON_TYPE, 'x-acs-request-id': requestId, ...headers },
    body: JSON.stringify({ RequestId: requestId, ...body }),
  };
}

function renderError(e: ServiceError, requestId: string, hostId: string): LocalResponse {
  return renderJson(
    e.httpStatus,
    requestId,
    {
      HostId: hostId,
      Code: e.code,
      Message: e.message,
      Recommend: `https://api.aliyun.com/troubleshoot?q=${encodeURIComponent(e.code)}`,
    },
    e.headers,
  );
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class RpcService implements LocalService {
  readonly name: string;

  constructor(private readonly opts: RpcServiceOptions) {
    this.name = opts.name;
    const missing = Object.keys(opts.handlers).filter((a) => !Object.prototype.hasOwnProperty.call(opts.authorization, a));
    if (missing.length > 0) throw new Error(`${opts.name}: no authorization rule for ${missing.join(', ')}`);
  }

  /** The version this request addresses: the ACS3 header, else the `Version` parameter. */
  private versionOf(req: LocalRequest): string | undefined {
    const fromQuery = /(?:^|&)Version=([^&]*)/.exec(req.rawQuery)?.[1];
    if (fromQuery !== undefined) return decodeURIComponent(fromQuery);
    const header = headerValue(req.headers, 'x-acs-version');
    if (header !== undefined) return header;
    // HMAC-SHA1 requests may carry `Version` in a form body only.
    if (req.body.length > 0) return firstParam(popParams(req), 'Version');
    return undefined;
  }

  matches(req: LocalRequest): boolean {
    if (req.path !== '/' || (req.method !== 'POST' && req.method !== 'GET')) return false;
    return this.versionOf(req) === this.opts.version;
  }

  async handle(req: LocalRequest): Promise<LocalResponse> {
    const requestId = newRequestId();
    try {
      const body = await this.dispatch(req, requestId);
      return renderJson(200, requestId, body);
    } catch (e: unknown) {
      if (isServiceError(e)) return renderError(e, requestId, this.opts.hostId);
      // A bug, not a client mistake: answer like the cloud does and keep the detail in the log.
      console.error(`[local:${this.name}]`, e);
      return renderError(internalError(), requestId, this.opts.hostId);
    }
  }

  private async dispatch(req: LocalRequest, requestId: string): Promise<Record<string, unknown>> {
    const params = popParams(req);
    const action = firstParam(params, 'Action') ?? headerValue(req.headers, 'x-acs-action');
    if (action === undefined || action === '') throw missingParameter('Action');
    const handler = Object.prototype.hasOwnProperty.call(this.opts.handlers, action) ? this.opts.handlers[action] : undefined;
    if (handler === undefined) {
      throw new ServiceError('InvalidAction.NotFound', 404, 'Specified api is not found, please check your url and method.');
    }
    const { principal, scheme } = this.opts.authenticator.authenticate(req, params);

    const { faults, rateLimits } = this.opts;
    if (faults) {
      if (faults.delayMs > 0) await sleep(faults.delayMs);
      faults.check(action);
    }
    const limit = rateLimits?.perSecond[action];
    if (rateLimits && limit !== undefined && !rateLimits.limiter.tryAcquire(`${this.name}:${principal.accountId}:${action}`, limit, req.receivedAt.getTime())) {
      throw new ServiceError(rateLimits.code, 400, rateLimits.message);
    }

    const { authorizer, denied } = this.opts;
    const rule = this.opts.authorization[action];
    const authzContext = (extra?: Record<string, string | string[]>): AuthzContext => ({
      sourceIp: req.sourceIp,
      currentTime: req.receivedAt,
      ...(extra === undefined ? {} : { extra }),
    });
    const param = (name: string): string | undefined => firstParam(params, name);
    const required = (name: string): string => {
      const v = firstParam(params, name);
      if (v === undefined || v === '') throw missingParameter(name);
      return v;
    };
    let authorized = false;
    const ctx: RpcContext = {
      action,
      requestId,
      principal,
      scheme,
      request: req,
      param,
      required,
      paramsWithPrefix: (prefix) => params.filter(([k]) => k.startsWith(prefix)),
      authorize: (extra) => {
        authorized = true;
        if (rule === undefined || !requiresAuthorization(rule)) return;
        const resources = rule.resources({ accountId: principal.accountId, principal, param, required });
        const options = rule.crossAccount === true ? { crossAccount: true } : {};
        if (!authorizer.allowsAll(principal, rule.action, resources, authzContext(extra), options)) throw denied(rule.action, resources.join(', '));
      },
      authzContext,
    };
    const body = await handler(ctx);
    // A handler that forgot to authorize is a bug of the local cloud, never a silent allow.
    if (!authorized && rule !== undefined && requiresAuthorization(rule)) throw new Error(`${this.name}:${action} answered without authorizing`);
    return body;
  }
}

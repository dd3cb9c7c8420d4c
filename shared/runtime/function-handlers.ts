/**
 * The three trigger shapes our functions have, so each `functions/<name>/index.ts` is only a
 * list of routes or one use-case call: parse the event, get the instance's dependencies,
 * authenticate (HTTP), call the use case, map the result or error to the trigger's answer.
 */
import type { CallerIdentity } from '../domain/ports';
import type { Outcome } from '../workflow/deps';
import { parseMnsEvent, parseTimerEvent } from './events';
import { jsonResponse, matchRoute, parseHttpEvent, toHttpResponse, type HttpRequest, type HttpResponse, type RouteParams } from './http';
import { getConfig } from './config';
import { authenticate, getAppDeps, type AppDeps, type FcContext, type RamFactory } from './wiring';
import { createLogger } from './logger';

export interface AuthedRequest {
  deps: AppDeps;
  caller: CallerIdentity;
  req: HttpRequest;
  params: RouteParams;
}

export interface AuthedRoute {
  method: string;
  pattern: string;
  handler: (r: AuthedRequest) => Promise<HttpResponse>;
}

/**
 * Logger for answers given before the instance's dependencies exist (malformed events, unknown
 * routes, a config error at cold start). Client mistakes there are not worth an info line each;
 * the operator's own failures (config, internal) are logged as errors by toHttpResponse.
 */
const bootLogger = createLogger({ level: 'warn', fields: { phase: 'boot' } });

/** An FC HTTP-trigger handler over authenticated routes. Never throws; never leaks internals. */
export function httpFunction(routes: readonly AuthedRoute[]) {
  // matchRoute works on plain Routes; keep the authenticated handler beside each one.
  const table = routes.map((authed) => ({ method: authed.method, pattern: authed.pattern, handler: () => jsonResponse(500, {}), authed }));
  return async function handler(event: Buffer, context: FcContext): Promise<HttpResponse> {
    let req: HttpRequest | undefined;
    let deps: AppDeps | undefined;
    try {
      req = parseHttpEvent(event, { maxBodyBytes: getConfig().maxBodyBytes });
      // Route before authenticating: an unknown path or method costs no STS call or nonce.
      const { route, params } = matchRoute(req, table);
      const authed = table.find((t) => t === route)?.authed;
      if (!authed) throw new Error('matched a route outside the table');
      deps = await getAppDeps(context);
      const caller = await authenticate(deps, req.headers);
      return await authed.handler({ deps, caller, req, params });
    } catch (e) {
      return toHttpResponse(e, { requestId: context.requestId ?? req?.requestId, logger: deps?.logger ?? bootLogger });
    }
  };
}

/**
 * An FC handler for an MNS queue trigger (EventBridge, event-driven). Returning acknowledges
 * the message; throwing makes the trigger retry and finally dead-letter it. A use case returns
 * an Outcome for everything that must not be retried (malformed, stale, permanently failed).
 */
export function queueFunction(useCase: (deps: AppDeps, body: string) => Promise<Outcome>, ram: RamFactory) {
  return async function handler(event: Buffer, context: FcContext): Promise<Outcome> {
    const deps = await getAppDeps(context, ram);
    let body: string;
    try {
      body = parseMnsEvent(event).body;
    } catch (e) {
      // Retrying a malformed event cannot help: acknowledge and log it.
      deps.logger.warn('malformed queue event acknowledged', { error: e instanceof Error ? e.message : String(e), requestId: context.requestId });
      return { outcome: 'malformed', detail: e instanceof Error ? e.message : String(e) };
    }
    const outcome = await useCase(deps, body);
    deps.logger.info('queue message handled', { ...outcome, fcRequestId: context.requestId });
    return outcome;
  };
}

/** An FC timer-trigger handler. */
export function timerFunction<T>(useCase: (deps: AppDeps) => Promise<T>, ram: RamFactory) {
  return async function handler(event: Buffer, context: FcContext): Promise<T> {
    const deps = await getAppDeps(context, ram);
    const timer = parseTimerEvent(event);
    const report = await useCase(deps);
    deps.logger.info('timer run finished', { trigger: timer.triggerName, triggerTime: timer.triggerTime.toISOString(), report });
    return report;
  };
}

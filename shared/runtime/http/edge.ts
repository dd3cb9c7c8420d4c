/**
 * The HTTP trigger's edge: parse the event, route it, authenticate, parse the body if the route
 * takes one, call the route's use case, and map whatever happens to an FC response. Generic over
 * the dependencies so that it is tested without a ledger or a cloud; function-handlers.ts binds it
 * to the instance's real wiring.
 */
import type { CallerIdentity, Logger } from '../../domain/ports';
import type { FcContext } from '../wiring';
import { parseHttpEvent, parseJsonBody, type HttpRequest, type JsonObject } from './event';
import { toHttpResponse, type HttpResponse } from './response';
import { matchRoute, type RouteParams, type RoutePattern } from './router';

interface AuthedRequest<D> {
  deps: D;
  caller: CallerIdentity;
  req: HttpRequest;
  params: RouteParams;
}

/**
 * A route of an authenticated API. A route that takes a body says so (`body: true`): the edge
 * parses it as a JSON object (INVALID_JSON, VALIDATION or PAYLOAD_TOO_LARGE otherwise), after
 * authentication, and hands it over; the use case validates its fields.
 */
export type AuthedRoute<D> = RoutePattern & (
  | { body?: false; handler: (r: AuthedRequest<D>) => Promise<HttpResponse> }
  | { body: true; handler: (r: AuthedRequest<D> & { body: JsonObject }) => Promise<HttpResponse> }
);

/** What the edge needs from the function's wiring. */
interface HttpBinding<D extends { logger: Logger; config: { maxBodyBytes: number } }> {
  /** The body limit before the dependencies exist (read from the config at cold start). */
  maxBodyBytes(): number;
  deps(context: FcContext): Promise<D>;
  authenticate(deps: D, headers: Record<string, string>): Promise<CallerIdentity>;
  /** Where answers given before the dependencies exist are logged. */
  bootLogger: Logger;
}

/** An FC HTTP-trigger handler over authenticated routes. Never throws; never leaks internals. */
export function httpEdge<D extends { logger: Logger; config: { maxBodyBytes: number } }>(routes: ReadonlyArray<AuthedRoute<D>>, binding: HttpBinding<D>) {
  return async function handler(event: Buffer, context: FcContext): Promise<HttpResponse> {
    let req: HttpRequest | undefined;
    let deps: D | undefined;
    try {
      req = parseHttpEvent(event, { maxBodyBytes: binding.maxBodyBytes() });
      // Route before authenticating: an unknown path or method costs no STS call or nonce.
      const { route, params } = matchRoute(req, routes);
      deps = await binding.deps(context);
      const caller = await binding.authenticate(deps, req.headers);
      const r: AuthedRequest<D> = { deps, caller, req, params };
      return route.body === true ? await route.handler({ ...r, body: parseJsonBody(req, deps.config.maxBodyBytes) }) : await route.handler(r);
    } catch (e) {
      return toHttpResponse(e, { requestId: context.requestId ?? req?.requestId, logger: deps?.logger ?? binding.bootLogger });
    }
  };
}

/**
 * A generic route matcher: it knows methods and path patterns only, so a route table carries
 * whatever its edge needs (handlers, a body declaration) and gets its own route back, typed.
 */
import { CrossroleError } from '../../domain/errors';
import { truncate } from '../../domain/duration';
import type { HttpRequest } from './event';

export type RouteParams = Record<string, string>;

export interface RoutePattern {
  method: string;
  /** Literal segments and `:name` parameters, e.g. `/requests/:id/approve`. */
  pattern: string;
}

interface RouteMatch<R extends RoutePattern> {
  route: R;
  params: RouteParams;
}

/**
 * The path the routes see: FC's trigger URL puts the function at the root, while the local cloud
 * (and FC's `/fn/<name>` style URLs) prefix it, so the prefix is dropped and both work the same.
 */
export function routablePath(rawPath: string): string {
  const m = /^\/fn\/[^/]+(\/.*)?$/.exec(rawPath);
  const path = m ? (m[1] ?? '/') : rawPath;
  // One trailing slash is forgiven (`/requests/` = `/requests`).
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
}

function splitSegments(path: string): string[] {
  return path === '/' ? [] : path.replace(/^\//, '').split('/');
}

function matchPattern(pattern: string, segments: readonly string[]): RouteParams | undefined {
  const parts = splitSegments(pattern);
  if (parts.length !== segments.length) return undefined;
  const params: RouteParams = {};
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i] as string;
    const s = segments[i] as string;
    if (p.startsWith(':')) {
      if (s === '') return undefined;
      let decoded: string;
      try {
        decoded = decodeURIComponent(s);
      } catch {
        return undefined;
      }
      params[p.slice(1)] = decoded;
    } else if (p !== s) {
      return undefined;
    }
  }
  return params;
}

/**
 * Find the route for a request. Throws ROUTE_NOT_FOUND (404) when no pattern matches the path, and
 * METHOD_NOT_ALLOWED (405, `details.allow` = the methods that would match) when only the method is wrong.
 */
export function matchRoute<R extends RoutePattern>(req: Pick<HttpRequest, 'method' | 'rawPath'>, routes: readonly R[]): RouteMatch<R> {
  const segments = splitSegments(routablePath(req.rawPath));
  const allowed = new Set<string>();
  for (const route of routes) {
    const params = matchPattern(route.pattern, segments);
    if (params === undefined) continue;
    if (route.method.toUpperCase() === req.method.toUpperCase()) return { route, params };
    allowed.add(route.method.toUpperCase());
  }
  if (allowed.size > 0) {
    const allow = [...allowed].sort();
    throw new CrossroleError('METHOD_NOT_ALLOWED', `method ${truncate(req.method, 16)} is not allowed here; use ${allow.join(' or ')}`, { details: { allow } });
  }
  throw new CrossroleError('ROUTE_NOT_FOUND', `no route for ${truncate(req.method, 16)} ${truncate(routablePath(req.rawPath), 100)}`);
}

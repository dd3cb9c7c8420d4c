/**
 * crossrole-intake (HTTP): partners submit access requests and read their own.
 *   POST /requests              -> 202 { request }
 *   GET  /requests              -> 200 { items, next? }   (the caller's account's requests)
 *   GET  /requests/{id}         -> 200 { request, history }
 *   POST /requests/{id}/cancel  -> 200 { request }         (withdraw a pending request)
 *   GET  /profiles              -> 200 { profiles }        (what the caller may ask for)
 *   POST /requests/{id}/extend  -> 202 { request, extension }   body { duration | until, reason }
 *   POST /requests/{id}/shorten -> 202 { request, extension }   body { duration | until, reason }   (approvers too)
 */
import { cancelRequest, listProfiles, requestExtension, shortenGrant, submitRequest } from '../../shared/workflow';
import { httpFunction } from '../../shared/runtime/function-handlers';
import { readRoutes } from '../../shared/runtime/http/read-routes';
import { jsonResponse } from '../../shared/runtime/http/response';

export const handler = httpFunction([
  {
    method: 'POST',
    pattern: '/requests',
    body: true,
    handler: async ({ deps, caller, body }) => jsonResponse(202, { request: await submitRequest(deps, caller, body) }),
  },
  ...readRoutes,
  {
    method: 'POST',
    pattern: '/requests/:id/cancel',
    body: true,
    handler: async ({ deps, caller, params, body }) => jsonResponse(200, { request: await cancelRequest(deps, caller, params.id ?? '', body) }),
  },
  {
    method: 'GET',
    pattern: '/profiles',
    handler: ({ deps, caller }) => Promise.resolve(jsonResponse(200, listProfiles(deps, caller))),
  },
  {
    method: 'POST',
    pattern: '/requests/:id/extend',
    body: true,
    handler: async ({ deps, caller, params, body }) => jsonResponse(202, await requestExtension(deps, caller, params.id ?? '', body)),
  },
  {
    method: 'POST',
    pattern: '/requests/:id/shorten',
    body: true,
    handler: async ({ deps, caller, params, body }) => jsonResponse(202, await shortenGrant(deps, caller, params.id ?? '', body)),
  },
]);

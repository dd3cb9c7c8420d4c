/**
 * crossrole-intake (HTTP): partners submit access requests and read their own.
 *   POST /requests              -> 202 { request }
 *   GET  /requests              -> 200 { items, next? }   (the caller's account's requests)
 *   GET  /requests/{id}         -> 200 { request, history }
 *   POST /requests/{id}/cancel  -> 200 { request }         (withdraw a pending request)
 */
import { cancelRequest, submitRequest } from '../../shared/workflow';
import { httpFunction } from '../../shared/runtime/function-handlers';
import { jsonResponse, parseJsonBody } from '../../shared/runtime/http';
import { readRoutes } from '../../shared/runtime/request-routes';

export const handler = httpFunction([
  {
    method: 'POST',
    pattern: '/requests',
    handler: async ({ deps, caller, req }) => jsonResponse(202, { request: await submitRequest(deps, caller, parseJsonBody(req, deps.config.maxBodyBytes)) }),
  },
  ...readRoutes,
  {
    method: 'POST',
    pattern: '/requests/:id/cancel',
    handler: async ({ deps, caller, req, params }) => jsonResponse(200, { request: await cancelRequest(deps, caller, params.id ?? '', parseJsonBody(req, deps.config.maxBodyBytes)) }),
  },
]);

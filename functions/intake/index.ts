/**
 * crossrole-intake (HTTP): partners submit access requests and read their own.
 *   POST /requests              -> 202 { request }
 *   GET  /requests              -> 200 { items, next? }   (the caller's account's requests)
 *   GET  /requests/{id}         -> 200 { request, history }
 *   POST /requests/{id}/cancel  -> 200 { request }         (withdraw a pending request)
 */
import { cancelRequest, getRequest, listRequests, submitRequest } from '../../shared/workflow';
import { httpFunction } from '../../shared/runtime/function-handlers';
import { jsonResponse, parseJsonBody } from '../../shared/runtime/http';
import { listQueryOf } from '../../shared/runtime/list-query';

export const handler = httpFunction([
  {
    method: 'POST',
    pattern: '/requests',
    handler: async ({ deps, caller, req }) => jsonResponse(202, { request: await submitRequest(deps, caller, parseJsonBody(req, deps.config.maxBodyBytes)) }),
  },
  {
    method: 'GET',
    pattern: '/requests',
    handler: async ({ deps, caller, req }) => jsonResponse(200, await listRequests(deps, caller, listQueryOf(req.query))),
  },
  {
    method: 'GET',
    pattern: '/requests/:id',
    handler: async ({ deps, caller, params }) => jsonResponse(200, await getRequest(deps, caller, params.id ?? '')),
  },
  {
    method: 'POST',
    pattern: '/requests/:id/cancel',
    handler: async ({ deps, caller, req, params }) => jsonResponse(200, { request: await cancelRequest(deps, caller, params.id ?? '', parseJsonBody(req, deps.config.maxBodyBytes)) }),
  },
]);

/**
 * crossrole-approval (HTTP): approvers decide and revoke; partners revoke their own grants.
 *   GET  /requests?status=PENDING     -> 200 { items, next? }
 *   GET  /requests/{id}               -> 200 { request, history }
 *   POST /requests/{id}/approve       -> 200 { request }   body { duration?, reason? }
 *   POST /requests/{id}/reject        -> 200 { request }   body { reason }
 *   POST /requests/{id}/revoke        -> 200 { request, modeApplied }   body { mode?: trust|delete, reason }
 *   POST /requests/{id}/retry         -> 200 { request }   (a FAILED request)
 *   POST /requests/{id}/reconcile     -> 200 { request, reconcile }   (approvers and operators)
 *   POST /requests/{id}/extension/approve -> 200 { request, extension }   body { reason? }
 *   POST /requests/{id}/extension/reject  -> 200 { request, extension }   body { reason }
 *   POST /requests/{id}/review        -> 200 { request }   body { verdict: ok|flag, note }   (a break-glass grant, approvers)
 *   GET  /audit?since=&until=&partner=&cursor=&limit=   -> 200 { items, next?, until, settled }   (approvers and operators)
 * It carries the RAM adapter: reconcile reads and converges the grant's role now, and a delete
 * asked for a grant REVOKED in trust mode deletes its role now.
 */
import { approveExtension, approveRequest, exportAudit, reconcileRequest, rejectExtension, rejectRequest, requestRevocationWithMode, retryFailed, reviewGrant } from '../../shared/workflow';
import { createRamAdapter } from '../../shared/cloud/ram-adapter';
import { httpFunction } from '../../shared/runtime/function-handlers';
import { auditQueryOf } from '../../shared/runtime/http/audit-query';
import { readRoutes } from '../../shared/runtime/http/read-routes';
import { jsonResponse } from '../../shared/runtime/http/response';

export const handler = httpFunction([
  ...readRoutes,
  {
    method: 'POST',
    pattern: '/requests/:id/approve',
    body: true,
    handler: async ({ deps, caller, params, body }) => jsonResponse(200, { request: await approveRequest(deps, caller, params.id ?? '', body) }),
  },
  {
    method: 'POST',
    pattern: '/requests/:id/reject',
    body: true,
    handler: async ({ deps, caller, params, body }) => jsonResponse(200, { request: await rejectRequest(deps, caller, params.id ?? '', body) }),
  },
  {
    method: 'POST',
    pattern: '/requests/:id/revoke',
    body: true,
    handler: async ({ deps, caller, params, body }) => jsonResponse(200, await requestRevocationWithMode(deps, caller, params.id ?? '', body)),
  },
  {
    method: 'POST',
    pattern: '/requests/:id/retry',
    handler: async ({ deps, caller, params }) => jsonResponse(200, { request: await retryFailed(deps, caller, params.id ?? '') }),
  },
  {
    method: 'POST',
    pattern: '/requests/:id/reconcile',
    handler: async ({ deps, caller, params }) => jsonResponse(200, await reconcileRequest(deps, caller, params.id ?? '')),
  },
  {
    method: 'POST',
    pattern: '/requests/:id/extension/approve',
    body: true,
    handler: async ({ deps, caller, params, body }) => jsonResponse(200, await approveExtension(deps, caller, params.id ?? '', body)),
  },
  {
    method: 'POST',
    pattern: '/requests/:id/extension/reject',
    body: true,
    handler: async ({ deps, caller, params, body }) => jsonResponse(200, await rejectExtension(deps, caller, params.id ?? '', body)),
  },
  {
    method: 'POST',
    pattern: '/requests/:id/review',
    body: true,
    handler: async ({ deps, caller, params, body }) => jsonResponse(200, { request: await reviewGrant(deps, caller, params.id ?? '', body) }),
  },
  {
    method: 'GET',
    pattern: '/audit',
    handler: async ({ deps, caller, req }) => jsonResponse(200, await exportAudit(deps, caller, auditQueryOf(req.query))),
  },
], createRamAdapter);

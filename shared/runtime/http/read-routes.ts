/**
 * The read routes both HTTP functions serve: a partner reads its own requests through intake,
 * an approver reads any through approval; `shared/workflow/queries` decides who sees what.
 */
import { getRequest, listRequests } from '../workflow/queries';
import type { AuthedRoute } from './function-handlers';
import { jsonResponse } from './http';
import { listQueryOf } from './list-query';

export const readRoutes: readonly AuthedRoute[] = [
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
];

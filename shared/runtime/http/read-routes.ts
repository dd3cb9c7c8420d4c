/**
 * The read routes both HTTP functions serve: a partner reads its own requests through intake,
 * an approver reads any through approval; the workflow's queries decide who sees what.
 */
import { getRequest, listRequests } from '../../workflow';
import type { AppDeps } from '../wiring';
import type { AuthedRoute } from './edge';
import { listQueryOf } from './list-query';
import { jsonResponse } from './response';

export const readRoutes: ReadonlyArray<AuthedRoute<AppDeps>> = [
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

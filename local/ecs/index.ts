/**
 * ECS (2014-05-26) as a local service: store (seeded instances), one handler per action, the
 * authorization table. Imports local/core (and local/ram's id helpers); imported by local/server.ts. Like every local
 * service it never imports the product's policy, cloud, workflow, runtime, ledger or identity code.
 */
import type { ActionAuthorizer } from '../core/contract';
import { ServiceError } from '../core/errors';
import type { PopAuthenticator } from '../core/pop-auth';
import { RpcService } from '../core/rpc';
import { ECS_AUTHORIZATION } from './authorization';
import { ecsHandlers } from './handlers';
import type { EcsStore } from './store';

export const ECS_VERSION = '2014-05-26';

export function createEcsService(deps: { store: EcsStore; authorizer: ActionAuthorizer; authenticator: PopAuthenticator }): RpcService {
  return new RpcService({
    name: 'ecs',
    version: ECS_VERSION,
    hostId: 'ecs.aliyuncs.com',
    handlers: ecsHandlers(deps.store),
    authorization: ECS_AUTHORIZATION,
    authenticator: deps.authenticator,
    authorizer: deps.authorizer,
    // ECS answers a RAM denial with its own code.
    denied: () => new ServiceError('Forbidden.RAM', 403, "User not authorized to operate on the specified resource, or this API doesn't support RAM."),
  });
}

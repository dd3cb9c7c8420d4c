/**
 * RAM (2015-05-01) as a local service: the router of its action handlers. The folder holds the
 * state (store*.ts), the handlers, the authorization table and the quotas the local cloud owns.
 * Imports local/core and local/access (policy grammar through access/engine.ts); imported by
 * local/server.ts. Never imports the product's policy, cloud, workflow, runtime, ledger or identity code.
 */
import type { ActionAuthorizer } from '../core/contract';
import { noPermission } from '../core/errors';
import type { FaultInjector } from '../core/faults';
import type { PopAuthenticator } from '../core/pop-auth';
import type { RateLimiter } from '../core/rate-limiter';
import { RpcService } from '../core/rpc';
import { RAM_AUTHORIZATION } from './authorization';
import { ramHandlers } from './handlers';
import { RAM_RATE_LIMITS } from './quotas';
import type { RamStore } from './store';

export const RAM_VERSION = '2015-05-01';

export type { RamQuotas } from './quotas';
export { RamStore } from './store';

interface RamServiceDeps {
  ram: RamStore;
  authorizer: ActionAuthorizer;
  authenticator: PopAuthenticator;
  faults?: FaultInjector;
  limiter?: RateLimiter;
}

export function createRamService(deps: RamServiceDeps): RpcService {
  return new RpcService({
    name: 'ram',
    version: RAM_VERSION,
    hostId: 'ram.aliyuncs.com',
    handlers: ramHandlers({ ram: deps.ram, ...(deps.faults === undefined ? {} : { faults: deps.faults }) }),
    authorization: RAM_AUTHORIZATION,
    authenticator: deps.authenticator,
    authorizer: deps.authorizer,
    denied: () => noPermission(),
    ...(deps.faults === undefined ? {} : { faults: deps.faults }),
    ...(deps.limiter === undefined
      ? {}
      : { rateLimits: { limiter: deps.limiter, perSecond: RAM_RATE_LIMITS, code: 'Throttling.User', message: 'Request was denied due to user flow control.' } }),
  });
}

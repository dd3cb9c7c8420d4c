/**
 * STS (2015-04-01) as a local service: sessions and AssumeRole (store.ts), handlers, the
 * authorization table and quotas. Imports local/core, local/ram and local/access/engine.ts;
 * imported by local/server.ts, which also hands the store to the FC runtime as its
 * ServiceRoleIssuer. Never imports the product's policy, cloud, workflow, runtime, ledger or identity code.
 */
import type { ActionAuthorizer } from '../core/contract';
import { noPermission } from '../core/errors';
import type { FaultInjector } from '../core/faults';
import type { PopAuthenticator } from '../core/pop-auth';
import type { RateLimiter } from '../core/rate-limiter';
import { RpcService } from '../core/rpc';
import { STS_AUTHORIZATION } from './authorization';
import { stsHandlers } from './handlers';
import { STS_RATE_LIMITS } from './quotas';
import type { StsStore } from './store';

export const STS_VERSION = '2015-04-01';

export { StsSessions, StsStore } from './store';

interface StsServiceDeps {
  sts: StsStore;
  authorizer: ActionAuthorizer;
  authenticator: PopAuthenticator;
  faults?: FaultInjector;
  limiter?: RateLimiter;
}

export function createStsService(deps: StsServiceDeps): RpcService {
  return new RpcService({
    name: 'sts',
    version: STS_VERSION,
    hostId: 'sts.aliyuncs.com',
    handlers: stsHandlers(deps.sts),
    authorization: STS_AUTHORIZATION,
    authenticator: deps.authenticator,
    authorizer: deps.authorizer,
    denied: () => noPermission(),
    ...(deps.faults === undefined ? {} : { faults: deps.faults }),
    ...(deps.limiter === undefined
      ? {}
      : {
          // STS reports its quota as API flow control (help.aliyun.com/knowledge_detail/257129.html).
          rateLimits: { limiter: deps.limiter, perSecond: STS_RATE_LIMITS, code: 'Throttling.Api', message: 'Request was denied due to api flow control.' },
        }),
  });
}

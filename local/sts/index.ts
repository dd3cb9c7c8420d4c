/** STS (2015-04-01) as a local service. */
import type { IdentityProvider } from '../core/contract';
import { noPermission } from '../core/errors';
import type { FaultInjector } from '../core/faults';
import type { PopAuthenticator } from '../core/pop-auth';
import type { RateLimiter } from '../core/rate-limiter';
import { RpcService } from '../core/rpc';
import type { LocalIam } from '../iam/local-iam';
import { stsHandlers } from './handlers';

export const STS_VERSION = '2015-04-01';

/** AssumeRole: 100/s per account, shared by the account and its identities (fc-sdevs-ram.md §3.2). */
export const STS_RATE_LIMITS: Record<string, number> = { AssumeRole: 100 };

export interface StsServiceDeps {
  iam: LocalIam;
  identity: IdentityProvider;
  authenticator: PopAuthenticator;
  faults?: FaultInjector;
  limiter?: RateLimiter;
}

export function createStsService(deps: StsServiceDeps): RpcService {
  return new RpcService({
    name: 'sts',
    version: STS_VERSION,
    hostId: 'sts.aliyuncs.com',
    handlers: stsHandlers(deps.iam),
    authenticator: deps.authenticator,
    identity: deps.identity,
    denied: () => noPermission(),
    ...(deps.faults === undefined ? {} : { faults: deps.faults }),
    ...(deps.limiter === undefined
      ? {}
      : {
          // STS reports its quota as API flow control (fc-sdevs-ram.md §3.2, zh FAQ 257129).
          rateLimits: { limiter: deps.limiter, perSecond: STS_RATE_LIMITS, code: 'Throttling.Api', message: 'Request was denied due to api flow control.' },
        }),
  });
}

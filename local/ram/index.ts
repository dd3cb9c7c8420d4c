/** RAM (2015-05-01) as a local service: the router of its action handlers. */
import type { IdentityProvider } from '../core/contract';
import { noPermission } from '../core/errors';
import type { FaultInjector } from '../core/faults';
import type { PopAuthenticator } from '../core/pop-auth';
import type { RateLimiter } from '../core/rate-limiter';
import { RpcService } from '../core/rpc';
import type { LocalIam } from '../iam/local-iam';
import { ramHandlers } from './handlers';
import { RAM_DOCUMENTED_QUOTAS } from '../../shared/cloud/rate-limiter';

export const RAM_VERSION = '2015-05-01';

/** Per-account requests per second (fc-sdevs-ram.md §3.2), enforced with `strictLimits`. */
export const RAM_RATE_LIMITS: Readonly<Record<string, number>> = RAM_DOCUMENTED_QUOTAS;

export interface RamServiceDeps {
  iam: LocalIam;
  identity: IdentityProvider;
  authenticator: PopAuthenticator;
  faults?: FaultInjector;
  limiter?: RateLimiter;
}

export function createRamService(deps: RamServiceDeps): RpcService {
  return new RpcService({
    name: 'ram',
    version: RAM_VERSION,
    hostId: 'ram.aliyuncs.com',
    handlers: ramHandlers(deps.iam),
    authenticator: deps.authenticator,
    identity: deps.identity,
    denied: () => noPermission(),
    ...(deps.faults === undefined ? {} : { faults: deps.faults }),
    ...(deps.limiter === undefined
      ? {}
      : { rateLimits: { limiter: deps.limiter, perSecond: RAM_RATE_LIMITS, code: 'Throttling.User', message: 'Request was denied due to user flow control.' } }),
  });
}

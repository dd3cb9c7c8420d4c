/**
 * Client-side self-throttling, one token bucket per API, so a burst of grants is paced below the
 * cloud's per-account quotas instead of bouncing off `Throttling.User`
 * (alibabacloud.com/help/en/ram/developer-reference/api-ram-2015-05-01-quota).
 *
 * Implemented as GCRA (the "virtual scheduling" form of a token bucket): each key keeps its
 * theoretical arrival time, and `acquire` reserves the next slot synchronously before sleeping,
 * so concurrent callers are spread out in call order without timers or polling.
 */
import { defaultSleep } from './retry';

export interface RateLimiter {
  /** Resolves when one call of `key` may be sent. */
  acquire(key: string): Promise<void>;
  /**
   * The cloud answered `Throttling` for `key`. Pacing is per instance, but the quota is per
   * account: when several function instances share it, each must slow down. Optional.
   */
  throttled?(key: string): void;
  /** A call of `key` went through. Optional. */
  succeeded?(key: string): void;
}

/** AIMD: cut a key's rate by a quarter on throttling, win back 5% of the quota per success (random throttling at 10% then costs almost nothing; real contention converges). */
const AIMD_DECREASE = 0.75;
const AIMD_INCREASE = 0.05;
const AIMD_FLOOR = 0.05;

/**
 * Documented per-account quotas (calls/second) of RAM APIs (the RAM flow-control page above). The local
 * cloud enforces exactly these in strict mode; the adapter paces under them.
 */
export const RAM_DOCUMENTED_QUOTAS: Readonly<Record<string, number>> = {
  CreateRole: 20,
  DeleteRole: 20,
  CreatePolicy: 20,
  CreatePolicyVersion: 20,
  DeletePolicy: 20,
  AttachPolicyToRole: 10,
  DetachPolicyFromRole: 10,
  UntagResources: 10,
  GetRole: 100,
  ListPoliciesForRole: 100,
  ListPolicies: 100,
  ListTagResources: 100,
  ListEntitiesForPolicy: 100,
};

/** What the adapter paces: the documented quotas plus conservative guesses for the rest. */
export const RAM_API_QUOTAS: Readonly<Record<string, number>> = {
  ...RAM_DOCUMENTED_QUOTAS,
  // Not in the published excerpt (UNCONFIRMED): assume the conservative write quota.
  UpdateRole: 20,
  ListRoles: 20,
  TagResources: 10,
  GetPolicy: 20,
};

export const STS_API_QUOTAS: Readonly<Record<string, number>> = {
  AssumeRole: 100,
  GetCallerIdentity: 100,
};

/**
 * Fraction of the quota we aim for. The cloud counts in fixed one-second windows and our timers
 * and the network add jitter, so pacing exactly at the quota would occasionally put quota+1
 * calls in one server window.
 */
export const QUOTA_SAFETY_FACTOR = 0.9;

interface TokenBucketOptions {
  /** Calls per second, per key. */
  rates: Readonly<Record<string, number>>;
  /** Rate for keys not in `rates` (default 10/s). */
  defaultRate?: number;
  /** Calls that may go out back to back before pacing starts (default 1: evenly spaced). */
  burst?: number;
  /** ms clock (default Date.now). */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

interface TokenBucketLimiter extends RateLimiter {
  /** The rate in force for `key` (the configured rate, scaled down after throttling). */
  rateOf(key: string): number;
  throttled(key: string): void;
  succeeded(key: string): void;
}

export function createTokenBucketLimiter(options: TokenBucketOptions): TokenBucketLimiter {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? defaultSleep;
  const burst = Math.max(1, Math.floor(options.burst ?? 1));
  const defaultRate = options.defaultRate ?? 10;
  const tat = new Map<string, number>();
  // Additive-increase / multiplicative-decrease share of the configured rate, per key: instances
  // that compete for one account quota converge on a combined rate the cloud accepts.
  const share = new Map<string, number>();

  const rateOf = (key: string): number => {
    const r = options.rates[key] ?? defaultRate;
    if (!(r > 0) || !Number.isFinite(r)) throw new RangeError(`rate for ${key} must be a positive number, got ${r}`);
    return r * (share.get(key) ?? 1);
  };

  return {
    rateOf,
    throttled(key: string): void {
      share.set(key, Math.max(AIMD_FLOOR, (share.get(key) ?? 1) * AIMD_DECREASE));
    },
    succeeded(key: string): void {
      const s = share.get(key);
      if (s === undefined) return;
      if (s + AIMD_INCREASE >= 1) share.delete(key);
      else share.set(key, s + AIMD_INCREASE);
    },
    acquire(key: string): Promise<void> {
      const interval = 1000 / rateOf(key);
      const tolerance = (burst - 1) * interval;
      const t = now();
      const theoretical = Math.max(tat.get(key) ?? t, t);
      const wait = theoretical - tolerance - t;
      tat.set(key, theoretical + interval);
      return wait > 0 ? sleep(Math.ceil(wait)) : Promise.resolve();
    },
  };
}

/** Quotas scaled by the safety factor: the default limiter of the RAM/STS adapters. */
export function pacedRates(quotas: Readonly<Record<string, number>>, factor = QUOTA_SAFETY_FACTOR): Record<string, number> {
  return Object.fromEntries(Object.entries(quotas).map(([k, v]) => [k, v * factor]));
}

/** A limiter that never waits (tests, or when the caller already paces). */
export const unlimited: RateLimiter = { acquire: () => Promise.resolve() };

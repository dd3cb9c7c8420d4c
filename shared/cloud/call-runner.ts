/**
 * The path every cloud API call of an adapter takes: wait for the API's rate-limit slot, send,
 * count it, retry transient failures with backoff, and translate the final failure. Counting
 * happens per attempt, so `callCount()` is the number of requests that actually went out.
 */
import type { Logger } from '../domain/ports';
import { describeCloudFailure, isRetryableFailure, translateCloudError, type CloudService } from './errors';
import type { RateLimiter } from './rate-limiter';
import { RetriesExhausted, withRetry, type RetryOptions } from './retry';

export interface ActionStats {
  /** Requests sent (attempts, including retries). */
  calls: number;
  /** Attempts that were retried after a transient failure. */
  retries: number;
  /** Calls whose final outcome was an error (including expected ones like EntityNotExist). */
  failures: number;
}

interface CallRunner {
  run<T>(action: string, resource: string | undefined, send: () => Promise<T>): Promise<T>;
  callCount(): number;
  callStats(): Record<string, ActionStats>;
}

interface CallRunnerOptions {
  service: CloudService;
  limiter: RateLimiter;
  retry?: RetryOptions;
  logger: Logger;
}

export function createCallRunner(options: CallRunnerOptions): CallRunner {
  const stats = new Map<string, ActionStats>();
  let total = 0;
  const statsOf = (action: string): ActionStats => {
    let s = stats.get(action);
    if (!s) {
      s = { calls: 0, retries: 0, failures: 0 };
      stats.set(action, s);
    }
    return s;
  };

  return {
    async run<T>(action: string, resource: string | undefined, send: () => Promise<T>): Promise<T> {
      const s = statsOf(action);
      const ctx = { service: options.service, action, ...(resource !== undefined ? { resource } : {}) };
      try {
        return await withRetry(async () => {
          await options.limiter.acquire(action);
          s.calls++;
          total++;
          const result = await send();
          options.limiter.succeeded?.(action);
          return result;
        }, {
          isRetryable: (e) => isRetryableFailure(describeCloudFailure(e)),
          retryAfterMs: (e) => describeCloudFailure(e).retryAfterMs,
          onRetry: (e, attempt, delayMs) => {
            s.retries++;
            const f = describeCloudFailure(e);
            if (f.code?.includes('Throttling')) options.limiter.throttled?.(action);
            options.logger.warn(`${options.service} ${action} failed transiently; retrying`, {
              attempt, delayMs, cloudCode: f.code, status: f.statusCode, ...(f.transport ? { transport: f.message } : {}),
            });
          },
        }, options.retry);
      } catch (e) {
        s.failures++;
        if (e instanceof RetriesExhausted) throw translateCloudError(e.lastError, ctx, e.attempts);
        throw translateCloudError(e, ctx);
      }
    },
    callCount: () => total,
    callStats: () => Object.fromEntries([...stats].map(([k, v]) => [k, { ...v }])),
  };
}

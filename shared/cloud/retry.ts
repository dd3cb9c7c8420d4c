/**
 * Bounded retries with full-jitter exponential backoff. Bounded twice: by attempts and by total
 * elapsed time, because an FC invocation has a hard timeout and a queue consumer that sleeps past
 * it loses its message to a redelivery anyway. Time and sleep are injectable for tests.
 */

export interface RetryOptions {
  /** Total attempts including the first (default 4). */
  maxAttempts?: number;
  /** Backoff base: attempt n waits up to base * 2^(n-1) ms (default 100). */
  baseDelayMs?: number;
  /** Cap of one wait (default 2000). */
  maxDelayMs?: number;
  /** No new attempt starts once this much time has passed since the first one (default 10000). */
  maxTotalMs?: number;
  sleep?: (ms: number) => Promise<void>;
  /** [0, 1); Math.random by default. */
  random?: () => number;
  /** ms clock; Date.now by default. */
  now?: () => number;
}

interface RetryHooks {
  isRetryable(error: unknown): boolean;
  /** Server-suggested minimum wait (e.g. `x-acs-retry-after`), in ms. */
  retryAfterMs?(error: unknown): number | undefined;
  onRetry?(error: unknown, attempt: number, delayMs: number): void;
}

/** Thrown-through wrapper: the last error plus how many attempts were made. */
export class RetriesExhausted extends Error {
  constructor(readonly lastError: unknown, readonly attempts: number) {
    super(`gave up after ${attempts} attempt(s)`);
    this.name = 'RetriesExhausted';
  }
}

export const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface ResolvedRetryOptions {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  maxTotalMs: number;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
  now: () => number;
}

function resolveRetryOptions(options: RetryOptions = {}): ResolvedRetryOptions {
  return {
    maxAttempts: Math.max(1, options.maxAttempts ?? 4),
    baseDelayMs: options.baseDelayMs ?? 100,
    maxDelayMs: options.maxDelayMs ?? 2000,
    maxTotalMs: options.maxTotalMs ?? 10_000,
    sleep: options.sleep ?? defaultSleep,
    random: options.random ?? Math.random,
    now: options.now ?? Date.now,
  };
}

/** Full jitter (AWS architecture blog): uniform in [0, min(cap, base * 2^(retry-1))]. */
export function backoffDelay(retry: number, o: Pick<ResolvedRetryOptions, 'baseDelayMs' | 'maxDelayMs' | 'random'>): number {
  const ceiling = Math.min(o.maxDelayMs, o.baseDelayMs * 2 ** Math.max(0, retry - 1));
  return Math.floor(o.random() * ceiling);
}

/**
 * Run `fn` until it succeeds, fails with a non-retryable error (rethrown as is), or the budget
 * runs out (throws {@link RetriesExhausted} carrying the last error).
 */
export async function withRetry<T>(fn: (attempt: number) => Promise<T>, hooks: RetryHooks, options: RetryOptions = {}): Promise<T> {
  const o = resolveRetryOptions(options);
  const started = o.now();
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (e) {
      if (!hooks.isRetryable(e)) throw e;
      if (attempt >= o.maxAttempts) throw new RetriesExhausted(e, attempt);
      const hinted = hooks.retryAfterMs?.(e);
      const delay = Math.min(o.maxDelayMs, Math.max(backoffDelay(attempt, o), hinted ?? 0));
      if (o.now() - started + delay > o.maxTotalMs) throw new RetriesExhausted(e, attempt);
      hooks.onRetry?.(e, attempt, delay);
      await o.sleep(delay);
    }
  }
}

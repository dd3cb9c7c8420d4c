/**
 * Per-key requests-per-second limiter for `strictLimits` (api-ram-2015-05-01-quota: the cloud's
 * dimension is API + account). Fixed one-second windows: O(1) per call, no timers.
 */
export class RateLimiter {
  private readonly windows = new Map<string, { second: number; count: number }>();

  /** True if the call is within `perSecond` for `key` in the current second (and counts it). */
  tryAcquire(key: string, perSecond: number, nowMs: number): boolean {
    const second = Math.floor(nowMs / 1000);
    const w = this.windows.get(key);
    if (!w || w.second !== second) {
      // Bounded memory: windows of past seconds are garbage, drop them all now and then.
      if (this.windows.size > 10_000) this.windows.clear();
      this.windows.set(key, { second, count: 1 });
      return true;
    }
    if (w.count >= perSecond) return false;
    w.count++;
    return true;
  }

  reset(): void {
    this.windows.clear();
  }
}

import { createTokenBucketLimiter, pacedRates, QUOTA_SAFETY_FACTOR, RAM_API_QUOTAS } from '../../../shared/cloud/rate-limiter';

describe('token bucket limiter (GCRA)', () => {
  it('spaces calls of one key at 1/rate, in call order, with burst 1', async () => {
    let now = 0;
    const waits: number[] = [];
    const limiter = createTokenBucketLimiter({ rates: { CreateRole: 20 }, now: () => now, sleep: async (ms) => { waits.push(ms); } });
    for (let i = 0; i < 5; i++) await limiter.acquire('CreateRole');
    expect(waits).toEqual([50, 100, 150, 200]);
    now = 1000; // idle long enough: no debt carried over
    waits.length = 0;
    await limiter.acquire('CreateRole');
    expect(waits).toEqual([]);
  });

  it('lets `burst` calls through back to back, then paces', async () => {
    const waits: number[] = [];
    const limiter = createTokenBucketLimiter({ rates: { A: 10 }, burst: 3, now: () => 0, sleep: async (ms) => { waits.push(ms); } });
    for (let i = 0; i < 5; i++) await limiter.acquire('A');
    expect(waits).toEqual([100, 200]);
  });

  it('keeps keys independent and uses the default rate for unknown keys', async () => {
    const waits: Array<[string, number]> = [];
    const limiter = createTokenBucketLimiter({ rates: { AttachPolicyToRole: 10 }, defaultRate: 4, now: () => 0, sleep: async (ms) => { waits.push(['?', ms]); } });
    await limiter.acquire('AttachPolicyToRole');
    await limiter.acquire('GetRole');
    await limiter.acquire('AttachPolicyToRole');
    await limiter.acquire('GetRole');
    expect(waits).toEqual([['?', 100], ['?', 250]]);
    expect(limiter.rateOf('GetRole')).toBe(4);
  });

  it('never exceeds the quota in any fixed one-second window for a burst of 500 calls', async () => {
    const rates = pacedRates(RAM_API_QUOTAS);
    // The clock stands still at 0: each sleep(ms) is the send time of that call.
    const sent: number[] = [];
    const limiter = createTokenBucketLimiter({ rates, now: () => 0, sleep: async (ms) => { sent.push(ms); } });
    // 500 concurrent acquires issued at t=0: each reserves its slot synchronously.
    const all: Array<Promise<void>> = [];
    for (let i = 0; i < 500; i++) all.push(limiter.acquire('AttachPolicyToRole'));
    await Promise.all(all);
    const times = [0, ...sent];
    const perSecond = new Map<number, number>();
    for (const t of times) perSecond.set(Math.floor(t / 1000), (perSecond.get(Math.floor(t / 1000)) ?? 0) + 1);
    expect(Math.max(...perSecond.values())).toBeLessThanOrEqual(RAM_API_QUOTAS['AttachPolicyToRole']!);
    expect(Math.max(...perSecond.values())).toBe(Math.ceil(10 * QUOTA_SAFETY_FACTOR));
  });

  it('rejects a non-positive rate', () => {
    const limiter = createTokenBucketLimiter({ rates: { X: 0 } });
    expect(() => limiter.acquire('X')).toThrow(RangeError);
  });
});

describe('AIMD under a shared account quota', () => {
  it('cuts a key\'s rate by a quarter on each throttle (down to a floor) and wins it back by successes', () => {
    const limiter = createTokenBucketLimiter({ rates: { AttachPolicyToRole: 10, GetRole: 100 } });
    limiter.throttled('AttachPolicyToRole');
    expect(limiter.rateOf('AttachPolicyToRole')).toBeCloseTo(7.5);
    limiter.throttled('AttachPolicyToRole');
    expect(limiter.rateOf('AttachPolicyToRole')).toBeCloseTo(5.625);
    for (let i = 0; i < 30; i++) limiter.throttled('AttachPolicyToRole');
    expect(limiter.rateOf('AttachPolicyToRole')).toBeCloseTo(0.5); // floor: 5% of the quota
    expect(limiter.rateOf('GetRole')).toBe(100); // other keys untouched
    for (let i = 0; i < 100; i++) limiter.succeeded('AttachPolicyToRole');
    expect(limiter.rateOf('AttachPolicyToRole')).toBe(10);
  });

  it('three instances sharing a 10/s quota converge below it (simulated seconds)', () => {
    // Each instance starts at the full 9/s; the "cloud" throttles every call beyond 10 in a second.
    const instances = [0, 1, 2].map(() => createTokenBucketLimiter({ rates: { A: 9 } }));
    let throttledLastSeconds = 0;
    for (let second = 0; second < 60; second++) {
      const wanted = instances.map((l) => Math.floor(l.rateOf('A')));
      let accepted = 0;
      let throttled = 0;
      wanted.forEach((n, i) => {
        for (let k = 0; k < n; k++) {
          if (accepted < 10) {
            accepted++;
            instances[i]!.succeeded('A');
          } else {
            throttled++;
            instances[i]!.throttled('A');
          }
        }
      });
      if (second >= 50) throttledLastSeconds += throttled;
    }
    const combined = instances.reduce((n, l) => n + l.rateOf('A'), 0);
    // Without the back-off every second would throttle 17 calls (3 x 9 against 10): 170 here.
    expect(combined).toBeLessThan(20);
    // In steady state most seconds pass without a throttle.
    expect(throttledLastSeconds).toBeLessThan(30);
  });

  it('occasional random throttling (10%) barely slows a lone instance', () => {
    const limiter = createTokenBucketLimiter({ rates: { A: 9 } });
    let x = 1;
    const random = (): number => {
      x = (x * 48271) % 2147483647;
      return x / 2147483647;
    };
    let sum = 0;
    for (let i = 0; i < 2000; i++) {
      if (random() < 0.1) limiter.throttled('A');
      else limiter.succeeded('A');
      sum += limiter.rateOf('A');
    }
    expect(sum / 2000).toBeGreaterThan(7);
  });
});

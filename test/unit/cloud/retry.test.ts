import { ThrottlingError, ClientError } from '@alicloud/openapi-core';
import { backoffDelay, RetriesExhausted, withRetry } from '../../../shared/cloud/retry';

function fakeTime() {
  let t = 0;
  const sleeps: number[] = [];
  return {
    now: () => t,
    sleep: async (ms: number) => { sleeps.push(ms); t += ms; },
    sleeps,
  };
}

const retryable = { isRetryable: (e: unknown) => e instanceof Error && e.message === 'transient' };

describe('withRetry', () => {
  it('returns the first success without sleeping', async () => {
    const time = fakeTime();
    await expect(withRetry(async () => 42, retryable, { ...time })).resolves.toBe(42);
    expect(time.sleeps).toEqual([]);
  });

  it('retries transient failures with capped exponential full-jitter backoff', async () => {
    const time = fakeTime();
    let calls = 0;
    const result = await withRetry(async (attempt) => {
      calls++;
      if (attempt < 4) throw new Error('transient');
      return 'ok';
    }, retryable, { ...time, maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 300, random: () => 0.999999 });
    expect(result).toBe('ok');
    expect(calls).toBe(4);
    // ceilings 100, 200, 400->capped 300; random ~1 takes (almost) the ceiling.
    expect(time.sleeps).toEqual([99, 199, 299]);
  });

  it('jitter is uniform below the ceiling (random=0 gives no wait)', () => {
    expect(backoffDelay(3, { baseDelayMs: 100, maxDelayMs: 10_000, random: () => 0 })).toBe(0);
    expect(backoffDelay(3, { baseDelayMs: 100, maxDelayMs: 10_000, random: () => 0.5 })).toBe(200);
  });

  it('rethrows non-retryable errors at once', async () => {
    const time = fakeTime();
    let calls = 0;
    const err = new Error('fatal');
    await expect(withRetry(async () => { calls++; throw err; }, retryable, { ...time })).rejects.toBe(err);
    expect(calls).toBe(1);
    expect(time.sleeps).toEqual([]);
  });

  it('gives up after maxAttempts with the last error', async () => {
    const time = fakeTime();
    let calls = 0;
    const e = await withRetry(async () => { calls++; throw new Error('transient'); }, retryable, { ...time, maxAttempts: 3, random: () => 0.5 })
      .catch((x: unknown) => x);
    expect(e).toBeInstanceOf(RetriesExhausted);
    expect((e as RetriesExhausted).attempts).toBe(3);
    expect((e as RetriesExhausted).lastError).toEqual(new Error('transient'));
    expect(calls).toBe(3);
  });

  it('gives up when the next wait would pass the total time budget', async () => {
    const time = fakeTime();
    let calls = 0;
    const e = await withRetry(async () => { calls++; throw new Error('transient'); }, retryable,
      { ...time, maxAttempts: 100, baseDelayMs: 1000, maxDelayMs: 1000, maxTotalMs: 2500, random: () => 0.999999 }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(RetriesExhausted);
    expect(calls).toBe(3);
    expect(time.sleeps.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(2500);
  });

  it('honours a server retry-after hint (up to the cap)', async () => {
    const time = fakeTime();
    let calls = 0;
    await withRetry(async () => {
      if (calls++ === 0) throw new ThrottlingError({ code: 'Throttling.User', statusCode: 400, message: 't', retryAfter: 700 });
      return 'ok';
    }, {
      isRetryable: (e) => e instanceof ThrottlingError,
      retryAfterMs: (e) => (e instanceof ThrottlingError ? e.retryAfter : undefined),
    }, { ...time, random: () => 0, maxDelayMs: 2000 });
    expect(time.sleeps).toEqual([700]);
  });

  it('reports each retry to onRetry', async () => {
    const time = fakeTime();
    const seen: number[] = [];
    await withRetry(async (attempt) => {
      if (attempt < 3) throw new ClientError({ code: 'x', statusCode: 500, message: 'transient' });
      return 1;
    }, { isRetryable: () => true, onRetry: (_e, attempt) => seen.push(attempt) }, { ...time });
    expect(seen).toEqual([1, 2]);
  });
});

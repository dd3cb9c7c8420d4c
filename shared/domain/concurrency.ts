/**
 * Bounded fan-out, for loops of independent cloud calls: with the adapters' per-API pacing, a few
 * calls in flight make a long loop run at the paced rate instead of one round trip at a time.
 */

/**
 * `fn` over every item, at most `limit` at once; results in the items' order. Every item runs even
 * if another fails; the first failure (in item order) is thrown once all have settled.
 */
export async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<PromiseSettledResult<R>>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      try {
        results[i] = { status: 'fulfilled', value: await fn(items[i] as T, i) };
      } catch (reason) {
        results[i] = { status: 'rejected', reason };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results.map((r) => {
    if (r.status === 'rejected') throw r.reason;
    return r.value;
  });
}

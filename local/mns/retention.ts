/**
 * The periodic retention sweep. Expiry itself is exact without it: every receive, peek, handle
 * check and GetQueueAttributes drops messages past their queue's MessageRetentionPeriod first.
 * The sweep only deletes expired messages nobody looks at from memory and from the journal, as
 * the real service deletes them, so an idle local cloud does not keep them forever.
 */

/** The shortest retention MNS allows (60 s): sweeping more often would find nothing new. */
export const DEFAULT_SWEEP_INTERVAL_MS = 60_000;

export class RetentionSweeper {
  private readonly timer: NodeJS.Timeout | undefined;

  /** @param intervalMs 0 disables the sweep. */
  constructor(intervalMs: number, sweep: () => void) {
    if (intervalMs <= 0) return;
    this.timer = setInterval(() => {
      try {
        sweep();
      } catch {
        // A failed journal write here loses nothing: expired messages are still dropped on every
        // read, and the next sweep retries. It must not crash the server from a timer.
      }
    }, intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
  }
}

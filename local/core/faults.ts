/**
 * Fault injection for resilience tests: makes RAM/STS calls fail, throttle or slow down on
 * purpose. Off by default; `set()` replaces the whole configuration, `clear()` turns it off.
 */
import { ServiceError } from './errors';

export interface FaultConfig {
  /** Probability (0..1) that a call fails with 500 InternalError. */
  errorRate?: number;
  /** Probability (0..1) that a call is throttled (Throttling.User). */
  throttleRate?: number;
  /** Delay added before every answer. */
  delayMs?: number;
  /** Actions that always fail with 500 InternalError (e.g. `['AttachPolicyToRole']`). */
  failActions?: string[];
}

export class FaultInjector {
  private config: FaultConfig = {};

  constructor(private readonly random: () => number = Math.random) {}

  set(config: FaultConfig): void {
    this.config = { ...config };
  }

  clear(): void {
    this.config = {};
  }

  get(): FaultConfig {
    return { ...this.config };
  }

  get delayMs(): number {
    return this.config.delayMs ?? 0;
  }

  /** Throws the injected failure for `action`, if any. */
  check(action: string): void {
    const c = this.config;
    if (c.failActions?.includes(action)) {
      throw new ServiceError('InternalError', 500, `Injected failure for ${action}.`);
    }
    if (c.throttleRate !== undefined && c.throttleRate > 0 && this.random() < c.throttleRate) {
      throw new ServiceError('Throttling.User', 400, 'Request was denied due to user flow control.');
    }
    if (c.errorRate !== undefined && c.errorRate > 0 && this.random() < c.errorRate) {
      throw new ServiceError('InternalError', 500, 'The request processing has failed due to some unknown error, exception or failure.');
    }
  }
}

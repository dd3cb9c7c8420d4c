/**
 * Fault injection for resilience tests: makes RAM/STS calls fail, throttle or slow down on
 * purpose, or show the cloud's eventual consistency. Off by default; `set()` replaces the whole
 * configuration, `clear()` turns it off.
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
  /**
   * RAM's eventual consistency: DeleteRole within this many ms after the role's last
   * DetachPolicyFromRole still answers `DeleteConflict.Role.Policy` (409), as real RAM may for
   * a moment (terraform-provider-alicloud alicloud/resource_alicloud_ram_role.go retries that
   * code on delete; the duration is [UNCONFIRMED]).
   */
  deleteConflictAfterDetachMs?: number;
}

/** Remembered last detaches, bounded: a burst of grants must not grow memory without end. */
const MAX_REMEMBERED = 10_000;

export class FaultInjector {
  private config: FaultConfig = {};
  /** When each role (`<account>:<lower-case name>`) lost its last policy, epoch ms. */
  private readonly lastDetach = new Map<string, number>();

  constructor(private readonly random: () => number = Math.random) {}

  set(config: FaultConfig): void {
    this.config = { ...config };
  }

  clear(): void {
    this.config = {};
    this.lastDetach.clear();
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

  /** A role lost its last attached policy at `atMs` (recorded always: the fault may be set later). */
  noteLastDetach(roleKey: string, atMs: number): void {
    if (this.lastDetach.size >= MAX_REMEMBERED) this.lastDetach.clear();
    this.lastDetach.set(roleKey, atMs);
  }

  /** The role was deleted (or re-attached): nothing to remember. */
  forgetDetach(roleKey: string): void {
    this.lastDetach.delete(roleKey);
  }

  /** Would RAM still see the detached policies at `atMs`? (`deleteConflictAfterDetachMs` set and within it.) */
  inDeleteConflictWindow(roleKey: string, atMs: number): boolean {
    const windowMs = this.config.deleteConflictAfterDetachMs ?? 0;
    const at = this.lastDetach.get(roleKey);
    return windowMs > 0 && at !== undefined && atMs - at < windowMs;
  }
}

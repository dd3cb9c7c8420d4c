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
  /**
   * RAM's propagation delay: for this many ms after a role's attachments change (AttachPolicyToRole,
   * DetachPolicyFromRole), the authorization of that role's sessions still sees the attachments from
   * before the change. The STS FAQ (www.alibabacloud.com/help/doc-detail/39744.htm) says a change of
   * the role's policies applies to tokens already issued; how soon is undocumented ([UNCONFIRMED]; the
   * live parity tests allow 90 s). Only changes made while it is set are delayed.
   */
  policyPropagationMs?: number;
}

/** The documents a role had attached before one change of its attachments, and when it changed. */
interface AttachmentChange {
  atMs: number;
  before: readonly string[];
}

/** Remembered last detaches, bounded: a burst of grants must not grow memory without end. */
const MAX_REMEMBERED = 10_000;

export class FaultInjector {
  private config: FaultConfig = {};
  /** When each role (`<account>:<lower-case name>`) lost its last policy, epoch ms. */
  private readonly lastDetach = new Map<string, number>();
  /** Each role's (by RoleId) attachment changes still propagating, oldest first. */
  private readonly propagating = new Map<string, AttachmentChange[]>();

  constructor(private readonly random: () => number = Math.random) {}

  set(config: FaultConfig): void {
    this.config = { ...config };
  }

  clear(): void {
    this.config = {};
    this.lastDetach.clear();
    this.propagating.clear();
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

  /** Is `policyPropagationMs` set? (Callers skip reading the old attachments when it is not.) */
  get delaysPropagation(): boolean {
    return (this.config.policyPropagationMs ?? 0) > 0;
  }

  /** A role's attachments changed at `atMs`; `before` are its documents just before the change. */
  noteAttachmentChange(roleId: string, before: readonly string[], atMs: number): void {
    const windowMs = this.config.policyPropagationMs ?? 0;
    if (windowMs <= 0) return;
    if (this.propagating.size >= MAX_REMEMBERED && !this.propagating.has(roleId)) this.propagating.clear();
    const live = (this.propagating.get(roleId) ?? []).filter((c) => atMs - c.atMs < windowMs);
    live.push({ atMs, before: [...before] });
    this.propagating.set(roleId, live);
  }

  /**
   * The role's documents as its sessions see them at `atMs`: those from before the oldest change
   * still within `policyPropagationMs`, i.e. RAM's view as of `atMs - policyPropagationMs`.
   * Undefined when no change is propagating (the current attachments apply).
   */
  attachmentsSeenAt(roleId: string, atMs: number): readonly string[] | undefined {
    const windowMs = this.config.policyPropagationMs ?? 0;
    if (windowMs <= 0) return undefined;
    return this.propagating.get(roleId)?.find((c) => atMs - c.atMs < windowMs)?.before;
  }
}

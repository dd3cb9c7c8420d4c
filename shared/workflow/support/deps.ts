/**
 * What every workflow step receives: ports, the catalog and a few pure helpers. No SDK, no env:
 * shared/runtime wires real adapters, the CLI and tests wire others (test/fakes).
 */
import type { Catalog } from '../../domain/catalog';
import type { Clock, Logger, QueuePort, RamPort, RequestRepository } from '../../domain/ports';
import type { AccessRequest } from '../../domain/access-request';

export interface WorkflowDeps {
  ledger: RequestRepository;
  ram: RamPort;
  queue: QueuePort;
  catalog: Catalog;
  clock: Clock;
  logger: Logger;
  /** New request ids (UUIDs in production). */
  newId: () => string;
  /** New per-grant ExternalIds (random, STS-valid: 2–1,224 chars of `[\w+=,.@:/-]`). */
  newExternalId: () => string;
  region: string;
}

/** Actors the system writes into the audit trail when no human is behind a step. */
export const Actor = {
  AUTO_APPROVE: 'system:auto-approve',
  /** A break-glass profile's grant: approved automatically, reviewed afterwards (the CREATE event's actor). */
  BREAK_GLASS: 'system:break-glass',
  PROVISIONING: 'system:provisioning',
  REVOCATION: 'system:revocation',
  EXPIRY: 'system:expiry',
  SCAN: 'system:scan',
  /** The delayed `start` message of a SCHEDULED request. */
  SCHEDULER: 'system:scheduler',
} as const;

/**
 * What a queue-driven step did with a message. Every returned outcome means "acknowledge";
 * a step that wants the message back (a transient failure) throws instead.
 */
type OutcomeKind =
  /** The step did its work (the ledger moved). */
  | 'done'
  /** The body was not a workflow message: logged, acknowledged, never retried. */
  | 'malformed'
  /** The ledger does not allow this step (duplicate, reordered, forged or late message). */
  | 'stale'
  /** The step failed for good and recorded it in the ledger (FAILED with a reason). */
  | 'failed'
  /** An expiry message arrived early and was sent again with the remaining delay. */
  | 'rescheduled';

export interface Outcome {
  outcome: OutcomeKind;
  requestId?: string;
  /** Ledger status after the step (when the request is known). */
  status?: AccessRequest['status'];
  detail?: string;
  /** RAM calls this step made. */
  ramCalls?: number;
}

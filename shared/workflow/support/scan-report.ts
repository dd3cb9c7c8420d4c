/**
 * What one run of the expiry scan did, phase by phase (use-cases/scan.ts): the figures its timer
 * invocation returns and logs. Numbers in brackets are the scan's phases.
 */
import type { NotificationScanReport } from './notifications';

export interface ScanReport extends NotificationScanReport {
  /** (1) ACTIVE grants past expiry moved to REVOKING (and `revoke` sent). */
  expired: number;
  /** (2) `revoke` re-sent for stuck REVOKING rows. */
  revokeResent: number;
  /** (1b) SCHEDULED requests whose start came, started (`provision` sent): their delayed `start` was late or lost. */
  started: number;
  /** (3) PENDING rows past the pending TTL, or past the end of their scheduled window, LAPSED. */
  lapsed: number;
  /** (4) `provision` re-sent for stuck APPROVED rows. */
  provisionResent: number;
  /** (4b) `approval-needed` re-sent for PENDING rows that may never have been announced. */
  announced: number;
  /** `extend` re-sent for extensions or shortenings left APPROVED (support/extension.ts). */
  extendResent: number;
  /** FAILED revocations started again (START_REVOKE from FAILED). */
  revocationsRetried: number;
  /** (5) managed roles compared with their request. */
  rolesChecked: number;
  /** (5) roles whose access the ledger had ended, stripped (trust only the owner, no permission policy). */
  rolesStripped: number;
  /** (5) ACTIVE grants' roles put back as provisioned (trust policy, profile policies, guard). */
  rolesRestored: number;
  /** (5) roles of grants REVOKED in delete mode, deleted with their guard. */
  rolesDeleted: number;
  /** (5) managed roles whose request the ledger does not know (stripped, never deleted). */
  orphanRoles: number;
  /** (5) managed roles whose tag names a request for another role name: left alone. */
  foreignRoles: number;
  /** (5) roles that needed a change beyond this run's limit: the next run does them. */
  rolesDeferred: number;
  /** (6) dead letters read (all are deleted once handled). */
  deadLetters: number;
  /** (6) requests marked FAILED from dead letters. */
  markedFailed: number;
  /** (7) trust-revoked grants past the retention whose role and guard policy were deleted (or found gone). */
  released: number;
  /** Items that failed and will be tried again by the next scan. */
  errors: number;
}

export const emptyReport = (): ScanReport => ({
  expired: 0, started: 0, revokeResent: 0, lapsed: 0, provisionResent: 0, extendResent: 0, announced: 0, revocationsRetried: 0,
  rolesChecked: 0, rolesStripped: 0, rolesRestored: 0, rolesDeleted: 0, orphanRoles: 0, foreignRoles: 0, rolesDeferred: 0, deadLetters: 0, markedFailed: 0, released: 0, errors: 0,
  expiringSoon: 0, reviewsReminded: 0, notificationsSwept: 0, notificationsDead: 0,
});

/**
 * The workflow's clocks in one place: how long a queue-driven step may legitimately still be
 * working on a row (after which the row is "stuck" and the scan acts on it), and the period of the
 * scan that bounds how long RAM may disagree with the ledger. Everything here is derived from
 * s.yaml's settings; test/unit/domain/timing.test.ts reads s.yaml and fails if they drift apart.
 */

/** `timeout` of each function in s.yaml, in seconds. */
export const FUNCTION_TIMEOUT_SECONDS = {
  intake: 10,
  approval: 10,
  provisioning: 60,
  expiry: 120,
  revocation: 60,
} as const;

/**
 * The queue triggers' retry strategy (s.yaml `PushRetryStrategy: BACKOFF_RETRY`): "a failed event
 * can be retried for up to three times. The interval between two consecutive retries is a random
 * value that ranges from 10 to 20 seconds" (alibabacloud.com/help/en/eventbridge/user-guide/retry-and-dead-letter).
 */
const TRIGGER_RETRIES = 3;
const TRIGGER_MAX_BACKOFF_SECONDS = 20;
/** s.yaml `batchWindow.TimeBasedWindow`: an event may wait this long before its batch is pushed. */
export const TRIGGER_BATCH_WINDOW_SECONDS = 1;

/** The expiry function's timer (s.yaml `cronExpression: '@every 1m'`). */
export const SCAN_PERIOD_SECONDS = 60;

/**
 * The longest a message-driven step can still be running for a row it was told about: the batch
 * window, then the first attempt and every retry each running up to the function timeout, with the
 * longest back-off between them. A row unchanged for longer than this was dropped by its step (a
 * crash before the send, a message lost or dead-lettered): acting on it cannot race a live attempt.
 */
export function stepDeadlineSeconds(functionTimeoutSeconds: number): number {
  return functionTimeoutSeconds * (1 + TRIGGER_RETRIES) + TRIGGER_RETRIES * TRIGGER_MAX_BACKOFF_SECONDS + TRIGGER_BATCH_WINDOW_SECONDS;
}

/**
 * When an APPROVED, REVOKING or FAILED row counts as stuck (the scan re-sends its message, retries
 * its revocation, or the reconciler strips the role of an APPROVED one):
 *   revocation: 60 s x (1 + 3 retries) + 3 x 20 s max back-off + 1 s batch window = 240 + 60 + 1 = 301 s;
 *   provisioning has the same timeout and trigger, so the same 301 s.
 */
export const STUCK_AFTER_SECONDS = Math.max(
  stepDeadlineSeconds(FUNCTION_TIMEOUT_SECONDS.revocation),
  stepDeadlineSeconds(FUNCTION_TIMEOUT_SECONDS.provisioning),
);

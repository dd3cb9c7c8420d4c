/**
 * RAM is eventually consistent about attachments: right after the last DetachPolicyFromRole, a
 * DeleteRole may still answer `DeleteConflict.Role.Policy` for a moment, and a DeletePolicy right
 * after detaching it may still see the attachment. aliyun/terraform-provider-alicloud retries
 * exactly these codes on delete (alicloud/resource_alicloud_ram_role.go: DeleteRole on
 * `DeleteConflict.Role.Policy`; alicloud/resource_alicloud_ram_policy.go: DeletePolicy on
 * `DeleteConflict.Policy.Group/.User/.Version` and `DeleteConflict.Role.Policy`). The official API
 * references list the codes but say nothing of the lag [UNCONFIRMED there].
 *
 * The retry is bounded (a few seconds): an FC invocation has a hard timeout, and a conflict that
 * persists is real (somebody attached a policy) and must surface as the typed DELETE_CONFLICT.
 */
import { cloudCodeOf } from './errors';
import { RetriesExhausted, withRetry, type RetryOptions } from './retry';

/** DeleteRole: the only conflict is "policies still attached". */
export const ROLE_DELETE_CONFLICTS: readonly string[] = ['DeleteConflict.Role.Policy'];

/**
 * DeletePolicy, after the caller detached it: the attachment codes, and the code terraform also
 * sees here. `DeleteConflict.Policy.Version` is left out on purpose: Crossrole never versions the
 * policies it deletes (the guards), so that conflict is never transient for us.
 */
export const POLICY_DELETE_CONFLICTS: readonly string[] = ['DeleteConflict.Policy.Role', 'DeleteConflict.Role.Policy', 'DeleteConflict.Policy.User', 'DeleteConflict.Policy.Group'];

/** Up to ~5 s: 250 ms, 500 ms, then 1 s steps (full jitter), at most 10 attempts. */
const DELETE_CONFLICT_RETRY: Required<Pick<RetryOptions, 'maxAttempts' | 'baseDelayMs' | 'maxDelayMs' | 'maxTotalMs'>> = {
  maxAttempts: 10,
  baseDelayMs: 250,
  maxDelayMs: 1000,
  maxTotalMs: 5000,
};

/**
 * Run a delete, retrying while it fails with one of `codes`; any other failure, or the same one
 * once the budget is spent, is rethrown as it came (the typed error, with its cloud code).
 */
export async function retryDeleteConflict<T>(send: () => Promise<T>, codes: readonly string[], options: RetryOptions = {}, onRetry?: (code: string, attempt: number, delayMs: number) => void): Promise<T> {
  const conflict = (e: unknown): string | undefined => {
    const code = cloudCodeOf(e);
    return code !== undefined && codes.includes(code) ? code : undefined;
  };
  try {
    return await withRetry(send, {
      isRetryable: (e) => conflict(e) !== undefined,
      onRetry: (e, attempt, delayMs) => onRetry?.(conflict(e) ?? '', attempt, delayMs),
    }, { ...DELETE_CONFLICT_RETRY, ...options });
  } catch (e) {
    if (e instanceof RetriesExhausted) throw e.lastError;
    throw e;
  }
}

/**
 * `crossrole doctor`'s lines: each check answers ok, warn, fail, or skip (it could not run for this
 * caller, and says why), with what to do about anything but ok.
 */
import { errorMessage } from '../../shared/domain/errors';
import { cloudCodeOf } from '../../shared/cloud/errors';
import { toCliError } from '../errors';

export type CheckStatus = 'ok' | 'warn' | 'fail' | 'skip';

export interface CheckLine {
  /** Stable id, e.g. `queue:crossrole-revoke`, `function:crossrole-intake`. */
  check: string;
  status: CheckStatus;
  detail: string;
  fix?: string;
}

export const ok = (check: string, detail: string): CheckLine => ({ check, status: 'ok', detail });
export const warn = (check: string, detail: string, fix: string): CheckLine => ({ check, status: 'warn', detail, fix });
export const fail = (check: string, detail: string, fix: string): CheckLine => ({ check, status: 'fail', detail, fix });
export const skip = (check: string, detail: string, fix?: string): CheckLine => ({ check, status: 'skip', detail, ...(fix === undefined ? {} : { fix }) });

/** The cloud refused these credentials this call (RAM/MNS/FC permission codes). */
export function isPermissionDenied(e: unknown): boolean {
  const code = cloudCodeOf(e) ?? toCliError(e).code;
  return /^(NoPermission|Forbidden|AccessDenied|NotAuthorized|Unauthorized)/.test(code);
}

/**
 * Run one check; a permission refusal becomes a skip (the caller may not look: an approver, or a
 * partner), any other failure a fail line with the error.
 */
export async function guarded(check: string, what: string, fn: () => Promise<CheckLine | CheckLine[]>): Promise<CheckLine[]> {
  try {
    const r = await fn();
    return Array.isArray(r) ? r : [r];
  } catch (e) {
    if (isPermissionDenied(e)) {
      return [skip(check, `your credentials may not read ${what} (${cloudCodeOf(e) ?? toCliError(e).code})`, 'run doctor with the owner account administrator\'s credentials for this check')];
    }
    const err = toCliError(e);
    return [fail(check, `reading ${what} failed: ${err.code}: ${errorMessage(e)}`, err.hint ?? 'check the endpoint and try again')];
  }
}

/** Whether an HTTP endpoint answers at all (any HTTP status proves it is reachable). */
export async function reachable(url: string, timeoutMs = 5000): Promise<{ status: number } | { problem: string }> {
  try {
    const res = await fetch(url, { method: 'GET', signal: AbortSignal.timeout(timeoutMs), redirect: 'manual' });
    await res.arrayBuffer().catch(() => undefined);
    return { status: res.status };
  } catch (e) {
    return { problem: errorMessage(e instanceof Error && e.cause instanceof Error ? e.cause : e) };
  }
}

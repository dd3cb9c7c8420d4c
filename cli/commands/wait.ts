/**
 * `--wait`: poll a request until it settles, with a spinner on a terminal.
 */
import type { AccessRequest } from '../../shared/domain/access-request';
import type { Api } from '../api';
import type { Session } from '../context';
import { CliError } from '../errors';

/** Where `--wait` stops: the grant exists, ended, or will not come. */
const SETTLED_STATUSES: readonly string[] = ['ACTIVE', 'REVOKED', 'FAILED', 'REJECTED', 'CANCELLED', 'LAPSED'];
/** Settled, but not the outcome the waiter hoped for (exit 1). */
export const UNHAPPY_STATUSES: readonly string[] = ['FAILED', 'REJECTED', 'CANCELLED', 'LAPSED'];

interface WaitOptions {
  timeoutSeconds: number;
  until?: readonly string[];
  via?: Api;
  pollMs?: number;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export async function waitForStatus(session: Session, id: string, options: WaitOptions): Promise<AccessRequest> {
  const until = options.until ?? SETTLED_STATUSES;
  const started = Date.now();
  const deadline = started + options.timeoutSeconds * 1000;
  const api = session.api();
  let r = (await api.get(id, options.via)).request;
  if (until.includes(r.status)) return r;
  const p = session.ui.progress(`Waiting for ${id} (${r.status})`);
  try {
    for (;;) {
      await sleep(options.pollMs ?? 500);
      r = (await api.get(id, options.via)).request;
      const secs = Math.round((Date.now() - started) / 1000);
      if (until.includes(r.status)) {
        p.stop(`${id} is ${r.status} after ${secs}s`, !UNHAPPY_STATUSES.includes(r.status));
        return r;
      }
      p.update(`Waiting for ${id}: ${r.status} (${secs}s of ${options.timeoutSeconds}s)`);
      if (Date.now() >= deadline) {
        p.stop(`still ${r.status} after ${options.timeoutSeconds}s`, false);
        throw new CliError('TIMEOUT', `request ${id} is still ${r.status} after ${options.timeoutSeconds}s (waiting for ${until.join('/')})`, {
          hint: r.status === 'PENDING' ? 'an approver has not decided yet; follow it with `crossrole status ' + id + '`.' : 'pass a longer --timeout, or follow it with `crossrole status ' + id + '`.',
        });
      }
    }
  } catch (e) {
    if (!(e instanceof CliError && e.code === 'TIMEOUT')) p.stop('stopped waiting', false);
    throw e;
  }
}

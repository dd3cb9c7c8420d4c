/**
 * The leftover sweep of the live run: a crashed or interrupted run leaves roles, policies, users
 * and queues behind in real accounts. Before the tests, everything named
 * `crossrole-parity-<runId>-…` whose runId is older than SWEEP_MIN_AGE_MS is removed (younger
 * ones may belong to a run still going on elsewhere). Nothing else is ever touched: the name
 * prefix and the time inside it both have to match.
 */
import * as R from '@alicloud/ram20150501';
import { mnsClient, ramClient, type Creds, type Site } from './clients';
import { createdAtFromName, NAME_PREFIX } from './support';
import { deletePolicyFully, deleteRoleFully, deleteUserFully } from './teardown';
import type { LiveSettings } from './target';

export const SWEEP_MIN_AGE_MS = 10 * 60_000;
const RETRY_MS = 20_000;

/** Ours (prefix and a readable runId) and older than SWEEP_MIN_AGE_MS: the only names the sweep deletes. */
export function isStaleParityName(name: string | undefined, now: number): name is string {
  if (name === undefined || !name.startsWith(NAME_PREFIX)) return false;
  const at = createdAtFromName(name);
  return at !== undefined && at <= now && now - at > SWEEP_MIN_AGE_MS;
}
const stale = isStaleParityName;

/** Pages of a RAM List* call (Marker / IsTruncated). */
async function allPages<T>(page: (marker: string | undefined) => Promise<{ items: T[]; marker?: string; isTruncated?: boolean }>): Promise<T[]> {
  const out: T[] = [];
  let marker: string | undefined;
  for (let i = 0; i < 100; i++) {
    const r = await page(marker);
    out.push(...r.items);
    if (!r.isTruncated || !r.marker) break;
    marker = r.marker;
  }
  return out;
}

async function sweepRam(site: Site, admin: Creds, now: number, removed: string[], failed: string[]): Promise<void> {
  const ram = ramClient(site, admin);
  const attempt = async (what: string, fn: () => Promise<void>): Promise<void> => {
    try {
      await fn();
      removed.push(what);
    } catch (err) {
      failed.push(`${what}: ${err instanceof Error ? err.message : String(err)}`);
    }
  };

  const roles = await allPages(async (marker) => {
    const b = (await ram.listRoles(new R.ListRolesRequest({ maxItems: 1000, ...(marker ? { marker } : {}) }))).body;
    return { items: b?.roles?.role ?? [], marker: b?.marker, isTruncated: b?.isTruncated };
  });
  for (const r of roles) if (stale(r.roleName, now)) await attempt(`role ${r.roleName}`, () => deleteRoleFully(site, admin, r.roleName ?? '', RETRY_MS));

  const users = await allPages(async (marker) => {
    const b = (await ram.listUsers(new R.ListUsersRequest({ maxItems: 1000, ...(marker ? { marker } : {}) }))).body;
    return { items: b?.users?.user ?? [], marker: b?.marker, isTruncated: b?.isTruncated };
  });
  for (const u of users) if (stale(u.userName, now)) await attempt(`user ${u.userName}`, () => deleteUserFully(site, admin, u.userName ?? ''));

  const policies = await allPages(async (marker) => {
    const b = (await ram.listPolicies(new R.ListPoliciesRequest({ policyType: 'Custom', maxItems: 1000, ...(marker ? { marker } : {}) }))).body;
    return { items: b?.policies?.policy ?? [], marker: b?.marker, isTruncated: b?.isTruncated };
  });
  for (const p of policies) if (stale(p.policyName, now)) await attempt(`policy ${p.policyName}`, () => deletePolicyFully(site, admin, p.policyName ?? '', RETRY_MS));
}

async function sweepQueues(settings: LiveSettings, now: number, removed: string[], failed: string[]): Promise<void> {
  const mns = mnsClient(settings.site, settings.owner.accountId, settings.owner.admin);
  const listed = (await mns.listQueue('', 1000, NAME_PREFIX)).body ?? [];
  for (const q of listed) {
    const name = q.QueueURL.split('/').pop();
    if (!stale(name, now)) continue;
    try {
      await mns.deleteQueue(name);
      removed.push(`queue ${name}`);
    } catch (err) {
      failed.push(`queue ${name}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}

/** Remove stale parity leftovers from both accounts; returns what was removed and what resisted. */
export async function sweepLeftovers(settings: LiveSettings, now = Date.now()): Promise<{ removed: string[]; failed: string[] }> {
  const removed: string[] = [];
  const failed: string[] = [];
  await sweepRam(settings.site, settings.owner.admin, now, removed, failed);
  await sweepRam(settings.site, settings.partner.admin, now, removed, failed);
  await sweepQueues(settings, now, removed, failed);
  return { removed, failed };
}

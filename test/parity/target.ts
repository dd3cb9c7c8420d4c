/**
 * The parity target: the same test files run against the local cloud (`parity` project, part of
 * `npm test`) or against a real Alibaba Cloud account (`live` project, `npm run test:live`).
 *
 * local — starts the local cloud in-process on a free port with a fresh world: the owner account
 *   (Company A) with an admin user, the partner account (Company B) with an admin user, and MNS.
 *   This is the ONLY file that touches local/ internals (the server, account creation, the MNS
 *   plug-in); everything else goes through the official SDK clients.
 *
 * live — reads the accounts from the environment (names in live-env.json):
 *   CROSSROLE_LIVE=1                          selects the live project (set by `npm run test:live`)
 *   CROSSROLE_LIVE_REGION                     e.g. cn-hangzhou (STS, ECS and MNS endpoints)
 *   CROSSROLE_LIVE_OWNER_ACCOUNT_ID           Company A's account UID
 *   CROSSROLE_LIVE_OWNER_ACCESS_KEY_ID        a RAM user of A with AliyunRAMFullAccess + AliyunMNSFullAccess
 *   CROSSROLE_LIVE_OWNER_ACCESS_KEY_SECRET
 *   CROSSROLE_LIVE_PARTNER_ACCOUNT_ID         Company B's account UID (a different account)
 *   CROSSROLE_LIVE_PARTNER_ACCESS_KEY_ID      a RAM user of B with AliyunRAMFullAccess
 *   CROSSROLE_LIVE_PARTNER_ACCESS_KEY_SECRET
 *   CROSSROLE_LIVE_STS_ENDPOINT    (optional) default sts.<region>.aliyuncs.com (or sts.aliyuncs.com)
 *   CROSSROLE_LIVE_MNS_ENDPOINT    (optional) default https://<owner uid>.mns.<region>.aliyuncs.com
 *   RAM is global (ram.aliyuncs.com); ECS is ecs.<region>.aliyuncs.com.
 *
 * In both, the partner's user without permissions is created per test file by the partner admin
 * through RAM (`crossrole-parity-<runId>-user`); live removes it in `close()`.
 */
import * as R from '@alicloud/ram20150501';
import { createMnsService } from '../../local/mns';
import { Journal } from '../../local/core/journal';
import { ACCOUNT_A, ACCOUNT_B, startTestServer } from '../helpers/local-server';
import { ramClient, stsClient, type Creds, type Site } from './clients';
import LIVE_ENV from './live-env.json';
import { eventually, newRunId, resourceName } from './support';
import { deleteUserFully } from './teardown';

export type TargetKind = 'local' | 'live';

export interface Target extends Site {
  kind: TargetKind;
  /** Unique per test file; part of every name. */
  runId: string;
  owner: { accountId: string; admin: Creds };
  partner: { accountId: string; admin: Creds; user: { name: string; creds: Creds } };
  /** Bound on waiting for a change to take effect (real RAM/STS are eventually consistent). */
  settleMs: number;
  /** How long a change that must NOT take effect is watched. */
  holdMs: number;
  close(): Promise<void>;
}

/** Which project this test file runs in (jest `globals` of the project). */
export function targetKind(): TargetKind {
  return (globalThis as { CROSSROLE_TARGET?: unknown }).CROSSROLE_TARGET === 'live' ? 'live' : 'local';
}

export interface LiveSettings {
  site: Site;
  owner: { accountId: string; admin: Creds };
  partner: { accountId: string; admin: Creds };
}

/** The live account facts, or the names of the missing variables. */
export function liveSettings(env: NodeJS.ProcessEnv = process.env): { ok: true; settings: LiveSettings } | { ok: false; missing: string[] } {
  const missing = LIVE_ENV.required.filter((n) => !env[n]);
  if (missing.length > 0) return { ok: false, missing };
  const v = (n: string): string => env[n] ?? '';
  const region = v('CROSSROLE_LIVE_REGION');
  const ownerId = v('CROSSROLE_LIVE_OWNER_ACCOUNT_ID');
  return {
    ok: true,
    settings: {
      site: {
        region,
        protocol: 'https',
        endpoints: {
          ram: 'ram.aliyuncs.com',
          sts: env.CROSSROLE_LIVE_STS_ENDPOINT || `sts.${region}.aliyuncs.com`,
          ecs: `ecs.${region}.aliyuncs.com`,
          mns: env.CROSSROLE_LIVE_MNS_ENDPOINT || `https://${ownerId}.mns.${region}.aliyuncs.com`,
        },
      },
      owner: { accountId: ownerId, admin: { accessKeyId: v('CROSSROLE_LIVE_OWNER_ACCESS_KEY_ID'), accessKeySecret: v('CROSSROLE_LIVE_OWNER_ACCESS_KEY_SECRET') } },
      partner: { accountId: v('CROSSROLE_LIVE_PARTNER_ACCOUNT_ID'), admin: { accessKeyId: v('CROSSROLE_LIVE_PARTNER_ACCESS_KEY_ID'), accessKeySecret: v('CROSSROLE_LIVE_PARTNER_ACCESS_KEY_SECRET') } },
    },
  };
}

/** A RAM user with an access key and no policy (the tutorial's Bob before step 2). */
async function createUserWithKey(site: Site, admin: Creds, userName: string): Promise<Creds> {
  const ram = ramClient(site, admin);
  await ram.createUser(new R.CreateUserRequest({ userName, comments: 'crossrole parity test; safe to delete' }));
  const key = (await ram.createAccessKey(new R.CreateAccessKeyRequest({ userName }))).body?.accessKey;
  return { accessKeyId: key?.accessKeyId ?? '', accessKeySecret: key?.accessKeySecret ?? '' };
}

async function openLocal(runId: string): Promise<Target> {
  const region = 'cn-hangzhou';
  const server = await startTestServer({
    services: (ctx) => [createMnsService({ identity: ctx.identity, journal: new Journal(undefined, 'mns'), region, clock: ctx.now })],
  });
  try {
    const site: Site = { region, protocol: 'http', endpoints: { ram: server.endpoint, sts: server.endpoint, ecs: server.endpoint, mns: server.url } };
    // Only the account roots come from the cloud itself; the admins are made through RAM as a real owner would.
    const admin = async (accountId: string, name: string, userName: string): Promise<Creds> => {
      const root = server.ram.createAccount(accountId, name).rootAccessKey;
      const creds = await createUserWithKey(site, root, userName);
      await ramClient(site, root).attachPolicyToUser(new R.AttachPolicyToUserRequest({ policyType: 'System', policyName: 'AdministratorAccess', userName }));
      return creds;
    };
    const ownerAdmin = await admin(ACCOUNT_A, 'Company A', 'owner-admin');
    const partnerAdmin = await admin(ACCOUNT_B, 'Company B', 'partner-admin');
    const userName = resourceName({ runId }, 'user');
    const user = await createUserWithKey(site, partnerAdmin, userName);
    return {
      ...site,
      kind: 'local',
      runId,
      owner: { accountId: ACCOUNT_A, admin: ownerAdmin },
      partner: { accountId: ACCOUNT_B, admin: partnerAdmin, user: { name: userName, creds: user } },
      settleMs: 3_000,
      holdMs: 0,
      close: () => server.close(),
    };
  } catch (err) {
    await server.close();
    throw err;
  }
}

async function openLive(runId: string): Promise<Target> {
  const live = liveSettings();
  if (!live.ok) throw new Error(`live target: set ${live.missing.join(', ')} (test/parity/README.md)`);
  const { site, owner, partner } = live.settings;
  const settleMs = 90_000;
  const userName = resourceName({ runId }, 'user');
  const user = await createUserWithKey(site, partner.admin, userName);
  try {
    // A new AccessKey needs a moment before STS knows it; GetCallerIdentity needs no permission.
    await eventually(() => stsClient(site, user).getCallerIdentity(), { timeoutMs: settleMs, intervalMs: 2000 });
  } catch (err) {
    await deleteUserFully(site, partner.admin, userName);
    throw err;
  }
  return {
    ...site,
    kind: 'live',
    runId,
    owner,
    partner: { ...partner, user: { name: userName, creds: user } },
    settleMs,
    holdMs: 10_000,
    close: () => deleteUserFully(site, partner.admin, userName),
  };
}

/** Open this project's target with a fresh run id; `close()` it in afterAll. */
export async function openTarget(): Promise<Target> {
  const runId = newRunId();
  return targetKind() === 'live' ? openLive(runId) : openLocal(runId);
}

/**
 * Worst day #2: the queues deliver junk. Raw messages are put straight onto crossrole-provision
 * and crossrole-revoke (as a duplicate delivery, a reordering, a forgery or a stale retry would
 * put them there); the ledger is the authority, so none of them may do more than the first
 * correct one: the role count, each request's audit trail, status and version stay as they were.
 */
import type { Client } from 'pg';
import { QueueName } from '../../shared/domain/ports';
import { OWNER_ACCOUNT_ID } from '../../local/world';
import { startTestStack, type ApiClient, type ApiRequest, type TestStack } from '../helpers/stack';
import { auditByRequest, connectLedger, managedRoles, sleep, trustedPrincipals, type AuditRow } from './helpers';

jest.setTimeout(60_000);

let t: TestStack;
let pg: Client;
let partner: ApiClient;
let approver: ApiClient;

beforeAll(async () => {
  t = await startTestStack({ retryDelayMs: 20 });
  pg = await connectLedger(t.stack.ledgerUrl);
  partner = t.api('partner-admin');
  approver = t.api('approver');
}, 120_000);

afterAll(async () => {
  await pg?.end();
  await t?.close();
});

type Kind = 'provision' | 'revoke' | 'expire' | 'approval-needed';

function send(queue: string, body: unknown): void {
  t.stack.mns.sendMessage(OWNER_ACCOUNT_ID, queue, typeof body === 'string' ? body : JSON.stringify(body));
}

const msg = (requestId: string, kind: Kind, version?: number): Record<string, unknown> => (version === undefined ? { requestId, kind } : { requestId, kind, version });

/** Until both work queues are drained (delayed messages aside) and no function runs. */
async function settle(): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const busy = [QueueName.PROVISION, QueueName.REVOKE].some((q) => {
      const s = t.stack.mns.queueStats(OWNER_ACCOUNT_ID, q);
      return s.visible + s.inFlight > 0;
    });
    if (!busy) break;
    if (Date.now() > deadline) throw new Error('queues did not drain');
    await sleep(50);
  }
  await t.stack.fc.whenIdle();
}

interface Snapshot {
  status: string;
  version: number;
  audit: AuditRow[];
  roles: number;
  role: { trust: string[]; policies: string[] } | undefined;
}

async function snapshot(id: string): Promise<Snapshot> {
  const { rows } = await pg.query<{ status: string; version: number }>('SELECT status, version FROM requests WHERE id = $1', [id]);
  const roles = managedRoles(t.stack.server);
  const role = roles.find((r) => r.requestId === id);
  return {
    status: rows[0]?.status ?? 'missing',
    version: Number(rows[0]?.version),
    audit: (await auditByRequest(pg)).get(id) ?? [],
    roles: roles.length,
    role: role === undefined ? undefined : { trust: trustedPrincipals(role.trust), policies: role.policies.map((p) => p.policyName).sort() },
  };
}

async function submit(profile: 'ecs-readonly' | 'ecs-readonly-auto'): Promise<ApiRequest> {
  const r = await partner.call<{ request: ApiRequest }>('intake', 'POST', '/requests', { body: { profile, duration: '1h', reason: 'message tests' } });
  expect(r.status).toBe(202);
  return r.body.request;
}

test('duplicate provision messages racing the first one make exactly one role and one ACTIVATE', async () => {
  const before = managedRoles(t.stack.server).length;
  const r = await submit('ecs-readonly-auto');
  for (let i = 0; i < 5; i++) send(QueueName.PROVISION, msg(r.id, 'provision', r.version));
  send(QueueName.PROVISION, msg(r.id, 'provision'));
  await t.waitForStatus(r.id, 'ACTIVE');
  await settle();
  const s = await snapshot(r.id);
  expect(s.roles).toBe(before + 1);
  expect(s.audit.map((e) => e.action)).toEqual(['CREATE', 'ACTIVATE']);
  expect(s.role?.policies).toHaveLength(2);
});

test('replayed, reordered and wrong-kind messages for an ACTIVE grant change nothing; a forged expire does not revoke it early', async () => {
  const r = await submit('ecs-readonly-auto');
  await t.waitForStatus(r.id, 'ACTIVE');
  await settle();
  const before = await snapshot(r.id);
  const delayedBefore = t.stack.mns.queueStats(OWNER_ACCOUNT_ID, QueueName.REVOKE).delayed;

  send(QueueName.PROVISION, msg(r.id, 'provision', r.version)); // the original again
  send(QueueName.PROVISION, msg(r.id, 'provision', before.version)); // claiming the current version
  send(QueueName.REVOKE, msg(r.id, 'revoke', before.version)); // a revoke nobody asked for
  send(QueueName.REVOKE, msg(r.id, 'expire', before.version)); // forged: the grant is not due
  send(QueueName.REVOKE, msg(r.id, 'expire'));
  send(QueueName.PROVISION, msg(r.id, 'revoke')); // kinds on the wrong queue
  send(QueueName.REVOKE, msg(r.id, 'provision'));
  send(QueueName.REVOKE, msg(r.id, 'approval-needed'));
  send(QueueName.REVOKE, '{"requestId":'); // not JSON
  send(QueueName.REVOKE, { requestId: r.id, kind: 'expire', extra: 'x' }); // not the schema
  send(QueueName.REVOKE, { requestId: '../../etc', kind: 'revoke' });
  send(QueueName.REVOKE, msg('00000000-0000-4000-8000-000000000000', 'revoke')); // unknown request
  await settle();

  expect(await snapshot(r.id)).toEqual(before);
  // A not-due expire is re-scheduled for the remaining time (the two forged ones), never acted on.
  const stats = t.stack.mns.queueStats(OWNER_ACCOUNT_ID, QueueName.REVOKE);
  expect(stats.delayed).toBe(delayedBefore + 2);
  // Nothing was dead-lettered: junk is acknowledged, not retried.
  expect(t.stack.mns.queueStats(OWNER_ACCOUNT_ID, QueueName.DEADLETTER).visible).toBe(0);
});

test('messages for a PENDING request, then stale ones after its revocation, have no effect', async () => {
  const r = await submit('ecs-readonly');
  // Reordered: provisioning and revocation announced before any decision.
  send(QueueName.PROVISION, msg(r.id, 'provision', r.version));
  send(QueueName.PROVISION, msg(r.id, 'provision', r.version + 1));
  send(QueueName.REVOKE, msg(r.id, 'revoke', r.version));
  send(QueueName.REVOKE, msg(r.id, 'expire'));
  await settle();
  const pending = await snapshot(r.id);
  expect(pending.status).toBe('PENDING');
  expect(pending.role).toBeUndefined();
  expect(pending.audit.map((e) => e.action)).toEqual(['CREATE']);

  const approved = await approver.call<{ request: ApiRequest }>('approval', 'POST', `/requests/${r.id}/approve`, { body: {} });
  expect(approved.status).toBe(200);
  const approvedVersion = approved.body.request.version;
  await t.waitForStatus(r.id, 'ACTIVE');
  const revoked = await approver.call('approval', 'POST', `/requests/${r.id}/revoke`, { body: { mode: 'delete', reason: 'done' } });
  expect(revoked.status).toBe(200);
  await t.waitForStatus(r.id, 'REVOKED');
  await settle();
  const done = await snapshot(r.id);
  expect(done.role).toBeUndefined();
  expect(done.audit.map((e) => e.action)).toEqual(['CREATE', 'APPROVE', 'ACTIVATE', 'START_REVOKE', 'FINISH_REVOKE']);

  // Late duplicates of every message this request ever had: no role comes back, nothing is recorded.
  send(QueueName.PROVISION, msg(r.id, 'provision', approvedVersion));
  send(QueueName.PROVISION, msg(r.id, 'provision'));
  send(QueueName.REVOKE, msg(r.id, 'revoke', done.version - 1));
  send(QueueName.REVOKE, msg(r.id, 'expire', approvedVersion + 1));
  await settle();
  expect(await snapshot(r.id)).toEqual(done);
});

test('a real expire message still works once the grant is due (the junk above was refused on its merits)', async () => {
  const r = await submit('ecs-readonly-auto');
  await t.waitForStatus(r.id, 'ACTIVE');
  await settle();
  // Test-only time travel: the grant's expiry moved into the past in the ledger (the state the
  // revocation function meets once the hour has really passed).
  await pg.query("UPDATE requests SET expires_at = now() - interval '1 second' WHERE id = $1", [r.id]);
  send(QueueName.REVOKE, msg(r.id, 'expire'));
  send(QueueName.REVOKE, msg(r.id, 'expire')); // and its duplicate
  await t.waitForStatus(r.id, 'REVOKED');
  await settle();
  const s = await snapshot(r.id);
  expect(s.audit.map((e) => e.action)).toEqual(['CREATE', 'ACTIVATE', 'START_REVOKE', 'FINISH_REVOKE']);
  expect(s.audit[2]?.actor).toBe('system:expiry');
  expect(s.role?.trust.filter((p) => !p.startsWith(`acs:ram::${OWNER_ACCOUNT_ID}:`))).toEqual([]);
  expect(s.role?.policies).toHaveLength(1);
});

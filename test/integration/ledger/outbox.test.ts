/**
 * The notifications outbox on PGlite with the workflow's scan and notifier (fake queue, fake
 * webhooks, a clock that moves only when told): an event is recorded in the transition's own
 * transaction, so a crash between the commit and the `notify` send loses nothing (the scan sweeps
 * it); expiring-soon is recorded once per grant and expiry; a dead `notify` letter marks the
 * notification dead on the request's history and never fails the grant.
 */
import { createHmac } from 'node:crypto';
import { parseCatalog } from '../../../shared/domain/catalog';
import type { WebhookPort } from '../../../shared/domain/ports';
import { QueueName } from '../../../shared/domain/ports';
import { migrate } from '../../../shared/ledger';
import { SqlLedger } from '../../../shared/ledger/outbox';
import { openPgliteDb } from '../../../shared/ledger/pglite-driver';
import type { Db } from '../../../shared/ledger/db';
import { deliverNotifications, runExpiryScan, type NotifyDeps } from '../../../shared/workflow';
import type { ScanDeps } from '../../../shared/workflow/use-cases/scan';
import { webhookResolver } from '../../../shared/runtime/webhook-sender';
import { catalogInput, makeWorld, type World } from '../../fakes';
import { minimalRequest } from '../../helpers/ledger-fixtures';
import { copyLedgerTemplate } from '../../helpers/ledger-template';

jest.setTimeout(60_000);

let db: Db;
let cleanup: () => void;
let world: World;
let ledger: SqlLedger;
let posts: Array<{ url: string; headers: Record<string, string>; body: string }>;
let answer: { status: number; text: string };

const webhooks: WebhookPort = {
  post: async (url, headers, body) => {
    posts.push({ url, headers, body });
    return answer;
  },
};

beforeAll(async () => {
  const copy = await copyLedgerTemplate();
  cleanup = copy.cleanup;
  db = await openPgliteDb(copy.dir);
  await migrate(db);
});

afterAll(async () => {
  await db.close();
  cleanup();
});

beforeEach(() => {
  world = makeWorld();
  ledger = new SqlLedger(db, world.clock, true);
  posts = [];
  answer = { status: 200, text: '' };
});

function deps(): ScanDeps & NotifyDeps {
  const catalog = parseCatalog({ ...catalogInput, notifications: { expiringSoonLead: '1h', webhooks: [{ name: 'audit', type: 'generic', url: 'https://hooks.example/crossrole', secret: 'whsec' }] } });
  return { ...world.deps, ledger, notifications: ledger, catalog, webhooks, resolveWebhook: webhookResolver({}) };
}

const notifySends = (id: string): number => world.queue.sends.filter((s) => s.queue === QueueName.NOTIFY && s.message.requestId === id).length;

it('a crash between the commit and the send: the scan sweeps the event, once, and the notifier delivers it signed', async () => {
  // The process "crashes" right after the commit: the ledger holds the event, no message was sent.
  const r = await ledger.create(minimalRequest({ createdAt: world.clock.now().toISOString(), updatedAt: world.clock.now().toISOString() }), { actor: 'test' });
  world.clock.advance(30);
  expect((await runExpiryScan(deps())).notificationsSwept).toBe(0); // the fast path still has its chance
  world.clock.advance(31);
  expect((await runExpiryScan(deps())).notificationsSwept).toBe(1);
  expect(notifySends(r.id)).toBe(1);
  expect((await runExpiryScan(deps())).notificationsSwept).toBe(0); // swept once, not every minute

  const outcome = await deliverNotifications(deps(), { requestId: r.id, kind: 'notify' });
  expect(outcome).toMatchObject({ outcome: 'done', detail: 'delivered: pending' });
  expect(posts).toHaveLength(1);
  const post = posts[0];
  const [t, v1] = (post?.headers['X-Crossrole-Signature'] ?? '').split(',').map((p) => p.split('=')[1]);
  expect(v1).toBe(createHmac('sha256', 'whsec').update(`${t}.${post?.body}`).digest('hex'));
  // A duplicate message (the sweep's and the fast path's both arrived) delivers nothing twice.
  expect(await deliverNotifications(deps(), { requestId: r.id, kind: 'notify' })).toMatchObject({ outcome: 'stale' });
  expect(posts).toHaveLength(1);
});

it('expiring-soon: recorded once per grant and expiry, however often the scan runs', async () => {
  const at = world.clock.now().toISOString();
  const r = await ledger.create(minimalRequest({ createdAt: at, updatedAt: at }), { actor: 'test' });
  const approved = await ledger.transition(r.id, r.version, 'APPROVE', { decidedBy: 'acs:ram::1000000000000001:user/alice' }, { actor: 'test' });
  await ledger.transition(r.id, approved.version, 'ACTIVATE', { expiresAt: new Date(world.clock.now().getTime() + 2 * 3600_000).toISOString() }, { actor: 'test' });
  expect((await runExpiryScan(deps())).expiringSoon).toBe(0); // 2h left, the lead is 1h
  world.clock.advance(3600 + 60);
  const first = await runExpiryScan(deps());
  expect(first.expiringSoon).toBe(1);
  expect((await runExpiryScan(deps())).expiringSoon).toBe(0);
  const outcome = await deliverNotifications(deps(), { requestId: r.id, kind: 'notify' });
  // pending, approved and active were never sent (no fast path here): they go out with it, in order.
  expect(outcome.detail).toBe('delivered: pending, approved, active, expiring-soon');
});

it('a webhook that keeps refusing: the notifier throws (the trigger retries); the dead letter marks it dead, the grant untouched', async () => {
  const at = world.clock.now().toISOString();
  const r = await ledger.create(minimalRequest({ createdAt: at, updatedAt: at }), { actor: 'test' });
  answer = { status: 503, text: 'down' };
  await expect(deliverNotifications(deps(), { requestId: r.id, kind: 'notify' })).rejects.toThrow(/not delivered: pending audit: HTTP 503/);
  // What the trigger writes to the dead-letter queue after its retries: the original message.
  world.queue.pushRaw(QueueName.DEADLETTER, JSON.stringify({ requestId: r.id, kind: 'notify' }));
  const report = await runExpiryScan(deps());
  expect(report).toMatchObject({ deadLetters: 1, notificationsDead: 1, markedFailed: 0 });
  const after = await ledger.get(r.id);
  expect(after?.status).toBe('PENDING');
  expect(after?.version).toBe(r.version);
  const note = (await ledger.history(r.id)).find((e) => e.details?.kind === 'notification-dead');
  expect(note).toMatchObject({ action: 'NOTE', actor: 'system:scan', reason: expect.stringMatching(/^notification-dead: pending \(audit: HTTP 503/) });
  expect((await ledger.listDead(10)).map((n) => n.requestId)).toContain(r.id);
  // Dead is final: nothing is outstanding for the notifier any more.
  expect(await deliverNotifications(deps(), { requestId: r.id, kind: 'notify' })).toMatchObject({ outcome: 'stale' });
});

it('without webhooks in the catalog the ledger records nothing to notify', async () => {
  const quiet = new SqlLedger(db, world.clock, false);
  const at = world.clock.now().toISOString();
  const r = await quiet.create(minimalRequest({ createdAt: at, updatedAt: at }), { actor: 'test' });
  expect(await quiet.takeOutstanding(r.id)).toEqual([]);
});

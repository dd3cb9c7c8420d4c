/**
 * Notifications end to end, one stack: requests live their lives through the HTTP triggers, and the
 * local webhook receivers (local/webhooks: DingTalk-style and generic, as deploy/local-catalog.json
 * configures them, each checking the platform's signature itself) report what they accepted at
 * GET /_local/webhooks/<name>. Every event kind arrives verified; a receiver that refuses twice gets
 * the delivery on a retry; one that always refuses ends in a dead notification that operators see
 * on the request's history, while the grant carries on.
 */
import { Client } from 'pg';
import { startTestStack, type ApiClient, type ApiRequest, type TestStack } from '../helpers/stack';

jest.setTimeout(60_000);

interface GenericBody {
  id: string;
  event: string;
  request: { id: string; status: string; roleArn?: string; lastError?: string };
}
interface Delivery {
  verified: boolean;
  query: Record<string, string>;
  headers: Record<string, string>;
  body: unknown;
}
interface ReceiverState {
  deliveries: Delivery[];
  refused: Array<{ reason: string; status: number }>;
}

let t: TestStack;
let bob: ApiClient;
let approver: ApiClient;

beforeAll(async () => {
  t = await startTestStack();
  bob = t.api('bob');
  approver = t.api('approver');
}, 120_000);

afterAll(async () => {
  await t?.close();
});

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function receiver(name: string): Promise<ReceiverState> {
  const res = await fetch(`${t.stack.server.url}/_local/webhooks/${name}`);
  expect(res.status).toBe(200);
  return (await res.json()) as ReceiverState;
}

async function setFaults(name: string, faults: { failNext?: number; failAlways?: boolean }): Promise<void> {
  const res = await fetch(`${t.stack.server.url}/_local/webhooks/${name}/faults`, { method: 'POST', body: JSON.stringify(faults) });
  expect(res.status).toBe(200);
}

/** The generic receiver's events about one request, in arrival order. */
async function auditEvents(requestId: string): Promise<GenericBody[]> {
  return (await receiver('audit')).deliveries.map((d) => d.body as GenericBody).filter((b) => b.request.id === requestId);
}

async function waitForEvent(requestId: string, event: string, timeoutMs = 10_000): Promise<GenericBody> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = (await auditEvents(requestId)).find((b) => b.event === event);
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no verified ${event} delivery for ${requestId} within ${timeoutMs} ms; got ${(await auditEvents(requestId)).map((b) => b.event).join(', ')}`);
    await sleep(100);
  }
}

/** The DingTalk-style receiver's messages mentioning one request. */
async function dingtalkTexts(requestId: string): Promise<string[]> {
  return (await receiver('approvers-dingtalk')).deliveries
    .map((d) => (d.body as { markdown: { text: string } }).markdown.text)
    .filter((text) => text.includes(requestId));
}

async function submit(profile: string, duration: string, reason: string): Promise<ApiRequest> {
  const res = await bob.call<{ request: ApiRequest }>('intake', 'POST', '/requests', { body: { profile, duration, reason } });
  expect(res.status).toBe(202);
  return res.body.request;
}

async function statusOf(id: string): Promise<string> {
  return (await approver.call<{ request: ApiRequest }>('approval', 'GET', `/requests/${id}`)).body.request.status;
}

async function scan(): Promise<void> {
  const fired = await t.stack.fc.fireTimer('crossrole-expiry');
  if (!fired.ok) throw new Error(`expiry timer failed: ${fired.error.errorMessage}`);
}

it('a request\'s life reaches the webhooks verified: pending, approved, active, expiring-soon, revoked; rejected; failed', async () => {
  const asked = Date.now();
  const r = await submit('ecs-readonly', '30m', 'notifications e2e');
  // The approver is told on DingTalk, signed as DingTalk checks it, with the command that acts on it.
  await waitForEvent(r.id, 'pending');
  // Request accepted -> verified delivery; includes the notify trigger's 1 s batch window.
  console.info(`notification latency (submit -> verified pending delivery): ${Date.now() - asked} ms`);
  const pending = await dingtalkTexts(r.id);
  expect(pending).toHaveLength(1);
  expect(pending[0]).toContain(`crossrole approve ${r.id}`);
  const signed = (await receiver('approvers-dingtalk')).deliveries.find((d) => JSON.stringify(d.body).includes(r.id));
  expect(signed?.query).toEqual(expect.objectContaining({ timestamp: expect.stringMatching(/^\d{13}$/), sign: expect.any(String), access_token: 'local-approvers-dingtalk' }));

  expect((await approver.call('approval', 'POST', `/requests/${r.id}/approve`, { body: {} })).status).toBe(200);
  await t.waitForStatus(r.id, 'ACTIVE');
  await waitForEvent(r.id, 'approved');
  const active = await waitForEvent(r.id, 'active');
  expect(active.request.roleArn).toMatch(/^acs:ram::1511928242963727:role\/crossrole-/);

  // 30 minutes left, within the catalog's 1h lead: the scan warns once, however often it runs.
  await scan();
  await waitForEvent(r.id, 'expiring-soon');
  await scan();
  await sleep(1_500);
  expect((await auditEvents(r.id)).filter((b) => b.event === 'expiring-soon')).toHaveLength(1);

  expect((await approver.call('approval', 'POST', `/requests/${r.id}/revoke`, { body: { mode: 'trust', reason: 'done' } })).status).toBe(200);
  await waitForEvent(r.id, 'revoked');
  // DingTalk (audience approvers) got pending and revoked only, not the partner's news.
  await sleep(300);
  expect(await dingtalkTexts(r.id)).toEqual([expect.stringContaining('waiting for approval'), expect.stringContaining('was revoked')]);

  const rejected = await submit('ecs-readonly', '1h', 'to be rejected');
  expect((await approver.call('approval', 'POST', `/requests/${rejected.id}/reject`, { body: { reason: 'not now' } })).status).toBe(200);
  await waitForEvent(rejected.id, 'rejected');

  // Provisioning fails for good (CreateRole always refused): after the trigger's retries its dead
  // letter makes the request FAILED, which is announced with the reason.
  t.stack.server.faults.set({ failActions: ['CreateRole'] });
  try {
    const failing = await submit('ecs-readonly-auto', '10m', 'to fail');
    const deadline = Date.now() + 15_000;
    while ((await statusOf(failing.id)) !== 'FAILED' && Date.now() < deadline) {
      await sleep(300);
      await scan();
    }
    const failed = await waitForEvent(failing.id, 'failed');
    expect(failed.request.lastError).toMatch(/provisioning gave up/);
  } finally {
    t.stack.server.faults.clear();
  }

  // Every delivery any receiver accepted was verified; none was refused.
  for (const name of ['audit', 'approvers-dingtalk']) {
    const state = await receiver(name);
    expect(state.deliveries.every((d) => d.verified)).toBe(true);
    expect(state.refused).toEqual([]);
  }
  const kinds = new Set((await receiver('audit')).deliveries.map((d) => (d.body as GenericBody).event));
  expect([...kinds].sort()).toEqual(['active', 'approved', 'expiring-soon', 'failed', 'pending', 'rejected', 'revoked']);
});

it('a webhook that refuses twice gets the delivery on a retry', async () => {
  await setFaults('audit', { failNext: 2 });
  const r = await submit('ecs-readonly', '1h', 'retried notification');
  const pending = await waitForEvent(r.id, 'pending');
  expect(pending.request.status).toBe('PENDING');
  const state = await receiver('audit');
  expect(state.refused.filter((x) => x.status === 503)).toHaveLength(2);
  // Delivered once to DingTalk (it accepted the first time): a retry skips the webhooks that accepted.
  expect(await dingtalkTexts(r.id)).toHaveLength(1);
});

it('a webhook that always refuses: a dead notification operators see, and the grant unaffected', async () => {
  await setFaults('audit', { failAlways: true });
  try {
    const r = await submit('ecs-readonly-auto', '1h', 'dead notification');
    const active = await t.waitForStatus(r.id, 'ACTIVE');
    expect(active.grant?.roleArn).toBeDefined();
    // The trigger's retries (50 ms apart here) end in crossrole-deadletter; the scan drains it.
    const deadline = Date.now() + 15_000;
    let history: Array<{ action: string; reason?: string; details?: { kind?: string } }> = [];
    while (Date.now() < deadline) {
      await sleep(500);
      await scan();
      const view = await approver.call<{ history: typeof history }>('approval', 'GET', `/requests/${r.id}`);
      history = view.body.history;
      if (history.some((e) => e.details?.kind === 'notification-dead')) break;
    }
    const dead = history.find((e) => e.details?.kind === 'notification-dead');
    expect(dead).toEqual(expect.objectContaining({ action: 'NOTE', reason: expect.stringMatching(/^notification-dead: /) }));
    // The grant is still ACTIVE: a dead notification never fails a request.
    expect((await t.waitForStatus(r.id, 'ACTIVE', 1_000)).status).toBe('ACTIVE');
  } finally {
    await setFaults('audit', { failAlways: false });
  }
});

it('lifecycle events: break-glass reaches the approvers at once, an overdue review reminds them once a day, a scheduled grant tells the partner when it starts', async () => {
  // Break-glass: granted by nobody, so the approvers' DingTalk hears of it with the review command.
  const glass = await bob.call<{ request: ApiRequest }>('intake', 'POST', '/requests', {
    body: { profile: 'ecs-break-glass', duration: '30m', reason: 'INC-77: the payment API is down and needs a restart' },
  });
  expect(glass.status).toBe(202);
  const glassId = glass.body.request.id;
  const told = await waitForEvent(glassId, 'break-glass');
  expect(told.request.status).toBe('APPROVED');
  const texts = await dingtalkTexts(glassId);
  expect(texts).toEqual([expect.stringContaining('BREAK-GLASS')]);
  expect(texts[0]).toContain(`crossrole review ${glassId}`);

  // Its review falls due (the ledger says so, an hour ago): the scan reminds the approvers, once a day.
  const pg = new Client({ connectionString: t.stack.ledgerUrl });
  await pg.connect();
  try {
    await pg.query("UPDATE requests SET review_due_at = now() - interval '1 hour' WHERE id = $1", [glassId]);
  } finally {
    await pg.end();
  }
  await scan();
  await waitForEvent(glassId, 'review-overdue');
  await scan();
  await sleep(1_500);
  expect((await auditEvents(glassId)).filter((b) => b.event === 'review-overdue')).toHaveLength(1);
  expect(await dingtalkTexts(glassId)).toEqual([expect.stringContaining('BREAK-GLASS'), expect.stringContaining('is not reviewed')]);

  // A grant that starts in an hour: approved now, SCHEDULED, and the partner is told when it starts.
  const startAt = new Date(Date.now() + 3600_000).toISOString();
  const later = await bob.call<{ request: ApiRequest }>('intake', 'POST', '/requests', { body: { profile: 'ecs-readonly', duration: '1h', reason: 'maintenance window', startAt } });
  expect(later.status).toBe(202);
  expect((await approver.call('approval', 'POST', `/requests/${later.body.request.id}/approve`, { body: {} })).status).toBe(200);
  const scheduled = await waitForEvent(later.body.request.id, 'scheduled');
  expect(scheduled.request.status).toBe('SCHEDULED');
  for (const name of ['audit', 'approvers-dingtalk']) expect((await receiver(name)).deliveries.every((d) => d.verified)).toBe(true);
});

/**
 * Every sample event of events/ through the local FC runtime (the built bundles in dist/, with
 * their s.yaml role and environment), invoked directly as `s invoke --event-file` would:
 * - HTTP events as shipped carry placeholder identity proofs: refused with 401, unless the event
 *   is refused earlier (event shape, size, route, method) with its own 4xx code;
 * - the same HTTP events with a real proof swapped in reach the workflow and answer for real;
 * - MNS events are always acknowledged with an outcome (never a thrown error) when the message is
 *   junk or names a request the ledger does not have in the right state;
 * - the timer event runs the scan and returns its report.
 */
import { QueueName } from '../../shared/domain/ports';
import { IDENTITY_HEADER } from '../../shared/identity';
import { OWNER_ACCOUNT_ID } from '../../local/world';
import type { InvocationOutcome } from '../../local/fc/types';
import { getTestEvent, getTestEventJson, listTestEvents } from '../helpers/get-test-event';
import { startTestStack, type ApiClient, type ApiRequest, type TestStack } from '../helpers/stack';

jest.setTimeout(20_000);

/** The request id the sample events name. */
const SAMPLE_ID = '0f3c6a1e-8b2d-4c5e-9a7f-1d2e3f4a5b6c';

const INTAKE = 'crossrole-intake';
const APPROVAL = 'crossrole-approval';
const PROVISIONING = 'crossrole-provisioning';
const REVOCATION = 'crossrole-revocation';
const EXPIRY = 'crossrole-expiry';
const NOTIFIER = 'crossrole-notifier';

let t: TestStack;
let partner: ApiClient;
let approver: ApiClient;

beforeAll(async () => {
  t = await startTestStack();
  partner = t.api('partner-admin');
  approver = t.api('approver');
}, 120_000);

afterAll(async () => {
  await t?.close();
});

interface HttpAnswer {
  statusCode: number;
  body: { error?: { code: string }; request?: ApiRequest; items?: ApiRequest[]; history?: unknown[] };
}

function resultValue(o: InvocationOutcome): unknown {
  if (!o.ok) throw new Error(`invocation failed: ${o.error.errorType}: ${o.error.errorMessage}`);
  if (o.result.kind !== 'json') throw new Error(`expected a JSON result, got ${o.result.kind}`);
  return o.result.value;
}

async function invokeHttp(fn: string, event: Buffer): Promise<HttpAnswer> {
  const v = resultValue(await t.stack.fc.invoke(fn, event)) as { statusCode: number; body: string };
  return { statusCode: v.statusCode, body: JSON.parse(v.body) as HttpAnswer['body'] };
}

/** A sample HTTP event with a real proof of `who` and, optionally, another request id. */
function realEvent(name: string, who: ApiClient, requestId?: string): Buffer {
  let text = getTestEvent(`http/${name}`).toString('utf8');
  if (requestId !== undefined) text = text.split(SAMPLE_ID).join(requestId);
  const event = JSON.parse(text) as { headers: Record<string, string> };
  event.headers[IDENTITY_HEADER] = who.proof();
  return Buffer.from(JSON.stringify(event), 'utf8');
}

/** A sample MNS event whose message body is replaced. */
function mnsEvent(name: string, messageBody: unknown): Buffer {
  const event = getTestEventJson<{ data: { messageBody: string } }>(`mns/${name}`);
  event.data.messageBody = typeof messageBody === 'string' ? messageBody : JSON.stringify(messageBody);
  return Buffer.from(JSON.stringify(event), 'utf8');
}

async function invokeQueue(fn: string, event: Buffer): Promise<{ outcome: string; requestId?: string; status?: string; detail?: string }> {
  return resultValue(await t.stack.fc.invoke(fn, event)) as { outcome: string; requestId?: string; status?: string; detail?: string };
}

const fnOfHttp = (name: string): string => (name.startsWith('approval-') || name === 'invalid-wrong-method' ? APPROVAL : INTAKE);

describe('HTTP events as shipped (placeholder identity proofs)', () => {
  /** Refused before authentication, with their own code: event shape, body size, routing. */
  const early: Record<string, [number, string]> = {
    'invalid-base64-body': [400, 'VALIDATION'],
    'invalid-not-http-event': [400, 'VALIDATION'],
    'invalid-oversize': [413, 'PAYLOAD_TOO_LARGE'],
    'invalid-unknown-route': [404, 'ROUTE_NOT_FOUND'],
    'invalid-wrong-method': [405, 'METHOD_NOT_ALLOWED'],
    'invalid-missing-identity': [401, 'IDENTITY_MISSING'],
  };
  const names = listTestEvents('http').map((n) => n.slice('http/'.length));

  it('covers every HTTP sample event', () => {
    expect(names.length).toBeGreaterThanOrEqual(17);
    for (const k of Object.keys(early)) expect(names).toContain(k);
  });

  it.each(names)('%s', async (name) => {
    const res = await invokeHttp(fnOfHttp(name), getTestEvent(`http/${name}`));
    const [status, code] = early[name] ?? [401, 'IDENTITY_INVALID'];
    expect({ status: res.statusCode, code: res.body.error?.code }).toEqual({ status, code });
  });

  it('a wrong method says which methods are allowed', async () => {
    const v = resultValue(await t.stack.fc.invoke(APPROVAL, getTestEvent('http/invalid-wrong-method'))) as { headers: Record<string, string> };
    expect(v.headers.allow).toBe('POST');
  });
});

describe('HTTP events with a real identity proof', () => {
  let created: ApiRequest;

  it('intake-create-request and its base64 variant create PENDING requests (202)', async () => {
    const res = await invokeHttp(INTAKE, realEvent('intake-create-request', partner));
    expect(res.statusCode).toBe(202);
    expect(res.body.request).toMatchObject({ status: 'PENDING', profile: 'ecs-readonly', durationSeconds: 8 * 3600, partnerAccountId: t.contract.partnerAccountId });
    created = res.body.request as ApiRequest;
    const b64 = await invokeHttp(INTAKE, realEvent('intake-create-request-base64', partner));
    expect(b64.statusCode).toBe(202);
    expect(b64.body.request?.status).toBe('PENDING');
  });

  it('the body-level invalid events now get their own 400 codes', async () => {
    const malformed = await invokeHttp(INTAKE, realEvent('invalid-malformed-json', partner));
    expect({ status: malformed.statusCode, code: malformed.body.error?.code }).toEqual({ status: 400, code: 'INVALID_JSON' });
    const notObject = await invokeHttp(INTAKE, realEvent('invalid-body-not-object', partner));
    expect({ status: notObject.statusCode, code: notObject.body.error?.code }).toEqual({ status: 400, code: 'VALIDATION' });
  });

  it('intake-get-request (also behind the local /fn/<name> prefix) and intake-list-own-requests', async () => {
    const got = await invokeHttp(INTAKE, realEvent('intake-get-request', partner, created.id));
    expect(got.statusCode).toBe(200);
    expect(got.body.request?.id).toBe(created.id);
    expect(got.body.history?.length).toBe(1);
    const prefixed = await invokeHttp(INTAKE, realEvent('intake-get-request-local-prefix', partner, created.id));
    expect(prefixed.statusCode).toBe(200);
    expect(prefixed.body.request?.id).toBe(created.id);
    const unknown = await invokeHttp(INTAKE, realEvent('intake-get-request', partner));
    expect({ status: unknown.statusCode, code: unknown.body.error?.code }).toEqual({ status: 404, code: 'NOT_FOUND' });
    const list = await invokeHttp(INTAKE, realEvent('intake-list-own-requests', partner));
    expect(list.statusCode).toBe(200);
    expect(list.body.items?.map((i) => i.id)).toContain(created.id);
  });

  it('approval-list-pending, approval-approve (shortened to 4h) and approval-revoke', async () => {
    const pending = await invokeHttp(APPROVAL, realEvent('approval-list-pending', approver));
    expect(pending.statusCode).toBe(200);
    expect(pending.body.items?.map((i) => i.id)).toContain(created.id);
    expect(pending.body.items?.every((i) => i.status === 'PENDING')).toBe(true);

    const approved = await invokeHttp(APPROVAL, realEvent('approval-approve', approver, created.id));
    expect(approved.statusCode).toBe(200);
    expect(approved.body.request).toMatchObject({ status: 'APPROVED', durationSeconds: 4 * 3600 });
    await t.waitForStatus(created.id, 'ACTIVE');

    const revoked = await invokeHttp(APPROVAL, realEvent('approval-revoke', approver, created.id));
    expect(revoked.statusCode).toBe(200);
    expect(revoked.body.request).toMatchObject({ status: 'REVOKING', revokeMode: 'trust' });
    await t.waitForStatus(created.id, 'REVOKED');
  });

  it('approval-reject rejects a pending request; the sample id itself is unknown (404)', async () => {
    const r = await partner.call<{ request: ApiRequest }>('intake', 'POST', '/requests', { body: { profile: 'ecs-readonly', duration: '1h', reason: 'to be rejected' } });
    expect(r.status).toBe(202);
    const rejected = await invokeHttp(APPROVAL, realEvent('approval-reject', approver, r.body.request.id));
    expect(rejected.statusCode).toBe(200);
    expect(rejected.body.request?.status).toBe('REJECTED');
    const unknown = await invokeHttp(APPROVAL, realEvent('approval-reject', approver));
    expect({ status: unknown.statusCode, code: unknown.body.error?.code }).toEqual({ status: 404, code: 'NOT_FOUND' });
  });
});

describe('MNS events: acknowledged with an outcome, never thrown', () => {
  it.each([
    [PROVISIONING, 'provision', 'stale'],
    [PROVISIONING, 'provision-base64', 'stale'],
    [REVOCATION, 'revoke', 'stale'],
    [REVOCATION, 'expire', 'stale'],
    [PROVISIONING, 'invalid-missing-request-id', 'malformed'],
    [PROVISIONING, 'invalid-not-json', 'malformed'],
    [PROVISIONING, 'invalid-unknown-kind', 'malformed'],
    [PROVISIONING, 'invalid-not-cloudevent', 'malformed'],
    [REVOCATION, 'invalid-not-cloudevent', 'malformed'],
    // A message on the wrong queue is junk to its consumer.
    [REVOCATION, 'provision', 'malformed'],
    [PROVISIONING, 'revoke', 'malformed'],
    // The notifier: nothing outstanding for an unknown request; other kinds are junk to it.
    [NOTIFIER, 'notify', 'stale'],
    [NOTIFIER, 'provision', 'malformed'],
    [PROVISIONING, 'notify', 'malformed'],
  ])('%s <- mns/%s: %s', async (fn, name, outcome) => {
    const r = await invokeQueue(fn, getTestEvent(`mns/${name}`));
    expect(r.outcome).toBe(outcome);
    if (outcome === 'stale') expect(r.requestId).toBe(SAMPLE_ID);
  });

  it('an event-streaming batch (a JSON array) gets one outcome per event; a malformed one costs the others nothing', async () => {
    const batch = Buffer.from(JSON.stringify([getTestEventJson('mns/provision'), getTestEventJson('mns/invalid-not-json'), getTestEventJson('mns/provision-base64')]), 'utf8');
    const r = resultValue(await t.stack.fc.invoke(PROVISIONING, batch)) as { outcomes: Array<{ outcome: string; requestId?: string }> };
    expect(r.outcomes.map((o) => o.outcome)).toEqual(['stale', 'malformed', 'stale']);
    expect(r.outcomes[2]?.requestId).toBe(SAMPLE_ID);
  });

  it('covers every MNS sample event', () => {
    expect(listTestEvents('mns').map((n) => n.slice('mns/'.length)).sort()).toEqual(
      ['expire', 'invalid-missing-request-id', 'invalid-not-cloudevent', 'invalid-not-json', 'invalid-unknown-kind', 'notify', 'provision', 'provision-base64', 'revoke'],
    );
  });

  it('a forged provision or revoke message for a PENDING request changes nothing (the ledger decides)', async () => {
    const r = await partner.call<{ request: ApiRequest }>('intake', 'POST', '/requests', { body: { profile: 'ecs-readonly', duration: '1h', reason: 'forged messages' } });
    const id = r.body.request.id;
    const p = await invokeQueue(PROVISIONING, mnsEvent('provision', { requestId: id, kind: 'provision' }));
    expect(p).toMatchObject({ outcome: 'stale', requestId: id, status: 'PENDING' });
    const v = await invokeQueue(REVOCATION, mnsEvent('revoke', { requestId: id, kind: 'revoke' }));
    expect(v).toMatchObject({ outcome: 'stale', requestId: id, status: 'PENDING' });
    const view = await approver.call<{ request: ApiRequest }>('approval', 'GET', `/requests/${id}`);
    expect(view.body.request).toMatchObject({ status: 'PENDING', version: 1 });
    expect(t.stack.server.ram.findRole(OWNER_ACCOUNT_ID, view.body.request.roleName)).toBeUndefined();
  });
});

describe('timer events', () => {
  it('expiry-scan returns the scan report', async () => {
    const report = resultValue(await t.stack.fc.invoke(EXPIRY, getTestEvent('timer/expiry-scan'))) as Record<string, number>;
    expect(Object.keys(report).sort()).toEqual(
      ['announced', 'deadLetters', 'errors', 'expired', 'extendResent', 'foreignRoles', 'lapsed', 'markedFailed', 'orphanRoles', 'provisionResent', 'released', 'revocationsRetried', 'revokeResent',
        'rolesChecked', 'rolesDeferred', 'rolesDeleted', 'rolesRestored', 'rolesStripped', 'started', 'expiringSoon', 'reviewsReminded', 'notificationsSwept', 'notificationsDead'].sort(),
    );
    expect(report.errors).toBe(0);
    expect(Object.values(report).every((n) => Number.isInteger(n) && n >= 0)).toBe(true);
  });

  it('the configured timer trigger fires the same scan', async () => {
    const report = resultValue(await t.stack.fc.fireTimer(EXPIRY)) as Record<string, number>;
    expect(report).toMatchObject({ errors: 0 });
  });

  it.each(['invalid-bad-trigger-time', 'invalid-missing-trigger-time'])('%s fails the invocation with a validation error', async (name) => {
    const o = await t.stack.fc.invoke(EXPIRY, getTestEvent(`timer/${name}`));
    expect(o.ok).toBe(false);
    if (!o.ok) expect(o.error.errorMessage).toMatch(/triggerTime/);
  });

  it('nothing failed in the runtime and nothing was dead-lettered by the runs above', () => {
    expect(t.runtimeProblems()).toEqual([]);
    expect(t.stack.mns.queueStats(OWNER_ACCOUNT_ID, QueueName.DEADLETTER)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
  });
});

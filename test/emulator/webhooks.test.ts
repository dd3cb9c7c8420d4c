/**
 * The local webhook receivers over HTTP, fed by the product's notifier code (shared/domain
 * webhook-messages, the real sender): each platform's signed delivery is accepted and kept, and a
 * bad signature, an old timestamp or a wrong body is refused as the platform refuses it (DingTalk
 * errcode 310000, Feishu code 19021, Slack no_text, generic 401); an injected outage answers 503.
 */
import type { AccessRequest } from '../../shared/domain/access-request';
import { buildDelivery, judgeResponse, type ResolvedWebhook } from '../../shared/domain/webhook-messages';
import type { NotificationEvent } from '../../shared/domain/notifications';
import { fetchWebhookSender } from '../../shared/runtime/webhook-sender';
import { createWebhookReceivers } from '../../local/webhooks';
import { startTestServer, type LocalServer } from '../helpers/local-server';

let server: LocalServer;
const base = (): string => `${server.url}/_local/webhooks`;

const hooks = (): ResolvedWebhook[] => [
  { name: 'ding', type: 'dingtalk', url: `${base()}/ding?access_token=abc`, secret: 'SECding' },
  { name: 'lark', type: 'feishu', url: `${base()}/lark`, secret: 'larksecret' },
  { name: 'slack', type: 'slack', url: `${base()}/slack` },
  { name: 'gen', type: 'generic', url: `${base()}/gen`, secret: 'whsec' },
];

const request: AccessRequest = {
  id: '0f3c6a1e-8b2d-4c5e-9a7f-1d2e3f4a5b6c', version: 2, status: 'PENDING', partnerAccountId: '1879324520397241',
  requesterArn: 'acs:ram::1879324520397241:user/bob', profile: 'ecs-readonly', durationSeconds: 3600, reason: 'audit',
  roleName: 'crossrole-0f3c6a1e8b2d', principals: [], externalId: 'crx-x', createdAt: '2026-12-07T00:00:00.000Z', updatedAt: '2026-12-07T00:00:00.000Z',
};

beforeAll(async () => {
  server = await startTestServer({
    services: () => [createWebhookReceivers([
      { name: 'ding', type: 'dingtalk', secret: 'SECding' },
      { name: 'lark', type: 'feishu', secret: 'larksecret' },
      { name: 'slack', type: 'slack' },
      { name: 'gen', type: 'generic', secret: 'whsec' },
    ])],
  });
});

afterAll(async () => {
  await server.close();
});

async function send(hook: ResolvedWebhook, event: NotificationEvent = 'pending', now = new Date()): Promise<{ ok: boolean; status: number; text: string }> {
  const d = buildDelivery(hook, event, request, { now, deliveryId: `1-${hook.name}` });
  const res = await fetchWebhookSender.post(d.url, d.headers, d.body);
  return { ok: judgeResponse(hook.type, res.status, res.text).ok, ...res };
}

async function state(name: string): Promise<{ deliveries: Array<{ verified: boolean }>; refused: Array<{ reason: string }> }> {
  return (await (await fetch(`${base()}/${name}`)).json()) as { deliveries: Array<{ verified: boolean }>; refused: Array<{ reason: string }> };
}

it.each(['ding', 'lark', 'slack', 'gen'])('%s: a signed delivery is accepted, verified and kept', async (name) => {
  const hook = hooks().find((h) => h.name === name);
  if (!hook) throw new Error(name);
  const r = await send(hook);
  expect(r.ok).toBe(true);
  expect((await state(name)).deliveries).toEqual([expect.objectContaining({ verified: true })]);
});

it('DingTalk refuses a wrong secret with errcode 310000 "sign not match"', async () => {
  const r = await send({ name: 'ding', type: 'dingtalk', url: `${base()}/ding?access_token=abc`, secret: 'SECwrong' });
  expect(r).toMatchObject({ ok: false, status: 200 });
  expect(JSON.parse(r.text)).toEqual({ errcode: 310000, errmsg: 'sign not match' });
});

it('DingTalk refuses a timestamp more than an hour old, even correctly signed', async () => {
  const r = await send(hooks()[0] as ResolvedWebhook, 'pending', new Date(Date.now() - 2 * 3600_000));
  expect(JSON.parse(r.text)).toMatchObject({ errcode: 310000 });
});

it('Feishu refuses a wrong secret with code 19021', async () => {
  const r = await send({ name: 'lark', type: 'feishu', url: `${base()}/lark`, secret: 'nope' });
  expect(r.ok).toBe(false);
  expect(JSON.parse(r.text)).toEqual({ code: 19021, msg: 'sign match fail or timestamp is not within one hour from current time' });
});

it('Slack refuses a message with neither text nor blocks (400 no_text)', async () => {
  const res = await fetchWebhookSender.post(`${base()}/slack`, { 'content-type': 'application/json' }, '{"attachments":[]}');
  expect(res).toEqual({ status: 400, text: 'no_text' });
});

it('generic refuses a forged signature (401) and a body changed after signing', async () => {
  expect((await send({ name: 'gen', type: 'generic', url: `${base()}/gen`, secret: 'other' })).status).toBe(401);
  const d = buildDelivery(hooks()[3] as ResolvedWebhook, 'pending', request, { now: new Date(), deliveryId: 'x' });
  const res = await fetchWebhookSender.post(d.url, d.headers, d.body.replace('PENDING', 'APPROVED'));
  expect(res.status).toBe(401);
  expect((await state('gen')).refused.map((x) => x.reason)).toContain('v1 does not match HMAC-SHA256(secret, t + "." + body)');
});

it('an injected outage answers 503 the given number of times, then deliveries go through again', async () => {
  await fetch(`${base()}/gen/faults`, { method: 'POST', body: JSON.stringify({ failNext: 2 }) });
  const gen = hooks()[3] as ResolvedWebhook;
  expect((await send(gen)).status).toBe(503);
  expect((await send(gen)).status).toBe(503);
  expect((await send(gen)).ok).toBe(true);
});

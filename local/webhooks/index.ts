/**
 * Local webhook receivers: stand-ins for a DingTalk group robot, a Feishu/Lark group bot, a Slack
 * incoming webhook and a generic HTTPS endpoint, mounted on the local cloud's server.
 *
 * An independent witness of the notifier: it implements each platform's check from the platform's
 * documentation (sources below and in local/COVERAGE.md), never from the product's signing code,
 * and refuses what the platform would refuse, the way the platform answers (a refused delivery is a
 * failure for the notifier). What it accepted is kept, in memory:
 *   POST /_local/webhooks/<name>[?query]      a delivery (the webhook URL)
 *   GET  /_local/webhooks/<name>              {name, type, deliveries: [...], refused: [...]}
 *   POST /_local/webhooks/<name>/faults       {"failNext": N} or {"failAlways": true|false}: answer 503
 *                                             (before any check) N times, or until turned off
 *
 * - DingTalk custom robot, "加签": sign = urlEncode(base64(HmacSHA256(secret, timestamp + "\n" +
 *   secret))), timestamp in ms within 1 hour, both in the query; refused with HTTP 200
 *   {"errcode": 310000, "errmsg": "sign not match"} (open.dingtalk.com custom robot security
 *   settings; the error as DingTalk answers it: cloud.tencent.com/developer/article/1834468).
 * - Feishu/Lark custom bot: sign = base64(HmacSHA256(key = timestamp + "\n" + secret, msg = "")),
 *   timestamp in seconds, in the body; refused with {"code": 19021, "msg": "sign match fail or
 *   timestamp is not within one hour from current time"} (open.feishu.cn/document/client-docs/bot-v3/add-custom-bot).
 * - Slack incoming webhook: JSON with `text` or `blocks`, answered `ok`; otherwise 400 `no_text`
 *   (api.slack.com/messaging/webhooks). Slack checks no signature: the URL is the secret.
 * - generic: `X-Crossrole-Signature: t=<unix s>,v1=<hex HMAC-SHA256(secret, t + "." + body)>`
 *   within 5 minutes (Crossrole's own scheme, README "Notifications"); refused with 401.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { LocalRequest, LocalResponse, LocalService } from '../core/contract';

type ReceiverType = 'dingtalk' | 'feishu' | 'slack' | 'generic';

export interface ReceiverConfig {
  name: string;
  type: ReceiverType;
  /** The signing secret the platform holds (none for Slack). */
  secret?: string;
}

interface Delivery {
  at: string;
  /** What the check established: the signature matched (or, for Slack, the URL was the secret). */
  verified: true;
  query: Record<string, string>;
  headers: Record<string, string>;
  body: unknown;
}

interface Refusal {
  at: string;
  reason: string;
  status: number;
}

interface Receiver extends ReceiverConfig {
  deliveries: Delivery[];
  refused: Refusal[];
  failNext: number;
  failAlways: boolean;
}

const PREFIX = '/_local/webhooks';
const HOUR_MS = 3_600_000;
const GENERIC_TOLERANCE_S = 300;

const json = (status: number, body: unknown): LocalResponse => ({ status, headers: { 'content-type': 'application/json;charset=utf-8' }, body: JSON.stringify(body) });

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

type Verdict = { ok: true; body: unknown; answer: LocalResponse } | { ok: false; reason: string; answer: LocalResponse };

function verifyDingtalk(r: Receiver, req: LocalRequest, now: Date): Verdict {
  const q = new URLSearchParams(req.rawQuery);
  const ts = q.get('timestamp') ?? '';
  const sign = q.get('sign') ?? '';
  const refuse = (reason: string): Verdict => ({ ok: false, reason, answer: json(200, { errcode: 310000, errmsg: 'sign not match' }) });
  if (r.secret !== undefined) {
    if (!/^\d{13}$/.test(ts) || Math.abs(now.getTime() - Number(ts)) > HOUR_MS) return refuse(`timestamp "${ts}" missing or more than 1 hour off`);
    const expected = createHmac('sha256', r.secret).update(`${ts}\n${r.secret}`, 'utf8').digest('base64');
    if (!sameText(sign, expected)) return refuse('sign does not match timestamp + "\\n" + secret');
  }
  const body = parseJson(req.body) as { msgtype?: unknown } | undefined;
  if (typeof body?.msgtype !== 'string') return { ok: false, reason: 'body is not a robot message (msgtype)', answer: json(200, { errcode: 40035, errmsg: 'missing parameter msgtype' }) };
  return { ok: true, body, answer: json(200, { errcode: 0, errmsg: 'ok' }) };
}

function verifyFeishu(r: Receiver, req: LocalRequest, now: Date): Verdict {
  const body = parseJson(req.body) as { timestamp?: unknown; sign?: unknown; msg_type?: unknown } | undefined;
  const refuse = (reason: string): Verdict => ({ ok: false, reason, answer: json(200, { code: 19021, msg: 'sign match fail or timestamp is not within one hour from current time' }) });
  if (body === undefined || typeof body.msg_type !== 'string') return { ok: false, reason: 'body is not a bot message (msg_type)', answer: json(200, { code: 9499, msg: 'Bad Request' }) };
  if (r.secret !== undefined) {
    const ts = String(body.timestamp ?? '');
    if (!/^\d{10}$/.test(ts) || Math.abs(now.getTime() - Number(ts) * 1000) > HOUR_MS) return refuse(`timestamp "${ts}" missing or more than 1 hour off`);
    const expected = createHmac('sha256', `${ts}\n${r.secret}`).update('').digest('base64');
    if (!sameText(String(body.sign ?? ''), expected)) return refuse('sign does not match');
  }
  return { ok: true, body, answer: json(200, { code: 0, data: {}, msg: 'success' }) };
}

function verifySlack(req: LocalRequest): Verdict {
  const body = parseJson(req.body) as { text?: unknown; blocks?: unknown } | undefined;
  if (body === undefined) return { ok: false, reason: 'invalid JSON', answer: { status: 400, body: 'invalid_payload' } };
  if (typeof body.text !== 'string' && !Array.isArray(body.blocks)) return { ok: false, reason: 'neither text nor blocks', answer: { status: 400, body: 'no_text' } };
  return { ok: true, body, answer: { status: 200, headers: { 'content-type': 'text/html' }, body: 'ok' } };
}

function verifyGeneric(r: Receiver, req: LocalRequest, now: Date): Verdict {
  const header = String(req.headers['x-crossrole-signature'] ?? '');
  const parts = Object.fromEntries(header.split(',').map((p) => [p.slice(0, p.indexOf('=')), p.slice(p.indexOf('=') + 1)]));
  const refuse = (reason: string): Verdict => ({ ok: false, reason, answer: json(401, { error: 'invalid signature', reason }) });
  if (r.secret !== undefined) {
    const t = parts.t ?? '';
    if (!/^\d{1,12}$/.test(t) || Math.abs(now.getTime() / 1000 - Number(t)) > GENERIC_TOLERANCE_S) return refuse(`t "${t}" missing or more than ${GENERIC_TOLERANCE_S} s off`);
    const expected = createHmac('sha256', r.secret).update(Buffer.concat([Buffer.from(`${t}.`), req.body])).digest('hex');
    if (!sameText(parts.v1 ?? '', expected)) return refuse('v1 does not match HMAC-SHA256(secret, t + "." + body)');
  }
  const body = parseJson(req.body);
  if (body === undefined) return { ok: false, reason: 'body is not JSON', answer: json(400, { error: 'body is not JSON' }) };
  return { ok: true, body, answer: json(200, { received: true }) };
}

function verify(r: Receiver, req: LocalRequest, now: Date): Verdict {
  switch (r.type) {
    case 'dingtalk':
      return verifyDingtalk(r, req, now);
    case 'feishu':
      return verifyFeishu(r, req, now);
    case 'slack':
      return verifySlack(req);
    case 'generic':
      return verifyGeneric(r, req, now);
  }
}

function keptHeaders(req: LocalRequest): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (k.startsWith('x-') || k === 'content-type') kept[k] = String(v);
  return kept;
}

export interface WebhookReceivers extends LocalService {
  /** The receivers' names (each at /_local/webhooks/<name>). */
  names(): string[];
}

export function createWebhookReceivers(configs: readonly ReceiverConfig[], now: () => Date = () => new Date()): WebhookReceivers {
  const receivers = new Map<string, Receiver>(configs.map((c) => [c.name, { ...c, deliveries: [], refused: [], failNext: 0, failAlways: false }]));

  function receive(r: Receiver, req: LocalRequest): LocalResponse {
    const at = now();
    if (r.failAlways || r.failNext > 0) {
      if (!r.failAlways) r.failNext--;
      r.refused.push({ at: at.toISOString(), reason: 'fault injected: unavailable', status: 503 });
      return json(503, { error: 'unavailable (fault injected)' });
    }
    const v = verify(r, req, at);
    if (!v.ok) {
      r.refused.push({ at: at.toISOString(), reason: v.reason, status: v.answer.status });
      return v.answer;
    }
    r.deliveries.push({ at: at.toISOString(), verified: true, query: Object.fromEntries(new URLSearchParams(req.rawQuery)), headers: keptHeaders(req), body: v.body });
    return v.answer;
  }

  return {
    name: 'webhooks',
    matches: (req) => req.path === PREFIX || req.path.startsWith(`${PREFIX}/`),
    names: () => [...receivers.keys()],
    handle(req) {
      const rest = req.path.slice(PREFIX.length).split('/').filter((s) => s !== '').map(decodeURIComponent);
      if (rest.length === 0 && req.method === 'GET') return Promise.resolve(json(200, { receivers: [...receivers.values()].map((r) => ({ name: r.name, type: r.type, deliveries: r.deliveries.length, refused: r.refused.length })) }));
      const r = receivers.get(rest[0] ?? '');
      if (r === undefined) return Promise.resolve(json(404, { error: `no webhook receiver ${rest[0] ?? ''}` }));
      if (rest.length === 1 && req.method === 'POST') return Promise.resolve(receive(r, req));
      if (rest.length === 1 && req.method === 'GET') return Promise.resolve(json(200, { name: r.name, type: r.type, deliveries: r.deliveries, refused: r.refused }));
      if (rest.length === 2 && rest[1] === 'faults' && req.method === 'POST') {
        const f = parseJson(req.body) as { failNext?: unknown; failAlways?: unknown } | undefined;
        if (typeof f?.failNext === 'number') r.failNext = Math.max(0, Math.floor(f.failNext));
        if (typeof f?.failAlways === 'boolean') r.failAlways = f.failAlways;
        return Promise.resolve(json(200, { failNext: r.failNext, failAlways: r.failAlways }));
      }
      return Promise.resolve(json(405, { error: `${req.method} ${req.path} is not a webhook receiver endpoint` }));
    },
    reset() {
      for (const r of receivers.values()) Object.assign(r, { deliveries: [], refused: [], failNext: 0, failAlways: false });
      return Promise.resolve();
    },
  };
}

/**
 * One notification as each platform documents its webhook: the message body, the signature and
 * how the platform answers. Pure (node:crypto only); the HTTP call is the notifier's port.
 *
 * - DingTalk custom robot ("加签"): sign = urlEncode(base64(HmacSHA256(key = secret,
 *   msg = timestamp + "\n" + secret))), timestamp in milliseconds, both appended to the webhook URL
 *   as `&timestamp=..&sign=..`; the timestamp may be at most 1 hour off. Body
 *   `{"msgtype": "markdown", "markdown": {"title", "text"}}`. It answers HTTP 200 with
 *   `{"errcode": 0, "errmsg": "ok"}`; any other errcode is a refusal (310000: sign not match).
 *   (open.dingtalk.com/document/orgapp/customize-robot-security-settings, and
 *   /document/orgapp/custom-robots-send-group-messages.)
 * - Feishu/Lark custom bot: sign = base64(HmacSHA256(key = timestamp + "\n" + secret, msg = "")),
 *   timestamp in seconds, both in the JSON body with `msg_type: "text"` and `content.text`. It
 *   answers `{"code": 0, "msg": "success"}`; 19021 is "sign match fail or timestamp is not within one
 *   hour from current time" (open.feishu.cn/document/client-docs/bot-v3/add-custom-bot).
 * - Slack incoming webhook: POST `{"text", "blocks"}` to the secret URL, answered `ok`
 *   (api.slack.com/messaging/webhooks). Slack signs nothing: the URL is the secret.
 * - generic: the JSON event, with `X-Crossrole-Signature: t=<unix seconds>,v1=<hex
 *   HMAC-SHA256(secret, t + "." + body)>` (Stripe's scheme: a receiver checks the time and the
 *   signature of the exact bytes) and `X-Crossrole-Delivery`, the same on every retry of one event
 *   to one webhook, for receivers to drop duplicates (delivery is at least once).
 */
import { createHmac } from 'node:crypto';
import type { AccessRequest } from './access-request';
import { NOTIFICATION_EVENTS, type NotificationEvent, type WebhookType } from './notifications';

export interface ResolvedWebhook {
  name: string;
  type: WebhookType;
  url: string;
  secret?: string;
}

interface WebhookDelivery {
  url: string;
  headers: Record<string, string>;
  body: string;
}

const SIGNATURE_HEADER = 'X-Crossrole-Signature';
const DELIVERY_HEADER = 'X-Crossrole-Delivery';

/** DingTalk's sign, before it is URL-encoded into the query. */
export function dingtalkSign(timestampMs: number, secret: string): string {
  return createHmac('sha256', secret).update(`${timestampMs}\n${secret}`, 'utf8').digest('base64');
}

/** Feishu/Lark's sign: the key is the string to sign, the message is empty. */
export function feishuSign(timestampSeconds: number, secret: string): string {
  return createHmac('sha256', `${timestampSeconds}\n${secret}`).update('', 'utf8').digest('base64');
}

/** The generic webhook's signature header value. */
export function genericSignature(timestampSeconds: number, secret: string, body: string): string {
  const v1 = createHmac('sha256', secret).update(`${timestampSeconds}.${body}`, 'utf8').digest('hex');
  return `t=${timestampSeconds},v1=${v1}`;
}

interface Rendered {
  title: string;
  action: string;
  lines: string[];
}

function render(event: NotificationEvent, r: AccessRequest): Rendered {
  const spec = NOTIFICATION_EVENTS[event];
  const lines = [`request: ${r.id}`, `status: ${r.status}`, `partner: ${r.partnerAccountId}`, `profile: ${r.profile}`];
  if (r.grant) lines.push(`role: ${r.grant.roleArn}`);
  if (r.expiresAt) lines.push(`expires: ${r.expiresAt}`);
  if (r.lastError && event === 'failed') lines.push(`reason: ${r.lastError}`);
  return { title: spec.title(r), action: spec.action(r), lines };
}

function withQuery(url: string, params: Record<string, string>): string {
  const u = new URL(url);
  for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
  return u.toString();
}

/** The HTTP request that delivers `event` about `request` to one webhook. */
export function buildDelivery(hook: ResolvedWebhook, event: NotificationEvent, request: AccessRequest, options: { now: Date; deliveryId: string }): WebhookDelivery {
  const m = render(event, request);
  const json = { 'content-type': 'application/json; charset=utf-8' };
  switch (hook.type) {
    case 'dingtalk': {
      const body = JSON.stringify({ msgtype: 'markdown', markdown: { title: `Crossrole: ${event}`, text: `### ${m.title}\n\n${m.lines.map((l) => `- ${l}`).join('\n')}\n\n\`${m.action}\`` } });
      if (hook.secret === undefined) return { url: hook.url, headers: json, body };
      const ts = options.now.getTime();
      // URLSearchParams encodes the base64's "+", "/" and "=" as the docs' urlEncode does.
      return { url: withQuery(hook.url, { timestamp: String(ts), sign: dingtalkSign(ts, hook.secret) }), headers: json, body };
    }
    case 'feishu': {
      const ts = Math.floor(options.now.getTime() / 1000);
      const content = { text: `${m.title}\n${m.lines.join('\n')}\n${m.action}` };
      const signed = hook.secret === undefined ? {} : { timestamp: String(ts), sign: feishuSign(ts, hook.secret) };
      return { url: hook.url, headers: json, body: JSON.stringify({ ...signed, msg_type: 'text', content }) };
    }
    case 'slack': {
      const blocks = [
        { type: 'section', text: { type: 'mrkdwn', text: `*${m.title}*\n${m.lines.join('\n')}` } },
        { type: 'context', elements: [{ type: 'mrkdwn', text: `\`${m.action}\`` }] },
      ];
      return { url: hook.url, headers: json, body: JSON.stringify({ text: m.title, blocks }) };
    }
    case 'generic': {
      const body = JSON.stringify({
        id: options.deliveryId,
        event,
        at: options.now.toISOString(),
        title: m.title,
        action: m.action,
        request: {
          id: request.id, status: request.status, profile: request.profile, partnerAccountId: request.partnerAccountId,
          requesterArn: request.requesterArn, roleName: request.roleName, reason: request.reason,
          ...(request.grant ? { roleArn: request.grant.roleArn } : {}),
          ...(request.expiresAt ? { expiresAt: request.expiresAt } : {}),
          ...(request.lastError ? { lastError: request.lastError } : {}),
        },
      });
      const headers: Record<string, string> = { ...json, [DELIVERY_HEADER]: options.deliveryId, 'X-Crossrole-Event': event };
      if (hook.secret !== undefined) headers[SIGNATURE_HEADER] = genericSignature(Math.floor(options.now.getTime() / 1000), hook.secret, body);
      return { url: hook.url, headers, body };
    }
  }
}

/** Did the platform accept it? DingTalk and Feishu refuse with HTTP 200 and an error code in the body. */
export function judgeResponse(type: WebhookType, status: number, text: string): { ok: true } | { ok: false; error: string } {
  if (status < 200 || status > 299) return { ok: false, error: `HTTP ${status}: ${text.slice(0, 200)}` };
  if (type !== 'dingtalk' && type !== 'feishu') return { ok: true };
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return { ok: false, error: `HTTP ${status} with a body that is not JSON: ${text.slice(0, 200)}` };
  }
  // DingTalk: errcode/errmsg. Feishu: code/msg (older bots: StatusCode/StatusMessage).
  const code = type === 'dingtalk' ? parsed.errcode : (parsed.code ?? parsed.StatusCode);
  if (code === 0) return { ok: true };
  const message = type === 'dingtalk' ? parsed.errmsg : (parsed.msg ?? parsed.StatusMessage);
  return { ok: false, error: `${type} refused it: code ${String(code)} ${String(message ?? '')}`.trim() };
}

/**
 * Notifications in the domain: the signers against vectors computed by another implementation (the
 * platforms' own Python samples, run with Python's hmac), each platform's message format, how
 * platform answers are judged, the event table and the catalog's `notifications` section.
 */
import type { AccessRequest } from '../../../shared/domain/access-request';
import { validateCatalog } from '../../../shared/domain/catalog';
import { NOTIFICATION_EVENT_KINDS, notificationEventOf, notificationKey, reviewOverdueKey, webhookWants } from '../../../shared/domain/notifications';
import { buildDelivery, dingtalkSign, feishuSign, genericSignature, judgeResponse } from '../../../shared/domain/webhook-messages';

const request: AccessRequest = {
  id: '0f3c6a1e-8b2d-4c5e-9a7f-1d2e3f4a5b6c',
  version: 3,
  status: 'ACTIVE',
  partnerAccountId: '1879324520397241',
  requesterArn: 'acs:ram::1879324520397241:user/bob',
  profile: 'ecs-readonly',
  durationSeconds: 1800,
  reason: 'audit',
  roleName: 'crossrole-0f3c6a1e8b2d',
  principals: [],
  externalId: 'crx-x',
  createdAt: '2026-12-07T00:00:00.000Z',
  updatedAt: '2026-12-07T00:00:01.000Z',
  expiresAt: '2026-12-07T00:30:00.000Z',
  grant: {
    roleName: 'crossrole-0f3c6a1e8b2d', roleArn: 'acs:ram::1511928242963727:role/crossrole-0f3c6a1e8b2d', externalId: 'crx-x', guardPolicyName: 'g', partnerPolicy: '{}',
    switchRole: { accountId: '1511928242963727', roleName: 'crossrole-0f3c6a1e8b2d', url: 'https://signin.aliyun.com/switchRole.htm' },
  },
};
const now = new Date(1_599_360_473_000);

describe('signers (vectors from Python hmac, as in the platforms\' samples)', () => {
  it('DingTalk: base64(HmacSHA256(secret, timestamp + "\\n" + secret)), URL-encoded into the query', () => {
    expect(dingtalkSign(1_599_360_473_000, 'this is secret')).toBe('hXZTWifRGHclNuZSKxoXc//sh51SWfVfRIhcdeKs63I=');
    const d = buildDelivery({ name: 'd', type: 'dingtalk', url: 'https://oapi.dingtalk.com/robot/send?access_token=T', secret: 'this is secret' }, 'active', request, { now, deliveryId: '1-d' });
    // The docs' urlEncode (Java URLEncoder, Python quote_plus): "/" and "=" percent-encoded, the token kept.
    expect(d.url).toBe('https://oapi.dingtalk.com/robot/send?access_token=T&timestamp=1599360473000&sign=hXZTWifRGHclNuZSKxoXc%2F%2Fsh51SWfVfRIhcdeKs63I%3D');
  });

  it('Feishu/Lark: base64(HmacSHA256(key = timestamp + "\\n" + secret, message "")), seconds, in the body', () => {
    expect(feishuSign(1_599_360_473, 'demo')).toBe('l1N0gAcBjdwBvGm1xMjOF0XSyaLRpR7tuO5dHfhAYc8=');
    const d = buildDelivery({ name: 'f', type: 'feishu', url: 'https://open.feishu.cn/open-apis/bot/v2/hook/x', secret: 'demo' }, 'active', request, { now, deliveryId: '1-f' });
    expect(JSON.parse(d.body)).toEqual({ timestamp: '1599360473', sign: 'l1N0gAcBjdwBvGm1xMjOF0XSyaLRpR7tuO5dHfhAYc8=', msg_type: 'text', content: { text: expect.stringContaining('crossrole assume') } });
    expect(d.url).toBe('https://open.feishu.cn/open-apis/bot/v2/hook/x');
  });

  it('generic: t=<seconds>,v1=<hex HMAC-SHA256(secret, t + "." + body)>', () => {
    expect(genericSignature(1_700_000_000, 'whsec', '{"a":1}')).toBe('t=1700000000,v1=8ad37ba156048ae0e0a5533c75cdf26fee88b07f93cb57ee4c80adb053012032');
  });
});

describe('message formats', () => {
  it('DingTalk: a markdown message with the role and the command that acts on the request', () => {
    const d = buildDelivery({ name: 'd', type: 'dingtalk', url: 'https://oapi.dingtalk.com/robot/send?access_token=T', secret: 's' }, 'pending', { ...request, status: 'PENDING' }, { now, deliveryId: '1-d' });
    const body = JSON.parse(d.body) as { msgtype: string; markdown: { title: string; text: string } };
    expect(body.msgtype).toBe('markdown');
    expect(body.markdown.text).toContain(`crossrole approve ${request.id}`);
  });

  it('Slack: {text, blocks}, no signature (the URL is the secret)', () => {
    const d = buildDelivery({ name: 's', type: 'slack', url: 'https://hooks.slack.com/services/T/B/X' }, 'failed', { ...request, status: 'FAILED', lastError: 'CreateRole refused' }, { now, deliveryId: '1-s' });
    const body = JSON.parse(d.body) as { text: string; blocks: Array<{ type: string }> };
    expect(body.text).toMatch(/FAILED: CreateRole refused/);
    expect(body.blocks.map((b) => b.type)).toEqual(['section', 'context']);
    expect(d.url).toBe('https://hooks.slack.com/services/T/B/X');
  });

  it('generic: the event as JSON, its delivery id stable across retries, the signature over the exact body', () => {
    const d = buildDelivery({ name: 'g', type: 'generic', url: 'https://example.com/hook', secret: 'whsec' }, 'active', request, { now, deliveryId: '7-g' });
    const body = JSON.parse(d.body) as { id: string; event: string; request: { roleArn: string } };
    expect(body).toMatchObject({ id: '7-g', event: 'active', request: { roleArn: request.grant?.roleArn } });
    expect(d.headers['X-Crossrole-Delivery']).toBe('7-g');
    expect(d.headers['X-Crossrole-Signature']).toBe(genericSignature(1_599_360_473, 'whsec', d.body));
  });
});

describe('platform answers', () => {
  it.each([
    ['dingtalk', 200, '{"errcode":0,"errmsg":"ok"}', true],
    ['dingtalk', 200, '{"errcode":310000,"errmsg":"sign not match"}', false],
    ['feishu', 200, '{"code":0,"msg":"success"}', true],
    ['feishu', 200, '{"code":19021,"msg":"sign match fail or timestamp is not within one hour from current time"}', false],
    ['feishu', 200, '{"StatusCode":0,"StatusMessage":"success"}', true],
    ['slack', 200, 'ok', true],
    ['slack', 400, 'no_text', false],
    ['generic', 204, '', true],
    ['generic', 503, 'down', false],
    ['dingtalk', 200, 'not json', false],
  ] as const)('%s HTTP %d %s: ok=%s', (type, status, text, ok) => {
    expect(judgeResponse(type, status, text).ok).toBe(ok);
  });
});

describe('events', () => {
  it('transitions raise the events people wait for, and nothing else', () => {
    expect(notificationEventOf('CREATE', { status: 'PENDING' })).toBe('pending');
    expect(notificationEventOf('CREATE', { status: 'APPROVED' })).toBe('approved');
    expect(notificationEventOf('CREATE', { status: 'SCHEDULED' })).toBe('scheduled');
    // A break-glass grant is approved by nobody: the approvers hear of it at once.
    expect(notificationEventOf('CREATE', { status: 'APPROVED', breakGlass: { reviewDueAt: '2026-12-08T00:00:00Z' } })).toBe('break-glass');
    expect(notificationEventOf('SCHEDULE', { status: 'SCHEDULED' })).toBe('scheduled');
    expect(notificationEventOf('ACTIVATE', { status: 'ACTIVE' })).toBe('active');
    expect(notificationEventOf('REVOKE_FAILED', { status: 'FAILED' })).toBe('failed');
    expect(notificationEventOf('FINISH_REVOKE', { status: 'REVOKED' })).toBe('revoked');
    for (const t of ['CANCEL', 'LAPSE', 'RETRY', 'START', 'START_REVOKE', 'ESCALATE_DELETE'] as const) expect(notificationEventOf(t, { status: 'REVOKING' })).toBeUndefined();
    expect(NOTIFICATION_EVENT_KINDS.sort()).toEqual(['active', 'approved', 'break-glass', 'expiring-soon', 'failed', 'pending', 'rejected', 'review-overdue', 'revoked', 'scheduled']);
  });

  it('the overdue-review reminder is keyed by its UTC day: once a day per grant', () => {
    expect(reviewOverdueKey('r1', new Date('2026-12-07T23:59:59Z'))).toBe('r1:review-overdue:2026-12-07');
    expect(reviewOverdueKey('r1', new Date('2026-12-08T00:00:00Z'))).toBe('r1:review-overdue:2026-12-08');
  });

  it('keys: revoked once per request, active per version, expiring-soon per expiry', () => {
    expect(notificationKey('revoked', request)).toBe(`${request.id}:revoked`);
    expect(notificationKey('active', request)).toBe(`${request.id}:active:v3`);
    expect(notificationKey('expiring-soon', request)).toBe(`${request.id}:expiring-soon:2026-12-07T00:30:00.000Z`);
  });

  it('a webhook gets its audience\'s events, narrowed by its event filter', () => {
    expect(webhookWants({ audience: 'approvers' }, 'pending')).toBe(true);
    expect(webhookWants({ audience: 'approvers' }, 'active')).toBe(false);
    expect(webhookWants({ audience: 'partner' }, 'active')).toBe(true);
    expect(webhookWants({ audience: 'all', events: ['failed'] }, 'active')).toBe(false);
  });
});

describe('catalog: notifications', () => {
  const base = { ownerAccountId: '1511928242963727', approvers: ['acs:ram::1511928242963727:user/alice'], partners: 'open', profiles: [{ name: 'p', policies: [{ type: 'System', name: 'AliyunECSReadOnlyAccess' }], maxDuration: '1h' }] };
  const issues = (notifications: unknown): string[] => {
    const r = validateCatalog({ ...base, notifications });
    return r.ok ? [] : r.issues.map((i) => `${i.field}: ${i.message}`);
  };

  it('omitted: no webhooks, a 1h lead', () => {
    const r = validateCatalog(base);
    expect(r.ok && r.catalog.notifications).toEqual({ webhooks: [], expiringSoonLeadSeconds: 3600 });
  });

  it('accepts https, localhost http, and {"env": NAME} values', () => {
    const r = validateCatalog({ ...base, notifications: { expiringSoonLead: '30m', webhooks: [
      { name: 'a', type: 'dingtalk', url: 'https://oapi.dingtalk.com/robot/send?access_token=x', secret: { env: 'DINGTALK_SECRET' }, audience: 'approvers' },
      { name: 'b', type: 'generic', url: 'http://127.0.0.1:9494/_local/webhooks/b', secret: 'whsec' },
      { name: 'c', type: 'slack', url: { env: 'SLACK_URL' }, events: ['active', 'revoked'] },
    ] } });
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.catalog.notifications.expiringSoonLeadSeconds).toBe(1800);
  });

  it.each([
    [{ webhooks: [{ name: 'a', type: 'slack', url: 'http://hooks.slack.com/x' }] }, 'notifications.webhooks[0].url: must be https:// (plain http only to localhost or 127.0.0.1)'],
    [{ webhooks: [{ name: 'a', type: 'slack', url: 'not a url' }] }, 'notifications.webhooks[0].url: must be an absolute URL'],
    [{ webhooks: [{ name: 'a', type: 'dingtalk', url: 'https://x.example' }] }, 'notifications.webhooks[0].secret: a dingtalk webhook needs its signing secret'],
    [{ webhooks: [{ name: 'a', type: 'slack', url: 'https://x.example' }, { name: 'a', type: 'slack', url: 'https://y.example' }] }, 'notifications.webhooks[1].name: duplicate webhook "a"'],
    [{ webhooks: [{ name: 'a', type: 'teams', url: 'https://x.example' }] }, 'notifications.webhooks[0].type'],
    [{ webhooks: [{ name: 'a', type: 'slack', url: { env: 'lower-case' } }] }, 'notifications.webhooks[0].url'],
    [{ webhooks: [{ name: 'a', type: 'slack', url: 'https://x.example', events: ['granted'] }] }, 'notifications.webhooks[0].events[0]'],
    [{ expiringSoonLead: 'soon' }, 'notifications.expiringSoonLead'],
  ])('refuses %j', (notifications, expected) => {
    expect(issues(notifications).join('\n')).toContain(expected);
  });
});

/**
 * Notifications: the events the workflow announces to people who wait for them, who each event is
 * for, and the catalog's `notifications` section (webhooks, the expiring-soon lead).
 *
 * ONE table (NOTIFICATION_EVENTS) says, per event kind, its audience and its text; a new kind (an
 * extension asked for, a break-glass grant used, a review due) is one row here plus, if a ledger
 * transition raises it, one entry in EVENT_OF_TRANSITION. Nothing else has to change: the ledger
 * records the event in the transition's own transaction (the outbox), the notifier formats it for
 * each platform (webhook-messages.ts).
 */
import { z } from 'zod';
import type { AccessRequest } from './access-request';
import { formatDuration, parseDuration } from './duration';
import { Status, type Transition } from './state-machine';

type Audience = 'approvers' | 'partner';

interface EventSpec {
  /** Who waits for it: approvers act on it, the partner learns the outcome. */
  audience: readonly Audience[];
  /** One notification per request (e.g. revoked, even after a later escalation to delete), or one per version. */
  oncePerRequest: boolean;
  title: (r: AccessRequest) => string;
  /** What to do next: a CLI command that acts on the request (or shows it). */
  action: (r: AccessRequest) => string;
}

const short = (r: AccessRequest): string => r.id.slice(0, 8);

export const NOTIFICATION_EVENTS = {
  pending: {
    audience: ['approvers'],
    oncePerRequest: true,
    title: (r) => `Access request ${short(r)} is waiting for approval: ${r.profile} for ${formatDuration(r.durationSeconds)} by ${r.requesterArn} (${r.reason})`,
    action: (r) => `crossrole approve ${r.id}   or   crossrole reject ${r.id} --reason "..."`,
  },
  approved: {
    audience: ['partner'],
    oncePerRequest: true,
    title: (r) => `Access request ${short(r)} (${r.profile}) was approved${r.decidedBy ? ` by ${r.decidedBy}` : ''}; the role is being created`,
    action: (r) => `crossrole status ${r.id}`,
  },
  scheduled: {
    audience: ['partner'],
    oncePerRequest: true,
    title: (r) => `Access request ${short(r)} (${r.profile}) was approved and starts at ${r.startAt ?? '?'}; nothing exists in the owner account until then`,
    action: (r) => `crossrole status ${r.id}   or   crossrole cancel ${r.id}`,
  },
  // A break-glass grant is approved by nobody: the approvers hear of it at once, and review it after.
  'break-glass': {
    audience: ['approvers', 'partner'],
    oncePerRequest: true,
    title: (r) => `BREAK-GLASS: ${r.requesterArn} took ${r.profile} for ${formatDuration(r.durationSeconds)} without approval${r.ticket ? ` (ticket ${r.ticket})` : ''}: ${r.reason}; review due by ${r.breakGlass?.reviewDueAt ?? '?'}`,
    action: (r) => `crossrole review ${r.id} --ok|--flag --note "..."`,
  },
  // Once a day per grant while its review is overdue (the scan's key names the day).
  'review-overdue': {
    audience: ['approvers'],
    oncePerRequest: false,
    title: (r) => `Break-glass grant ${short(r)} (${r.profile}, ${r.requesterArn}) is not reviewed: it was due at ${r.breakGlass?.reviewDueAt ?? '?'}`,
    action: (r) => `crossrole review ${r.id} --ok|--flag --note "..."`,
  },
  rejected: {
    audience: ['partner'],
    oncePerRequest: true,
    title: (r) => `Access request ${short(r)} (${r.profile}) was rejected${r.decisionReason ? `: ${r.decisionReason}` : ''}`,
    action: (r) => `crossrole status ${r.id}`,
  },
  active: {
    audience: ['partner'],
    oncePerRequest: false,
    title: (r) => `Access ${short(r)} is ACTIVE: ${r.grant?.roleArn ?? r.roleName} until ${r.expiresAt ?? '?'}`,
    action: (r) => `crossrole assume ${r.id}`,
  },
  failed: {
    audience: ['approvers', 'partner'],
    oncePerRequest: false,
    title: (r) => `Access request ${short(r)} (${r.profile}) FAILED${r.lastError ? `: ${r.lastError}` : ''}`,
    action: (r) => `crossrole retry ${r.id}`,
  },
  'expiring-soon': {
    audience: ['partner'],
    oncePerRequest: false,
    title: (r) => `Access ${short(r)} (${r.grant?.roleArn ?? r.roleName}) expires at ${r.expiresAt ?? '?'}`,
    action: (r) => `crossrole request --access-profile ${r.profile} --duration ${formatDuration(r.durationSeconds)} --reason "..."   (to ask again)`,
  },
  revoked: {
    audience: ['approvers', 'partner'],
    oncePerRequest: true,
    title: (r) => `Access ${short(r)} (${r.roleName}) was revoked${r.revokeMode ? ` (${r.revokeMode} mode)` : ''}`,
    action: (r) => `crossrole status ${r.id}`,
  },
} as const satisfies Record<string, EventSpec>;

export type NotificationEvent = keyof typeof NOTIFICATION_EVENTS;
export const NOTIFICATION_EVENT_KINDS = Object.keys(NOTIFICATION_EVENTS) as NotificationEvent[];

export function isNotificationEvent(value: string): value is NotificationEvent {
  return Object.prototype.hasOwnProperty.call(NOTIFICATION_EVENTS, value);
}

/** What an event depends on besides the transition: where it led, and whether it was break-glass. */
type Raised = Pick<AccessRequest, 'status' | 'breakGlass'>;

/** The event a ledger transition raises, if any (CANCEL, LAPSE, RETRY, START, START_REVOKE raise none). */
const EVENT_OF_TRANSITION: Partial<Record<Transition | 'CREATE', (r: Raised) => NotificationEvent | undefined>> = {
  // A request is created PENDING, SCHEDULED (approved automatically, with a start ahead), or
  // APPROVED when its profile is approved automatically, by nobody at all when it is break-glass.
  CREATE: (r) => (r.status === Status.PENDING ? 'pending' : r.status === Status.SCHEDULED ? 'scheduled' : r.breakGlass !== undefined ? 'break-glass' : 'approved'),
  APPROVE: () => 'approved',
  SCHEDULE: () => 'scheduled',
  REJECT: () => 'rejected',
  ACTIVATE: () => 'active',
  PROVISION_FAILED: () => 'failed',
  REVOKE_FAILED: () => 'failed',
  FINISH_REVOKE: () => 'revoked',
};

/** The event a committed transition (or a create) raises, for the ledger's outbox and the fast path. */
export function notificationEventOf(transition: Transition | 'CREATE', r: Raised): NotificationEvent | undefined {
  return EVENT_OF_TRANSITION[transition]?.(r);
}

/**
 * Idempotency key of an event in the outbox: a kind announced once per request keys on the kind,
 * others on the version that raised them; expiring-soon keys on the expiry it warns of, so a grant
 * is warned once per expiry (an extended grant again, for its new expiry).
 */
export function notificationKey(event: NotificationEvent, r: Pick<AccessRequest, 'id' | 'version' | 'expiresAt'>): string {
  if (event === 'expiring-soon') return `${r.id}:${event}:${r.expiresAt ?? ''}`;
  return NOTIFICATION_EVENTS[event].oncePerRequest ? `${r.id}:${event}` : `${r.id}:${event}:v${r.version}`;
}

/** The daily reminder of an overdue break-glass review: once per grant and UTC day. */
export function reviewOverdueKey(requestId: string, now: Date): string {
  return `${requestId}:review-overdue:${now.toISOString().slice(0, 10)}`;
}

// ---------------------------------------------------------------- catalog section

const WEBHOOK_TYPES = ['dingtalk', 'feishu', 'slack', 'generic'] as const;
export type WebhookType = (typeof WEBHOOK_TYPES)[number];

/** A value from the notifier function's environment rather than the catalog file (which ships in every code package). */
const envRef = z.strictObject({
  env: z.string().regex(/^[A-Z_][A-Z0-9_]{0,127}$/, 'must be an environment variable name (A-Z, 0-9, _)').meta({ description: 'Name of an environment variable of crossrole-notifier holding the value.' }),
});
export type SettingValue = string | { env: string };

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** https only; plain http to this machine only (the local stack's receivers). */
export function webhookUrlProblem(text: string): string | undefined {
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    return 'must be an absolute URL';
  }
  if (u.protocol === 'https:') return undefined;
  if (u.protocol === 'http:' && LOCAL_HOSTS.has(u.hostname)) return undefined;
  return 'must be https:// (plain http only to localhost or 127.0.0.1)';
}

const webhookUrl = z.string().superRefine((v, ctx) => {
  const problem = webhookUrlProblem(v);
  if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
});

const webhookSchema = z
  .strictObject({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,47}$/, 'must be 1–48 lowercase letters, digits or "-"').meta({ description: 'Names the webhook in logs, the audit trail and dead letters.' }),
    type: z.enum(WEBHOOK_TYPES).meta({ description: 'dingtalk (custom robot), feishu (Feishu/Lark custom bot), slack (incoming webhook) or generic (JSON with an X-Crossrole-Signature header).' }),
    url: z.union([webhookUrl, envRef]).meta({ description: 'The webhook URL (https; http only to localhost), or {"env": NAME}: DingTalk\'s access_token and Slack\'s URL are secrets too.' }),
    secret: z.union([z.string().min(1), envRef]).optional().meta({ description: 'The signing secret (DingTalk "SEC...", Feishu, generic), or better {"env": NAME} so it is not in the catalog file. Slack signs nothing.' }),
    events: z.array(z.enum(NOTIFICATION_EVENT_KINDS as [NotificationEvent, ...NotificationEvent[]])).min(1).optional().meta({ description: 'Only these event kinds (default: every kind for the audience).' }),
    audience: z.enum(['approvers', 'partner', 'all']).default('all').meta({ description: 'approvers: what approvers act on (pending, failed, revoked); partner: outcomes for the partner; all (default).' }),
  })
  .meta({ title: 'Webhook' });

export const notificationsSchema = z
  .strictObject({
    webhooks: z.array(webhookSchema).default([]),
    expiringSoonLead: z.string().default('1h').superRefine((v, ctx) => {
      try {
        parseDuration(v, 'expiringSoonLead');
      } catch (e) {
        ctx.addIssue({ code: 'custom', message: e instanceof Error ? e.message : 'invalid duration' });
      }
    }).meta({ description: 'How long before a grant\'s expiry the partner is warned (once per grant and expiry).' }),
  })
  .meta({ title: 'Notifications' });

type ParsedNotifications = z.output<typeof notificationsSchema>;
export type WebhookConfig = ParsedNotifications['webhooks'][number];

export interface NotificationSettings {
  webhooks: WebhookConfig[];
  expiringSoonLeadSeconds: number;
}

const NO_NOTIFICATIONS: NotificationSettings = { webhooks: [], expiringSoonLeadSeconds: 3600 };

/** The section after the schema: durations in seconds, and the cross-field rule (unique names). */
export function notificationSettings(n: ParsedNotifications | undefined): { settings: NotificationSettings; issues: Array<{ field: string; message: string }> } {
  if (n === undefined) return { settings: NO_NOTIFICATIONS, issues: [] };
  const issues: Array<{ field: string; message: string }> = [];
  const names = new Set<string>();
  n.webhooks.forEach((w, i) => {
    if (names.has(w.name)) issues.push({ field: `notifications.webhooks[${i}].name`, message: `duplicate webhook "${w.name}"` });
    names.add(w.name);
    if (w.type !== 'slack' && w.secret === undefined) issues.push({ field: `notifications.webhooks[${i}].secret`, message: `a ${w.type} webhook needs its signing secret` });
  });
  return { settings: { webhooks: n.webhooks, expiringSoonLeadSeconds: parseDuration(n.expiringSoonLead, 'expiringSoonLead') }, issues };
}

/** Does this webhook get this event? Its event filter, then its audience against the event's. */
export function webhookWants(w: Pick<WebhookConfig, 'events' | 'audience'>, event: NotificationEvent): boolean {
  if (w.events !== undefined && !w.events.includes(event)) return false;
  if (w.audience === 'all') return true;
  return (NOTIFICATION_EVENTS[event].audience as readonly Audience[]).includes(w.audience);
}

/** Environment variables the notifier reads for the webhooks' {"env": NAME} values. */
export function webhookEnvNames(settings: NotificationSettings): string[] {
  const names = new Set<string>();
  for (const w of settings.webhooks) {
    for (const v of [w.url, w.secret]) if (typeof v === 'object') names.add(v.env);
  }
  return [...names];
}

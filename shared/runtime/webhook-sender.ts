/**
 * The notifier's outbound HTTP (WebhookPort) and the resolution of a catalog webhook's
 * `{"env": NAME}` values. Bounded: a webhook that hangs must not hold the invocation up to the
 * function's timeout, so each POST gives up after WEBHOOK_TIMEOUT_MS and counts as a failure
 * (the trigger retries it with back-off).
 */
import { CrossroleError } from '../domain/errors';
import { webhookUrlProblem, type SettingValue, type WebhookConfig } from '../domain/notifications';
import type { WebhookPort } from '../domain/ports';
import type { ResolvedWebhook } from '../domain/webhook-messages';

const WEBHOOK_TIMEOUT_MS = 5_000;

export const fetchWebhookSender: WebhookPort = {
  async post(url, headers, body) {
    const res = await fetch(url, { method: 'POST', headers, body, redirect: 'error', signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS) });
    return { status: res.status, text: await res.text() };
  },
};

function settingValue(w: WebhookConfig, field: 'url' | 'secret', value: SettingValue, env: Readonly<Record<string, string>>): string {
  if (typeof value === 'string') return value;
  const v = env[value.env];
  if (v === undefined) throw new CrossroleError('INVALID_CONFIG', `webhook ${w.name}: its ${field} comes from environment variable ${value.env}, which crossrole-notifier does not have`);
  return v;
}

/** The webhook with its URL and secret resolved from the notifier's environment where the catalog says so. */
export function webhookResolver(env: Readonly<Record<string, string>>): (w: WebhookConfig) => ResolvedWebhook {
  return (w) => {
    const url = settingValue(w, 'url', w.url, env);
    const problem = webhookUrlProblem(url);
    if (problem !== undefined) throw new CrossroleError('INVALID_CONFIG', `webhook ${w.name}: its url ${problem}`);
    return { name: w.name, type: w.type, url, ...(w.secret === undefined ? {} : { secret: settingValue(w, 'secret', w.secret, env) }) };
  };
}

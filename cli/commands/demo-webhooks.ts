/**
 * The demo's look at the local stack's DingTalk stand-in (local/webhooks, GET
 * /_local/webhooks/<name>): the message the approvers' group robot accepted for a request, once its
 * signature was verified. The local catalog (deploy/local-catalog.json) points the webhook
 * `approvers-dingtalk` there.
 */
const APPROVERS_WEBHOOK = 'approvers-dingtalk';

interface ReceiverState {
  deliveries: Array<{ verified: boolean; body: { markdown?: { text?: string } } }>;
}

/** The first line of the verified DingTalk message about `requestId`, or undefined if none came within the timeout. */
export async function approverNotified(endpoint: string, requestId: string, timeoutMs = 10_000): Promise<string | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await fetch(`http://${endpoint}/_local/webhooks/${APPROVERS_WEBHOOK}`).catch(() => undefined);
    if (res?.ok) {
      const state = (await res.json()) as ReceiverState;
      const text = state.deliveries.find((d) => d.verified && d.body.markdown?.text?.includes(requestId))?.body.markdown?.text;
      if (text !== undefined) return text.split('\n')[0]?.replace(/^#+\s*/, '');
    }
    if (Date.now() > deadline) return undefined;
    await new Promise((r) => setTimeout(r, 200));
  }
}

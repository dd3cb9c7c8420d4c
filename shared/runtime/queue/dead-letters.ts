/**
 * The expiry function's edge onto crossrole-deadletter. A trigger that gives up on a message puts
 * the EventBridge event that carried it into the dead-letter queue (the local FC does the same):
 * the original CloudEvent, whose `data.messageBody` is the workflow message, plain or base64.
 * What EventBridge writes for an event-streaming batch is UNCONFIRMED, so a JSON array of
 * CloudEvents is read too (one entry per event), and so is a bare workflow message, or any of these
 * base64-encoded. The scan receives the messages only, parsed with the one workflow schema.
 */
import { parseWorkflowMessage, type ParsedMessage } from '../../domain/messages';
import { QueueName, type DeadLetterInbox, type QueuePort } from '../../domain/ports';
import { decodeMessageBody } from './cloud-event';

function jsonOf(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

/** The workflow message inside one wrapping event (`data.messageBody`), or the refusal. */
function unwrapEvent(event: unknown, bare: ParsedMessage): ParsedMessage {
  const data = typeof event === 'object' && event !== null ? (event as { data?: unknown }).data : undefined;
  const body = typeof data === 'object' && data !== null ? (data as { messageBody?: unknown }).messageBody : undefined;
  return typeof body === 'string' ? parseWorkflowMessage(decodeMessageBody(body)) : bare;
}

/** The workflow messages a dead letter carries (at least one entry, ok or refused). Never throws. */
export function unwrapDeadLetter(body: string): ParsedMessage[] {
  const bare = parseWorkflowMessage(body);
  if (bare.ok) return [bare];
  const text = decodeMessageBody(body);
  const json = jsonOf(text);
  if (!json.ok) return [bare];
  if (Array.isArray(json.value)) return json.value.length === 0 ? [bare] : json.value.map((e) => unwrapEvent(e, bare));
  if (text !== body) {
    const decoded = parseWorkflowMessage(json.value);
    if (decoded.ok) return [decoded];
  }
  return [unwrapEvent(json.value, bare)];
}

/** The dead-letter queue behind the port the scan uses: received, unwrapped, deletable. */
export function deadLetterInbox(queue: QueuePort): DeadLetterInbox {
  return {
    async receive(max) {
      const received = await queue.receive(QueueName.DEADLETTER, { max, waitSeconds: 0 });
      return received.map((m) => ({ messageId: m.messageId, receiptHandle: m.receiptHandle, dequeueCount: m.dequeueCount, entries: unwrapDeadLetter(m.body) }));
    },
    delete: (receiptHandle) => queue.delete(QueueName.DEADLETTER, receiptHandle),
  };
}

/**
 * The MNS queue trigger's event (EventBridge; help.aliyun.com/zh/functioncompute/fc-3-0/user-guide/
 * formats-of-event-for-different-triggers-1): ONE CloudEvent in event-driven mode, a JSON array of
 * them in event-streaming mode (devsapp/fc3 docs/zh/yaml/triggers.md). Both are
 * read here, once, and every message body is parsed with the workflow's one schema
 * (shared/domain/messages). Never throws: whatever cannot be read becomes a refused item, so one
 * bad message never hides the others of its batch.
 */
import { z } from 'zod';
import { errorMessage } from '../../domain/errors';
import { parseWorkflowMessage, type ParsedMessage } from '../../domain/messages';
import { decodeEventArgument } from '../event-argument';

/** One CloudEvent of an MNS queue source. Unknown `aliyun*` fields are tolerated. */
const mnsCloudEventSchema = z.object({
  id: z.string().min(1),
  source: z.string().min(1),
  specversion: z.string().min(1),
  type: z.string().startsWith('mns:Queue:', 'must be an MNS queue event type (mns:Queue:…)'),
  datacontenttype: z.string().optional(),
  subject: z.string().optional(),
  time: z.string().optional(),
  aliyunaccountid: z.string().optional(),
  aliyunregionid: z.string().optional(),
  data: z.object({
    requestId: z.string().optional(),
    messageId: z.string().min(1),
    messageBody: z.string(),
  }),
});
export type MnsCloudEvent = z.infer<typeof mnsCloudEventSchema>;

/** One message of a trigger event: where it came from, and the workflow message or why there is none. */
export interface QueueItem {
  /** MNS message id, when the envelope could be read. */
  messageId?: string;
  /** Queue name from the subject (`acs:mns:<region>:<uid>:queues/<name>`), if present. */
  queueName?: string;
  parsed: ParsedMessage;
}

interface QueueEvent {
  /** True for an event-streaming batch (a JSON array), even of one event. */
  batch: boolean;
  items: QueueItem[];
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * A message body as the producer sent it. The CloudEvent carries no flag saying whether
 * `messageBody` is base64: that depends on the trigger's `IsBase64Decode` and on the producer
 * (devsapp/start-fc mns-queue-trigger README: IsBase64Decode). A body is decoded only if it
 * cannot be JSON text and is valid base64 of UTF-8 text that looks like JSON; our bodies are
 * always JSON objects, and `{` is not in the base64 alphabet, so this never misreads one.
 */
export function decodeMessageBody(body: string): string {
  const compact = body.trim();
  if (compact === '' || !BASE64.test(compact) || compact.startsWith('{') || compact.startsWith('[')) return body;
  const text = new TextDecoder('utf-8', { fatal: false }).decode(Buffer.from(compact, 'base64'));
  return text.includes('\uFFFD') || !/^\s*[{[]/.test(text) ? body : text;
}

function queueNameOf(subject: string | undefined): string | undefined {
  const m = subject === undefined ? null : /:queues\/([^/]+)$/.exec(subject);
  return m?.[1];
}

function refused(where: string, error: string): QueueItem {
  return { parsed: { ok: false, error: `${where}: ${error}` } };
}

function itemOf(value: unknown, where: string): QueueItem {
  const r = mnsCloudEventSchema.safeParse(value);
  if (!r.success) {
    const issue = r.error.issues[0];
    return refused(where, `not an MNS CloudEvent (${issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'invalid'})`);
  }
  const e = r.data;
  const queueName = queueNameOf(e.subject);
  return {
    messageId: e.data.messageId,
    ...(queueName === undefined ? {} : { queueName }),
    parsed: parseWorkflowMessage(decodeMessageBody(e.data.messageBody)),
  };
}

/** Read a trigger event: one CloudEvent, or an event-streaming array of them. Never throws. */
export function parseQueueEvent(event: unknown): QueueEvent {
  let raw: unknown;
  try {
    raw = decodeEventArgument(event, 'event');
  } catch (e) {
    return { batch: false, items: [refused('event', errorMessage(e).replace(/^event: /, ''))] };
  }
  if (Array.isArray(raw)) return { batch: true, items: raw.map((v, i) => itemOf(v, `event[${i}]`)) };
  return { batch: false, items: [itemOf(raw, 'event')] };
}

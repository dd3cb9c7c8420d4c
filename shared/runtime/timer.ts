/**
 * Parsers for the non-HTTP trigger events (reference/fc-sdevs-ram.md §2.4, §2.5): the timer event
 * and the MNS queue message delivered by EventBridge as a CloudEvent. Each validates at the edge
 * and throws a typed ValidationError; messages themselves are parsed by `parseWorkflowMessage`,
 * and carry identifiers only (the ledger decides what happens).
 */
import { z } from 'zod/v3';
import { ValidationError } from '../domain/errors';
import { truncate } from '../domain/duration';
import type { WorkflowMessage } from '../domain/ports';
import { decodeEventArgument, fromZodError } from './http';
import { workflowMessageSchema } from '../workflow/messages';

// ---------------------------------------------------------------- timer

/** `{ triggerTime, triggerName, payload }`; payload is the string configured on the trigger. */
export const timerEventSchema = z.object({
  triggerTime: z.string().refine((s) => /^\d{4}-\d{2}-\d{2}T/.test(s) && !Number.isNaN(Date.parse(s)), { message: 'must be an ISO-8601 date-time' }),
  triggerName: z.string().min(1),
  payload: z.string().optional(),
});

export interface TimerEvent {
  triggerTime: Date;
  triggerName: string;
  /** '' when the trigger has no payload configured. */
  payload: string;
}

export function parseTimerEvent(event: Buffer | string | object): TimerEvent {
  const r = timerEventSchema.safeParse(decodeEventArgument(event, 'event'));
  if (!r.success) throw fromZodError(r.error, 'event', 'not an FC timer event');
  return { triggerTime: new Date(r.data.triggerTime), triggerName: r.data.triggerName, payload: r.data.payload ?? '' };
}

// ---------------------------------------------------------------- MNS via EventBridge

/** One CloudEvent of an MNS queue source (event-driven mode). Unknown `aliyun*` fields are tolerated. */
export const mnsCloudEventSchema = z.object({
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

export interface MnsQueueMessage {
  /** CloudEvent id (EventBridge's; stable across redeliveries of the same push). */
  eventId: string;
  messageId: string;
  /** Queue name from the subject (`acs:mns:<region>:<uid>:queues/<name>`), if present. */
  queueName?: string;
  /** The message body as the producer sent it (base64 already undone). */
  body: string;
}

export interface ParseMnsEventOptions {
  /**
   * Whether `messageBody` is base64. The CloudEvent carries no flag for it: it depends on the
   * trigger's `IsBase64Decode` and on the producer (fc-sdevs-ram.md §2.5). `'auto'` (default)
   * decodes only a body that cannot be JSON text and is valid base64 of UTF-8 text; our bodies are
   * always JSON objects, and `{` is not in the base64 alphabet, so this never misreads one.
   */
  base64?: boolean | 'auto';
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function decodeBody(body: string, mode: boolean | 'auto'): string {
  if (mode === false) return body;
  const compact = body.trim();
  const isBase64 = compact !== '' && BASE64.test(compact);
  if (mode === true) {
    if (!isBase64 && compact !== '') throw new ValidationError('VALIDATION', 'data.messageBody', 'is not valid base64');
    return Buffer.from(compact, 'base64').toString('utf8');
  }
  if (!isBase64 || compact.startsWith('{') || compact.startsWith('[')) return body;
  const bytes = Buffer.from(compact, 'base64');
  const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  // Only take the decoding if it yields clean text that could be a message; otherwise keep the original.
  return text.includes('\uFFFD') || !/^\s*[{[]/.test(text) ? body : text;
}

function queueNameOf(subject: string | undefined): string | undefined {
  const m = subject === undefined ? null : /:queues\/([^/]+)$/.exec(subject);
  return m?.[1];
}

function toMessage(e: MnsCloudEvent, mode: boolean | 'auto'): MnsQueueMessage {
  const queueName = queueNameOf(e.subject);
  return {
    eventId: e.id,
    messageId: e.data.messageId,
    ...(queueName === undefined ? {} : { queueName }),
    body: decodeBody(e.data.messageBody, mode),
  };
}

/** Parse one MNS CloudEvent (event-driven mode). Throws ValidationError VALIDATION on a malformed event. */
export function parseMnsEvent(event: Buffer | string | object, options: ParseMnsEventOptions = {}): MnsQueueMessage {
  const raw = decodeEventArgument(event, 'event');
  // A one-element batch is the same message; longer batches need parseMnsEvents.
  const single = Array.isArray(raw) && raw.length === 1 ? (raw[0] as unknown) : raw;
  if (Array.isArray(single)) throw new ValidationError('VALIDATION', 'event', `is a batch of ${single.length} events; expected one (event-driven mode)`);
  const r = mnsCloudEventSchema.safeParse(single);
  if (!r.success) throw fromZodError(r.error, 'event', 'not an MNS CloudEvent');
  return toMessage(r.data, options.base64 ?? 'auto');
}

/** Parse one CloudEvent or an event-streaming batch (a JSON array of them). */
export function parseMnsEvents(event: Buffer | string | object, options: ParseMnsEventOptions = {}): MnsQueueMessage[] {
  const raw = decodeEventArgument(event, 'event');
  const list: unknown[] = Array.isArray(raw) ? raw : [raw];
  if (list.length === 0) throw new ValidationError('VALIDATION', 'event', 'is an empty batch');
  return list.map((item, i) => {
    const r = mnsCloudEventSchema.safeParse(item);
    if (!r.success) throw fromZodError(r.error, Array.isArray(raw) ? `event[${i}]` : 'event', 'not an MNS CloudEvent');
    return toMessage(r.data, options.base64 ?? 'auto');
  });
}

// ---------------------------------------------------------------- workflow messages

/** One schema for queue messages, the workflow's; here extra fields are dropped rather than refused. */
const messageSchema = workflowMessageSchema.strip();

/**
 * Parse a queue message body. Not JSON → INVALID_JSON; wrong shape or a kind outside `allowedKinds`
 * → VALIDATION naming the field. Unknown extra fields are dropped, not trusted.
 */
export function parseWorkflowMessage(body: string, allowedKinds?: ReadonlyArray<WorkflowMessage['kind']>): WorkflowMessage {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new ValidationError('INVALID_JSON', 'messageBody', `is not JSON: "${truncate(body)}"`);
  }
  const r = messageSchema.safeParse(json);
  if (!r.success) throw fromZodError(r.error, 'messageBody', 'not a workflow message');
  const m = r.data;
  if (allowedKinds !== undefined && !allowedKinds.includes(m.kind)) {
    throw new ValidationError('VALIDATION', 'messageBody.kind', `"${m.kind}" is not handled here; expected ${allowedKinds.join(' or ')}`);
  }
  return m.version === undefined ? { requestId: m.requestId, kind: m.kind } : { requestId: m.requestId, kind: m.kind, version: m.version };
}

/** Envelope and message in one step, for the queue-triggered functions. */
export function parseQueueEvent(event: Buffer | string | object, options: ParseMnsEventOptions & { allowedKinds?: ReadonlyArray<WorkflowMessage['kind']> } = {}): { envelope: MnsQueueMessage; message: WorkflowMessage } {
  const envelope = parseMnsEvent(event, options);
  return { envelope, message: parseWorkflowMessage(envelope.body, options.allowedKinds) };
}

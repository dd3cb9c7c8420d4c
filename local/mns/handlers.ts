/**
 * One function per MNS Action, named after it. Each parses its parameters, calls the store and
 * renders the reply the SDK expects (@alicloud/mns 1.2.0 lib/client.js). Errors are thrown as MnsError and
 * rendered centrally by the service.
 */
import type { LocalResponse } from '../core/contract';
import { children, element, emptyResponse, escapeXml, leaf, parseBody, xmlFields, xmlResponse, type XmlNode } from './codec';
import { MnsError, messageNotExist, outOfRange } from './errors';
import { LIMITS, QUEUE_LIMITS, type PeekedMessage, type QueueAttributes, type ReceivedMessage, type SendInput } from './models';
import type { QueueStore } from './store';

export interface HandlerContext {
  store: QueueStore;
  accountId: string;
  /** Set for every Action except ListQueue. */
  queue: string;
  query: Map<string, string>;
  headers: Record<string, string | undefined>;
  body: Buffer;
  requestId: string;
  /** `host[:port]` the client addressed, for QueueURL and Location. */
  host: string;
}

type Handler = (ctx: HandlerContext) => LocalResponse | Promise<LocalResponse>;

// ------------------------------------------------------------------ parameters

/** An integer parameter. Ranges of queue attributes and message fields are the store's to check. */
function integer(raw: string, element: string): number {
  if (!/^-?\d+$/.test(raw.trim())) throw new MnsError('InvalidArgument', `The value of ${element} is not a valid integer.`);
  return Number(raw.trim());
}

/** An integer request parameter that only this layer knows (waitseconds, numOfMessages, …). */
function boundedInteger(raw: string, element: string, low: number, high: number, unit: 'seconds' | 'bytes' | '' = 'seconds'): number {
  const v = integer(raw, element);
  if (v < low || v > high) throw outOfRange(element, low, high, unit);
  return v;
}

function queueAttributes(body: Buffer): Partial<QueueAttributes> {
  if (body.length === 0) return {};
  const { root, node } = parseBody(body);
  if (root !== 'Queue') throw schemaError(root);
  const attrs: Partial<QueueAttributes> = {};
  for (const name of Object.keys(QUEUE_LIMITS) as Array<keyof typeof QUEUE_LIMITS>) {
    const raw = leaf(node, name);
    if (raw !== undefined) attrs[name] = integer(raw, name);
  }
  const logging = leaf(node, 'LoggingEnabled');
  if (logging !== undefined) {
    const v = logging.trim().toLowerCase();
    if (v !== 'true' && v !== 'false') throw new MnsError('InvalidArgument', 'The value of LoggingEnabled should be True or False.');
    attrs.LoggingEnabled = v === 'true';
  }
  return attrs;
}

function sendInput(node: XmlNode): SendInput {
  const body = leaf(node, 'MessageBody');
  if (body === undefined) throw schemaError('MessageBody');
  const input: SendInput = { body };
  const delay = leaf(node, 'DelaySeconds');
  if (delay !== undefined) input.delaySeconds = integer(delay, 'DelaySeconds');
  const priority = leaf(node, 'Priority');
  if (priority !== undefined) input.priority = integer(priority, 'Priority');
  return input;
}

function batchCount(n: number, element: string): void {
  if (n < 1 || n > LIMITS.batchSize) throw outOfRange(element, 1, LIMITS.batchSize, '');
}

function numOfMessages(ctx: HandlerContext): number {
  return boundedInteger(ctx.query.get('numofmessages') ?? '', 'numOfMessages', 1, LIMITS.batchSize, '');
}

function waitSeconds(ctx: HandlerContext): number | undefined {
  const raw = ctx.query.get('waitseconds');
  return raw === undefined ? undefined : boundedInteger(raw, 'waitseconds', 0, LIMITS.waitSecondsHigh);
}

const schemaError = (element: string): MnsError =>
  new MnsError('InvalidArgument', `The XML you provided did not validate against our published schema, cause by ${element}.`);

// ------------------------------------------------------------------ rendering

function receivedFields(m: ReceivedMessage): Array<[string, string | number]> {
  return [
    ['MessageId', m.messageId],
    ['ReceiptHandle', m.receiptHandle],
    ['MessageBodyMD5', m.bodyMd5],
    ['MessageBody', m.body],
    ['EnqueueTime', m.enqueueTime],
    ['FirstDequeueTime', m.firstDequeueTime],
    ['DequeueCount', m.dequeueCount],
    ['Priority', m.priority],
    ['NextVisibleTime', m.nextVisibleTime],
  ];
}

function peekedFields(m: PeekedMessage): Array<[string, string | number]> {
  return [
    ['MessageId', m.messageId],
    ['MessageBodyMD5', m.bodyMd5],
    ['MessageBody', m.body],
    ['EnqueueTime', m.enqueueTime],
    ['FirstDequeueTime', m.firstDequeueTime],
    ['DequeueCount', m.dequeueCount],
    ['Priority', m.priority],
  ];
}

const queueUrl = (ctx: HandlerContext, name: string): string => `http://${ctx.host}/queues/${name}`;

// ------------------------------------------------------------------ queue actions

const CreateQueue: Handler = (ctx) => {
  const outcome = ctx.store.createQueue(ctx.accountId, ctx.queue, queueAttributes(ctx.body));
  // 204 = "already exists with the same attributes" (aliyun-mns-go-sdk queue_manager.go).
  if (outcome === 'unchanged') return emptyResponse(204, ctx.requestId);
  return emptyResponse(201, ctx.requestId, { location: queueUrl(ctx, ctx.queue) });
};

const SetQueueAttributes: Handler = (ctx) => {
  ctx.store.setQueueAttributes(ctx.accountId, ctx.queue, queueAttributes(ctx.body));
  return emptyResponse(204, ctx.requestId);
};

const DeleteQueue: Handler = (ctx) => {
  ctx.store.deleteQueue(ctx.accountId, ctx.queue);
  return emptyResponse(204, ctx.requestId);
};

const GetQueueAttributes: Handler = (ctx) => {
  const { record, stats } = ctx.store.getQueue(ctx.accountId, ctx.queue);
  const a = record.attributes;
  return xmlFields(200, ctx.requestId, 'Queue', [
    ['QueueName', record.name],
    ['CreateTime', Math.floor(record.createTime / 1000)],
    ['LastModifyTime', Math.floor(record.lastModifyTime / 1000)],
    ['DelaySeconds', a.DelaySeconds],
    ['MaximumMessageSize', a.MaximumMessageSize],
    ['MessageRetentionPeriod', a.MessageRetentionPeriod],
    ['VisibilityTimeout', a.VisibilityTimeout],
    ['PollingWaitSeconds', a.PollingWaitSeconds],
    ['ActiveMessages', stats.visible],
    ['InactiveMessages', stats.inFlight],
    ['DelayMessages', stats.delayed],
    ['LoggingEnabled', a.LoggingEnabled ? 'True' : 'False'],
  ]);
};

const ListQueue: Handler = (ctx) => {
  const rawLimit = ctx.headers['x-mns-ret-number'];
  const limit = rawLimit === undefined || rawLimit === '' ? LIMITS.listRetNumberHigh : boundedInteger(rawLimit, 'x-mns-ret-number', 1, LIMITS.listRetNumberHigh, '');
  const page = ctx.store.listQueues(ctx.accountId, { prefix: ctx.headers['x-mns-prefix'], marker: ctx.headers['x-mns-marker'], limit });
  const inner = page.names.map((n) => element('Queue', [['QueueURL', queueUrl(ctx, n)]])).join('') + (page.nextMarker === undefined ? '' : `<NextMarker>${escapeXml(page.nextMarker)}</NextMarker>`);
  return xmlResponse(200, ctx.requestId, 'Queues', inner);
};

// ------------------------------------------------------------------ message actions

const SendMessage: Handler = (ctx) => {
  const { root, node } = parseBody(ctx.body);
  if (root !== 'Message') throw schemaError(root);
  const sent = ctx.store.send(ctx.accountId, ctx.queue, sendInput(node));
  return xmlFields(201, ctx.requestId, 'Message', [
    ['MessageId', sent.messageId],
    ['MessageBodyMD5', sent.bodyMd5],
  ]);
};

const BatchSendMessage: Handler = (ctx) => {
  const { root, node } = parseBody(ctx.body);
  if (root !== 'Messages') throw schemaError(root);
  const items = children(node, 'Message');
  batchCount(items.length, 'Messages');
  const inputs = items.map((item) => {
    if (typeof item !== 'object' || item === null) throw schemaError('MessageBody');
    return sendInput(item as XmlNode);
  });
  const sent = ctx.store.sendBatch(ctx.accountId, ctx.queue, inputs);
  const inner = sent.map((s) => element('Message', [['MessageId', s.messageId], ['MessageBodyMD5', s.bodyMd5]])).join('');
  return xmlResponse(201, ctx.requestId, 'Messages', inner);
};

const ReceiveMessage: Handler = async (ctx) => {
  const [m] = await ctx.store.receive(ctx.accountId, ctx.queue, 1, { waitSeconds: waitSeconds(ctx) });
  if (!m) throw messageNotExist();
  return xmlFields(200, ctx.requestId, 'Message', receivedFields(m));
};

const BatchReceiveMessage: Handler = async (ctx) => {
  const n = numOfMessages(ctx);
  const got = await ctx.store.receive(ctx.accountId, ctx.queue, n, { waitSeconds: waitSeconds(ctx) });
  if (got.length === 0) throw messageNotExist();
  return xmlResponse(200, ctx.requestId, 'Messages', got.map((m) => element('Message', receivedFields(m))).join(''));
};

const PeekMessage: Handler = (ctx) => {
  const [m] = ctx.store.peek(ctx.accountId, ctx.queue, 1);
  if (!m) throw messageNotExist();
  return xmlFields(200, ctx.requestId, 'Message', peekedFields(m));
};

const BatchPeekMessage: Handler = (ctx) => {
  const got = ctx.store.peek(ctx.accountId, ctx.queue, numOfMessages(ctx));
  if (got.length === 0) throw messageNotExist();
  return xmlResponse(200, ctx.requestId, 'Messages', got.map((m) => element('Message', peekedFields(m))).join(''));
};

const DeleteMessage: Handler = (ctx) => {
  const handle = ctx.query.get('receipthandle');
  if (handle === undefined || handle === '') throw new MnsError('MissingReceiptHandle', 'ReceiptHandle is required.');
  ctx.store.deleteMessage(ctx.accountId, ctx.queue, handle);
  return emptyResponse(204, ctx.requestId);
};

const BatchDeleteMessage: Handler = (ctx) => {
  const { root, node } = parseBody(ctx.body);
  if (root !== 'ReceiptHandles') throw schemaError(root);
  const handles = children(node, 'ReceiptHandle').map((h) => {
    if (typeof h !== 'string') throw schemaError('ReceiptHandle');
    return h;
  });
  batchCount(handles.length, 'ReceiptHandles');
  const failures = ctx.store.deleteBatch(ctx.accountId, ctx.queue, handles);
  if (failures.length === 0) return emptyResponse(204, ctx.requestId);
  // Partial failure: the SDK does not throw on an `<Errors>` root, it returns the entries.
  const inner = failures
    .map((f) => element('Error', [['ErrorCode', f.code], ['ErrorMessage', f.message], ['ReceiptHandle', f.receiptHandle]]))
    .join('');
  return xmlResponse(404, ctx.requestId, 'Errors', inner);
};

const ChangeMessageVisibility: Handler = (ctx) => {
  const handle = ctx.query.get('receipthandle');
  if (handle === undefined || handle === '') throw new MnsError('MissingReceiptHandle', 'ReceiptHandle is required.');
  const rawVt = ctx.query.get('visibilitytimeout');
  if (rawVt === undefined || rawVt === '') throw new MnsError('MissingVisibilityTimeout', 'VisibilityTimeout is required.');
  const changed = ctx.store.changeVisibility(ctx.accountId, ctx.queue, handle, integer(rawVt, 'VisibilityTimeout'));
  return xmlFields(200, ctx.requestId, 'ChangeVisibility', [
    ['ReceiptHandle', changed.receiptHandle],
    ['NextVisibleTime', changed.nextVisibleTime],
  ]);
};

export const HANDLERS = {
  ListQueue,
  CreateQueue,
  DeleteQueue,
  GetQueueAttributes,
  SetQueueAttributes,
  SendMessage,
  BatchSendMessage,
  ReceiveMessage,
  BatchReceiveMessage,
  PeekMessage,
  BatchPeekMessage,
  DeleteMessage,
  BatchDeleteMessage,
  ChangeMessageVisibility,
} as const satisfies Record<string, Handler>;

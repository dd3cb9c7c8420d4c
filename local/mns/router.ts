/**
 * Method + path (+ query) → MNS Action, plus the RAM action and resource each Action is
 * authorized against (the MNS "API authorization mapping" table: batch operations use the
 * single operation's action; message operations act on `/queues/<name>/messages`).
 */
import type { LocalRequest } from '../core/contract';
import { MnsError } from './errors';
import { LIMITS } from './models';

type MnsAction =
  | 'ListQueue'
  | 'CreateQueue'
  | 'DeleteQueue'
  | 'GetQueueAttributes'
  | 'SetQueueAttributes'
  | 'SendMessage'
  | 'BatchSendMessage'
  | 'ReceiveMessage'
  | 'BatchReceiveMessage'
  | 'PeekMessage'
  | 'BatchPeekMessage'
  | 'DeleteMessage'
  | 'BatchDeleteMessage'
  | 'ChangeMessageVisibility';

interface Route {
  action: MnsAction;
  /** Undefined only for ListQueue. */
  queue?: string;
}

const RAM_ACTION: Record<MnsAction, string> = {
  ListQueue: 'mns:ListQueue',
  CreateQueue: 'mns:CreateQueue',
  DeleteQueue: 'mns:DeleteQueue',
  GetQueueAttributes: 'mns:GetQueueAttributes',
  SetQueueAttributes: 'mns:SetQueueAttributes',
  SendMessage: 'mns:SendMessage',
  BatchSendMessage: 'mns:SendMessage',
  ReceiveMessage: 'mns:ReceiveMessage',
  BatchReceiveMessage: 'mns:ReceiveMessage',
  PeekMessage: 'mns:PeekMessage',
  BatchPeekMessage: 'mns:PeekMessage',
  DeleteMessage: 'mns:DeleteMessage',
  BatchDeleteMessage: 'mns:DeleteMessage',
  ChangeMessageVisibility: 'mns:ChangeMessageVisibility',
};

const QUEUE_LEVEL = new Set<MnsAction>(['CreateQueue', 'DeleteQueue', 'GetQueueAttributes', 'SetQueueAttributes']);

/** The RAM action and resource ARN a request is checked against. */
export function ramAuthorization(route: Route, region: string, accountId: string): { action: string; resource: string } {
  const base = `acs:mns:${region}:${accountId}:/queues`;
  let resource = base;
  if (route.queue !== undefined) resource = QUEUE_LEVEL.has(route.action) ? `${base}/${route.queue}` : `${base}/${route.queue}/messages`;
  return { action: RAM_ACTION[route.action], resource };
}

/**
 * Query parameters by lower-cased name. Values are percent-decoded but `+` stays `+`: receipt
 * handles travel unencoded and may contain it (@alicloud/mns lib/client.js).
 */
export function parseQuery(rawQuery: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of rawQuery.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const name = eq < 0 ? part : part.slice(0, eq);
    const value = eq < 0 ? '' : part.slice(eq + 1);
    out.set(safeDecode(name).toLowerCase(), safeDecode(value));
  }
  return out;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw new MnsError('InvalidQueryString', `Http request URL contains invalid querystring item "${s}".`);
  }
}

export function validateQueueName(name: string): void {
  if (name.length === 0 || name.length > LIMITS.queueNameMaxLength) {
    throw new MnsError('QueueNameLengthError', `The length of queue name should be between 1 and ${LIMITS.queueNameMaxLength}.`);
  }
  if (!/^[A-Za-z0-9][A-Za-z0-9-]*$/.test(name)) {
    throw new MnsError('InvalidQueueName', 'The queue name you provided is not valid. It must start with a letter or digit and contain only letters, digits and "-".');
  }
}

export function route(req: LocalRequest, query: Map<string, string>): Route {
  const segments = req.path.split('/').filter((s) => s !== '');
  if (segments[0] !== 'queues' || segments.length > 3) throw invalidUrl();
  const method = req.method.toUpperCase();
  if (segments.length === 1) {
    if (method === 'GET') return { action: 'ListQueue' };
    throw invalidUrl();
  }
  const queue = safeDecode(segments[1] as string);
  validateQueueName(queue);
  if (segments.length === 2) {
    switch (method) {
      case 'PUT':
        return { action: query.get('metaoverride') === 'true' ? 'SetQueueAttributes' : 'CreateQueue', queue };
      case 'GET':
        return { action: 'GetQueueAttributes', queue };
      case 'DELETE':
        return { action: 'DeleteQueue', queue };
      default:
        throw invalidUrl();
    }
  }
  if (segments[2] !== 'messages') throw invalidUrl();
  const batch = query.has('numofmessages');
  switch (method) {
    case 'POST':
      return { action: isBatchBody(req.body) ? 'BatchSendMessage' : 'SendMessage', queue };
    case 'GET':
      if (query.get('peekonly') === 'true') return { action: batch ? 'BatchPeekMessage' : 'PeekMessage', queue };
      return { action: batch ? 'BatchReceiveMessage' : 'ReceiveMessage', queue };
    case 'DELETE':
      return { action: query.has('receipthandle') ? 'DeleteMessage' : 'BatchDeleteMessage', queue };
    case 'PUT':
      return { action: 'ChangeMessageVisibility', queue };
    default:
      throw invalidUrl();
  }
}

/** Send and batch send share a URL; the root element (`<Messages>` vs `<Message>`) tells them apart. */
function isBatchBody(body: Buffer): boolean {
  return /<Messages[\s>/]/.test(body.subarray(0, 512).toString('utf8'));
}

const invalidUrl = (): MnsError => new MnsError('InvalidRequestURL', 'Http request URL format invalid.');

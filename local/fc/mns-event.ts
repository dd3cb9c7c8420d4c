/**
 * The CloudEvent an MNS queue trigger hands to a function: the same object in both modes, alone
 * in event-driven mode, inside a JSON array in event-streaming mode.
 *
 * Shape and fields (FC 3.0 "触发器event格式", MNS队列触发器, help.aliyun.com/zh/functioncompute/
 * fc-3-0/user-guide/formats-of-event-for-different-triggers-1, which shows the event-streaming
 * array; the single event of the devsapp start-fc mns-queue-trigger-nodejs README for
 * event-driven): id, source and aliyuneventbusname `MNS-<function>-<trigger>`, specversion 1.0,
 * type `mns:Queue:SendMessage`, datacontenttype, subject `acs:mns:<region>:<uid>:queues/<queue>`,
 * time, aliyunaccountid, aliyunpublishtime, aliyunoriginalaccountid, aliyunregionid,
 * aliyunpublishaddr, and data `{requestId, messageId, messageBody}` (messageBody a string).
 */
import { randomUUID } from 'node:crypto';
import type { QueueMessage } from './types';

export interface MnsCloudEvent {
  id: string;
  source: string;
  specversion: '1.0';
  type: 'mns:Queue:SendMessage';
  datacontenttype: string;
  subject: string;
  time: string;
  aliyunaccountid: string;
  aliyunpublishtime: string;
  aliyunoriginalaccountid: string;
  aliyuneventbusname: string;
  aliyunregionid: string;
  aliyunpublishaddr: string;
  data: { requestId: string; messageId: string; messageBody: string };
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * `IsBase64Decode: true` decodes the message body. A body that is not base64 is passed unchanged
 * rather than turned into garbage (what EventBridge does then is UNCONFIRMED).
 */
function decodeMessageBody(body: string, isBase64Decode: boolean): string {
  if (!isBase64Decode || body.length === 0 || !BASE64.test(body)) return body;
  return Buffer.from(body, 'base64').toString('utf8');
}

function toIso(t: QueueMessage['enqueueTime']): string {
  if (t === undefined) return new Date().toISOString();
  const d = t instanceof Date ? t : new Date(t);
  return Number.isNaN(d.getTime()) ? new Date().toISOString() : d.toISOString();
}

export interface MnsEventContext {
  functionName: string;
  triggerName: string;
  queueName: string;
  isBase64Decode: boolean;
  accountId: string;
  region: string;
}

export function buildMnsCloudEvent(msg: QueueMessage, o: MnsEventContext): MnsCloudEvent {
  const bus = `MNS-${o.functionName}-${o.triggerName}`;
  return {
    id: randomUUID(),
    source: bus,
    specversion: '1.0',
    type: 'mns:Queue:SendMessage',
    datacontenttype: 'application/json; charset=utf-8',
    subject: `acs:mns:${o.region}:${o.accountId}:queues/${o.queueName}`,
    time: toIso(msg.enqueueTime),
    aliyunaccountid: o.accountId,
    aliyunpublishtime: new Date().toISOString(),
    aliyunoriginalaccountid: o.accountId,
    aliyuneventbusname: bus,
    aliyunregionid: o.region,
    aliyunpublishaddr: '127.0.0.1',
    data: { requestId: randomUUID().replace(/-/g, '').toUpperCase().slice(0, 24), messageId: msg.messageId, messageBody: decodeMessageBody(msg.body, o.isBase64Decode) },
  };
}

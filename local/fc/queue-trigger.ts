/**
 * MNS queue triggers as FC 3.0 builds them (an EventBridge event stream, source MNS): a poller
 * long-polls the queue, pushes each message to the function as a CloudEvent (fc-sdevs-ram.md §2.5),
 * deletes it on success, retries failures per `runOptions.retryStrategy`, then applies the fault
 * tolerance policy: `ALL` sends the event to the dead-letter queue (or drops it), `NONE` blocks
 * the trigger (§2.6).
 */
import { randomUUID } from 'node:crypto';
import { queueNameFromArn, type MnsTriggerSpec, type PushRetryStrategy } from './spec';
import type { FcLogger, InvocationOutcome, QueueBackend, QueueMessage } from './types';
import { asError } from '../../shared/domain/errors';

/** EventBridge retry policies (alibabacloud.com/help/en/eventbridge/user-guide/retry-and-dead-letter). */
export const RETRY_POLICY: Record<PushRetryStrategy, { maxRetries: number; delayMs(retry: number): number }> = {
  // Up to 3 retries, each after a random 10-20 s.
  BACKOFF_RETRY: { maxRetries: 3, delayMs: () => 10_000 + Math.floor(Math.random() * 10_000) },
  // Up to 176 retries: 1, 2, 4 ... 512 s, then 512 s (one day in total).
  EXPONENTIAL_DECAY_RETRY: { maxRetries: 176, delayMs: (retry) => Math.min(512, 2 ** (retry - 1)) * 1000 },
};

export interface QueueTriggerOptions {
  functionName: string;
  trigger: MnsTriggerSpec;
  accountId: string;
  region: string;
  queues: QueueBackend;
  logger: FcLogger;
  /** Invoke the function synchronously with the event bytes. */
  invoke(event: Buffer): Promise<InvocationOutcome>;
  /** Hand the event to FC's async invocation (asyncInvocationType: true). */
  invokeAsync(event: Buffer): void;
  /** Messages processed at once by this trigger. */
  concurrency: number;
  /** Long-poll wait per receive; short so that close() is prompt. */
  waitSeconds: number;
  /** Function timeout, to keep a message invisible while it is being processed. */
  functionTimeoutSeconds: number;
  retryDelayMs(strategy: PushRetryStrategy, retry: number): number;
  maxRetries(strategy: PushRetryStrategy): number;
}

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

export type TriggerState = 'running' | 'blocked' | 'stopped';

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * `IsBase64Decode: true` decodes the message body. A body that is not base64 is passed unchanged
 * rather than turned into garbage (what EventBridge does then is UNCONFIRMED).
 */
export function decodeMessageBody(body: string, isBase64Decode: boolean): string {
  if (!isBase64Decode || body.length === 0 || !BASE64.test(body)) return body;
  return Buffer.from(body, 'base64').toString('utf8');
}

function toIso(t: QueueMessage['enqueueTime']): string {
  if (t === undefined) return new Date().toISOString();
  const d = t instanceof Date ? t : new Date(t);
  return Number.isNaN(d.getTime()) ? new Date().toISOString() : d.toISOString();
}

export function buildMnsCloudEvent(msg: QueueMessage, o: { functionName: string; triggerName: string; queueName: string; isBase64Decode: boolean; accountId: string; region: string }): MnsCloudEvent {
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

export class QueueTriggerPoller {
  private state: TriggerState = 'stopped';
  private inflight = 0;
  private readonly slotWaiters: Array<() => void> = [];
  private loop: Promise<void> | undefined;
  private readonly sleeps = new Set<{ timer: NodeJS.Timeout; resolve(): void }>();
  private readonly deliveries = new Set<Promise<void>>();
  private readonly queueName: string;

  constructor(private readonly o: QueueTriggerOptions) {
    this.queueName = o.trigger.queueName;
  }

  get status(): TriggerState {
    return this.state;
  }

  start(): void {
    if (this.state === 'running') return;
    this.state = 'running';
    this.loop = this.run();
  }

  /** Stop polling; deliveries waiting for a retry are abandoned (their message becomes visible again). */
  async stop(): Promise<void> {
    if (this.state === 'running') this.state = 'stopped';
    for (const s of this.sleeps) {
      clearTimeout(s.timer);
      s.resolve();
    }
    this.sleeps.clear();
    for (const w of this.slotWaiters.splice(0)) w();
    await this.loop;
    await Promise.allSettled([...this.deliveries]);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const entry = { timer: setTimeout(() => { this.sleeps.delete(entry); resolve(); }, ms), resolve };
      this.sleeps.add(entry);
    });
  }

  private get visibilitySeconds(): number {
    // Hidden long enough for every attempt of the retry sequence; MNS caps it at 12 hours.
    const s = this.o.trigger.retryStrategy;
    const retries = this.o.maxRetries(s);
    let total = (retries + 1) * this.o.functionTimeoutSeconds * 1000;
    for (let i = 1; i <= retries; i++) total += this.o.retryDelayMs(s, i);
    return Math.min(43_200, Math.ceil(total / 1000) + 30);
  }

  private async run(): Promise<void> {
    while (this.state === 'running') {
      if (this.inflight >= this.o.concurrency) {
        await new Promise<void>((resolve) => this.slotWaiters.push(resolve));
        continue;
      }
      let msg: QueueMessage | undefined;
      try {
        msg = await this.o.queues.receiveMessage(this.o.accountId, this.queueName, { waitSeconds: this.o.waitSeconds, visibilityTimeout: this.visibilitySeconds });
      } catch (e) {
        this.o.logger.warn('fc queue trigger: receive failed', { function: this.o.functionName, queue: this.queueName, error: asError(e).message });
        await this.sleep(1000);
        continue;
      }
      if (!msg || this.state !== 'running') continue;
      this.inflight++;
      const d = this.deliver(msg).catch((e: unknown) => {
        this.o.logger.error('fc queue trigger: delivery failed', { function: this.o.functionName, error: asError(e).message });
      }).finally(() => {
        this.inflight--;
        this.deliveries.delete(d);
        const w = this.slotWaiters.shift();
        if (w) w();
      });
      this.deliveries.add(d);
    }
  }

  private async deliver(msg: QueueMessage): Promise<void> {
    const t = this.o.trigger;
    const event = buildMnsCloudEvent(msg, { functionName: this.o.functionName, triggerName: t.triggerName, queueName: this.queueName, isBase64Decode: t.isBase64Decode, accountId: this.o.accountId, region: t.regionId ?? this.o.region });
    // Event streaming pushes arrays (batches); batching windows are not emulated, so each batch holds one event.
    const payload = Buffer.from(JSON.stringify(t.mode === 'event-streaming' ? [event] : event), 'utf8');
    if (t.asyncInvocationType) {
      this.o.invokeAsync(payload);
      await this.o.queues.deleteMessage(this.o.accountId, this.queueName, msg.receiptHandle);
      return;
    }
    const maxRetries = this.o.maxRetries(t.retryStrategy);
    let last: InvocationOutcome | undefined;
    for (let attempt = 0; attempt <= maxRetries; attempt++) {
      if (attempt > 0) {
        await this.sleep(this.o.retryDelayMs(t.retryStrategy, attempt));
        // Stopped while waiting: leave the message; it becomes visible again and is redelivered.
        if (this.state !== 'running') return;
      }
      last = await this.o.invoke(payload);
      if (last.ok) {
        await this.o.queues.deleteMessage(this.o.accountId, this.queueName, msg.receiptHandle);
        return;
      }
      this.o.logger.warn('fc queue trigger: invocation failed', { function: this.o.functionName, queue: this.queueName, messageId: msg.messageId, attempt: attempt + 1, error: last.error.errorMessage });
      if (this.state !== 'running') return;
    }
    const reason = last && !last.ok ? `${last.error.errorType}: ${last.error.errorMessage}` : 'unknown';
    if (t.errorsTolerance === 'NONE') {
      // Fault tolerance prohibited: the stream blocks; the message stays in the queue.
      this.state = 'blocked';
      this.o.logger.error('fc queue trigger blocked: retries exhausted with errorsTolerance NONE', { function: this.o.functionName, trigger: t.triggerName, messageId: msg.messageId, reason });
      return;
    }
    if (t.deadLetterQueueArn !== undefined) {
      const dlq = queueNameFromArn(t.deadLetterQueueArn);
      // EventBridge sends the undelivered event data to the dead-letter queue (no failure reason is documented).
      await this.o.queues.sendMessage(dlq.accountId ?? this.o.accountId, dlq.queueName, JSON.stringify(event));
      this.o.logger.warn('fc queue trigger: event sent to dead-letter queue', { function: this.o.functionName, messageId: msg.messageId, deadLetterQueue: dlq.queueName, reason });
    } else {
      this.o.logger.warn('fc queue trigger: event dropped after retries (no dead-letter queue)', { function: this.o.functionName, messageId: msg.messageId, reason });
    }
    await this.o.queues.deleteMessage(this.o.accountId, this.queueName, msg.receiptHandle);
  }
}

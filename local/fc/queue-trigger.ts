/**
 * MNS queue triggers as FC 3.0 builds them on EventBridge, in the two delivery modes of
 * `runOptions.mode` (sources in eventbridge-spec.ts and mns-event.ts):
 *
 * - event-streaming: messages are batched per `batchWindow` (pushed when CountBasedWindow events
 *   are collected or TimeBasedWindow seconds have passed, whichever comes first: EventBridge MNS
 *   source, "Batch Push"), the function receives a JSON ARRAY of CloudEvents, a synchronous push
 *   waits for the function before the next batch ("Function Compute waits for the function to
 *   return before delivering the next event or batch", FC MNS queue trigger docs), a failed
 *   invocation (error or timeout) is retried per `retryStrategy`, and then the fault tolerance
 *   policy decides for the WHOLE batch: `ALL` sends each of its events to the dead-letter queue
 *   (or discards them), `NONE` blocks the stream.
 * - event-driven: one CloudEvent per invocation; runOptions do not apply, so nothing is retried
 *   or dead-lettered. What EventBridge does with a failed event-driven delivery is UNCONFIRMED;
 *   the strict reading is used: the message is consumed either way (no retry, no DLQ).
 */
import { asError } from '../../shared/domain/errors';
import { buildMnsCloudEvent, type MnsCloudEvent, type MnsEventContext } from './mns-event';
import { queueNameFromArn, type EventStreamingMnsTrigger, type MnsTriggerSpec, type PushRetryStrategy } from './eventbridge-spec';
import type { FcLogger, InvocationOutcome, QueueBackend, QueueMessage } from './types';

/** EventBridge retry policies (alibabacloud.com/help/en/eventbridge/user-guide/retry-and-dead-letter). */
export const RETRY_POLICY: Record<PushRetryStrategy, { maxRetries: number; delayMs(retry: number): number }> = {
  // Up to 3 retries, each after a random 10-20 s.
  BACKOFF_RETRY: { maxRetries: 3, delayMs: () => 10_000 + Math.floor(Math.random() * 10_000) },
  // Up to 176 retries: 1, 2, 4 ... 256 s, then 167 times 512 s (one day in total).
  EXPONENTIAL_DECAY_RETRY: { maxRetries: 176, delayMs: (retry) => Math.min(512, 2 ** (retry - 1)) * 1000 },
};

/** MNS caps a message's visibility timeout at 12 hours. */
const MAX_VISIBILITY_SECONDS = 43_200;

interface QueueTriggerOptions {
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
  /** event-driven mode: events in flight at once (event streams push one batch at a time). */
  concurrency: number;
  /** Long-poll wait per receive; short so that close() is prompt. */
  waitSeconds: number;
  /** Function timeout, to keep a message invisible while it is being processed. */
  functionTimeoutSeconds: number;
  retryDelayMs(strategy: PushRetryStrategy, retry: number): number;
  maxRetries(strategy: PushRetryStrategy): number;
}

export type TriggerState = 'running' | 'blocked' | 'stopped';

/** A received message, with the receipt handle that is current (ChangeMessageVisibility renews it). */
interface Held {
  msg: QueueMessage;
  handle: string;
}

export class QueueTriggerPoller {
  private state: TriggerState = 'stopped';
  private inflight = 0;
  private readonly slotWaiters: Array<() => void> = [];
  private loop: Promise<void> | undefined;
  private readonly sleeps = new Set<{ timer: NodeJS.Timeout; resolve(): void }>();
  private readonly deliveries = new Set<Promise<void>>();
  private readonly queueName: string;
  private readonly eventContext: MnsEventContext;

  constructor(private readonly o: QueueTriggerOptions) {
    this.queueName = o.trigger.queueName;
    this.eventContext = { functionName: o.functionName, triggerName: o.trigger.triggerName, queueName: this.queueName, isBase64Decode: o.trigger.isBase64Decode, accountId: o.accountId, region: o.trigger.regionId ?? o.region };
  }

  get status(): TriggerState {
    return this.state;
  }

  start(): void {
    if (this.state === 'running') return;
    this.state = 'running';
    const t = this.o.trigger;
    if (t.ignoredRunOptions.length > 0) {
      this.o.logger.warn(`fc: runOptions ${t.ignoredRunOptions.join(', ')} have no effect on this trigger (${t.mode === 'event-driven' ? 'they apply in event-streaming mode only' : 'maximumTasks applies to Kafka sources only'})`, { function: this.o.functionName, trigger: t.triggerName });
    }
    this.loop = t.mode === 'event-streaming' ? this.runStream(t) : this.runDriven();
  }

  /** Stop polling; deliveries waiting for a retry are abandoned (their messages become visible again). */
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

  private async receive(waitSeconds: number, visibilityTimeout: number): Promise<QueueMessage | undefined> {
    try {
      return await this.o.queues.receiveMessage(this.o.accountId, this.queueName, { waitSeconds, visibilityTimeout });
    } catch (e) {
      this.o.logger.warn('fc queue trigger: receive failed', { function: this.o.functionName, queue: this.queueName, error: asError(e).message });
      await this.sleep(1000);
      return undefined;
    }
  }

  private async remove(held: Held[]): Promise<void> {
    for (const h of held) {
      try {
        await this.o.queues.deleteMessage(this.o.accountId, this.queueName, h.handle);
      } catch (e) {
        this.o.logger.warn('fc queue trigger: delete failed (the message will be delivered again)', { function: this.o.functionName, messageId: h.msg.messageId, error: asError(e).message });
      }
    }
  }

  // ------------------------------------------------------------------ event-driven

  private async runDriven(): Promise<void> {
    // One attempt per event: hidden for the function's timeout plus a margin.
    const visibility = Math.min(MAX_VISIBILITY_SECONDS, this.o.functionTimeoutSeconds + 30);
    while (this.state === 'running') {
      if (this.inflight >= this.o.concurrency) {
        await new Promise<void>((resolve) => this.slotWaiters.push(resolve));
        continue;
      }
      const msg = await this.receive(this.o.waitSeconds, visibility);
      if (!msg || this.state !== 'running') continue;
      this.inflight++;
      const d = this.deliverOne(msg).catch((e: unknown) => {
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

  private async deliverOne(msg: QueueMessage): Promise<void> {
    const payload = Buffer.from(JSON.stringify(buildMnsCloudEvent(msg, this.eventContext)), 'utf8');
    const held = [{ msg, handle: msg.receiptHandle }];
    if (this.o.trigger.asyncInvocationType) {
      this.o.invokeAsync(payload);
      await this.remove(held);
      return;
    }
    const o = await this.o.invoke(payload);
    if (!o.ok) {
      // The runtime was closed under the invocation: leave the message for the next start.
      if (this.state !== 'running') return;
      this.o.logger.warn('fc queue trigger: event-driven invocation failed; the event is consumed (runOptions retries and dead-letter queue apply to event-streaming only)', { function: this.o.functionName, queue: this.queueName, messageId: msg.messageId, error: `${o.error.errorType}: ${o.error.errorMessage}` });
    }
    await this.remove(held);
  }

  // ------------------------------------------------------------------ event-streaming

  /** How long a batch may still be held from attempt `next` on (0 = the first attempt, n = retry n). */
  private remainingSeconds(t: EventStreamingMnsTrigger, next: number): number {
    const retries = this.o.maxRetries(t.retryStrategy);
    let ms = (retries - next + 1) * this.o.functionTimeoutSeconds * 1000;
    for (let i = Math.max(1, next); i <= retries; i++) ms += this.o.retryDelayMs(t.retryStrategy, i);
    return ms / 1000;
  }

  private async runStream(t: EventStreamingMnsTrigger): Promise<void> {
    // Hidden while the window fills and for the whole retry sequence (up to MNS's 12 hours; extended before retries).
    const visibility = Math.min(MAX_VISIBILITY_SECONDS, Math.ceil(t.batchWindow.timeBasedWindowSeconds + this.remainingSeconds(t, 0) + 30));
    while (this.state === 'running') {
      const batch = await this.collect(t, visibility);
      if (batch.length === 0) continue;
      // Stopped while the window filled: the messages become visible again.
      if (this.state !== 'running') return;
      const d = this.deliverBatch(t, batch).catch((e: unknown) => {
        this.o.logger.error('fc queue trigger: delivery failed', { function: this.o.functionName, error: asError(e).message });
      });
      this.deliveries.add(d);
      // A synchronous push waits for the function before the next batch.
      await d;
      this.deliveries.delete(d);
    }
  }

  /** One batch: the first message (long-polled), then up to the window's count or time. */
  private async collect(t: EventStreamingMnsTrigger, visibility: number): Promise<Held[]> {
    const first = await this.receive(this.o.waitSeconds, visibility);
    if (!first) return [];
    const batch: Held[] = [{ msg: first, handle: first.receiptHandle }];
    const deadline = Date.now() + t.batchWindow.timeBasedWindowSeconds * 1000;
    while (batch.length < t.batchWindow.countBasedWindow && this.state === 'running') {
      const left = deadline - Date.now();
      // After the window: only what is already there (TimeBasedWindow 0 = push without waiting).
      const m = await this.receive(left > 0 ? Math.min(left / 1000, this.o.waitSeconds) : 0, visibility);
      if (m) batch.push({ msg: m, handle: m.receiptHandle });
      else if (left <= 0) break;
    }
    return batch;
  }

  /** Keep the batch hidden for the rest of a long retry sequence (EXPONENTIAL_DECAY_RETRY lasts a day). */
  private async extend(t: EventStreamingMnsTrigger, batch: Held[], retry: number): Promise<void> {
    const change = this.o.queues.changeVisibility?.bind(this.o.queues);
    if (!change) return;
    const seconds = Math.min(MAX_VISIBILITY_SECONDS, Math.ceil(this.remainingSeconds(t, retry) + 30));
    for (const h of batch) {
      try {
        const r = await change(this.o.accountId, this.queueName, h.handle, seconds);
        if (typeof r === 'object' && r !== null && typeof (r as { receiptHandle?: unknown }).receiptHandle === 'string') h.handle = (r as { receiptHandle: string }).receiptHandle;
      } catch (e) {
        this.o.logger.warn('fc queue trigger: could not extend visibility', { function: this.o.functionName, messageId: h.msg.messageId, error: asError(e).message });
      }
    }
  }

  private async deliverBatch(t: EventStreamingMnsTrigger, batch: Held[]): Promise<void> {
    const events: MnsCloudEvent[] = batch.map((h) => buildMnsCloudEvent(h.msg, this.eventContext));
    const payload = Buffer.from(JSON.stringify(events), 'utf8');
    const ids = batch.map((h) => h.msg.messageId);
    if (t.asyncInvocationType) {
      this.o.invokeAsync(payload);
      await this.remove(batch);
      return;
    }
    const maxRetries = this.o.maxRetries(t.retryStrategy);
    let last: InvocationOutcome | undefined;
    for (let attempt = 0; attempt <= maxRetries; attempt++) {
      if (attempt > 0) {
        await this.extend(t, batch, attempt);
        await this.sleep(this.o.retryDelayMs(t.retryStrategy, attempt));
        // Stopped while waiting: leave the messages; they become visible again and are redelivered.
        if (this.state !== 'running') return;
      }
      last = await this.o.invoke(payload);
      if (last.ok) {
        await this.remove(batch);
        return;
      }
      this.o.logger.warn('fc queue trigger: invocation failed', { function: this.o.functionName, queue: this.queueName, messageIds: ids, events: events.length, attempt: attempt + 1, error: last.error.errorMessage });
      if (this.state !== 'running') return;
    }
    const reason = last && !last.ok ? `${last.error.errorType}: ${last.error.errorMessage}` : 'unknown';
    if (t.errorsTolerance === 'NONE') {
      // Fault tolerance prohibited: the stream blocks; the messages stay in the queue.
      this.state = 'blocked';
      this.o.logger.error('fc queue trigger blocked: retries exhausted with errorsTolerance NONE', { function: this.o.functionName, trigger: t.triggerName, messageIds: ids, reason });
      return;
    }
    if (t.deadLetterQueueArn !== undefined) {
      const dlq = queueNameFromArn(t.deadLetterQueueArn);
      // EventBridge sends the unprocessed event data unchanged; which unit (event or batch) is
      // undocumented: here each CloudEvent of the failed batch is one dead letter.
      for (const ev of events) await this.o.queues.sendMessage(dlq.accountId ?? this.o.accountId, dlq.queueName, JSON.stringify(ev));
      this.o.logger.warn('fc queue trigger: batch sent to the dead-letter queue', { function: this.o.functionName, messageIds: ids, deadLetterQueue: dlq.queueName, reason });
    } else {
      this.o.logger.warn('fc queue trigger: batch dropped after retries (no dead-letter queue)', { function: this.o.functionName, messageIds: ids, reason });
    }
    await this.remove(batch);
  }
}

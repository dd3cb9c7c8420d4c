/**
 * In-memory QueuePort with MNS-like semantics: delays (max 7 days), visibility timeouts, receipt
 * handles that change on every receive, dequeue counts, idempotent delete. Time comes from a Clock.
 */
import { CrossroleError } from '../../shared/domain/errors';
import type { Clock, QueueName, QueuePort, ReceivedMessage, WorkflowMessage } from '../../shared/domain/ports';

export interface StoredMessage {
  messageId: string;
  queue: QueueName;
  body: string;
  sentAt: number;
  visibleAt: number;
  delaySeconds: number;
  dequeueCount: number;
  receiptHandle?: string;
}

export interface SendRecord {
  queue: QueueName;
  message: WorkflowMessage;
  delaySeconds?: number;
  at: string;
}

export class FakeQueue implements QueuePort {
  private readonly messages: StoredMessage[] = [];
  private readonly sendFailures: Error[] = [];
  private seq = 0;
  /** Every successful send, in order. */
  readonly sends: SendRecord[] = [];

  constructor(private readonly clock: Clock = { now: () => new Date() }) {}

  failNextSend(error: Error = new CrossroleError('DEPENDENCY_UNAVAILABLE', 'queue unavailable')): void {
    this.sendFailures.push(error);
  }

  async send(queue: QueueName, message: WorkflowMessage, options: { delaySeconds?: number; priority?: number } = {}): Promise<string> {
    const failure = this.sendFailures.shift();
    if (failure) throw failure;
    const delay = options.delaySeconds ?? 0;
    if (!Number.isInteger(delay) || delay < 0 || delay > 604800) throw new CrossroleError('VALIDATION', `DelaySeconds must be an integer 0–604800, got ${delay}`);
    this.sends.push({ queue, message: structuredClone(message), ...(options.delaySeconds === undefined ? {} : { delaySeconds: delay }), at: this.clock.now().toISOString() });
    return this.pushRaw(queue, JSON.stringify(message), delay);
  }

  /** Enqueue any body (forged, malformed, a dead letter as the trigger would write it). */
  pushRaw(queue: QueueName, body: string, delaySeconds = 0): string {
    const now = this.clock.now().getTime();
    const messageId = `msg-${++this.seq}`;
    this.messages.push({ messageId, queue, body, sentAt: now, visibleAt: now + delaySeconds * 1000, delaySeconds, dequeueCount: 0 });
    return messageId;
  }

  async receive(queue: QueueName, options: { max: number; waitSeconds: number; visibilityTimeout?: number }): Promise<ReceivedMessage[]> {
    const now = this.clock.now().getTime();
    const out: ReceivedMessage[] = [];
    for (const m of this.messages) {
      if (out.length >= options.max) break;
      if (m.queue !== queue || m.visibleAt > now) continue;
      m.dequeueCount++;
      m.receiptHandle = `rh-${m.messageId}-${m.dequeueCount}`;
      m.visibleAt = now + (options.visibilityTimeout ?? 30) * 1000;
      out.push({ messageId: m.messageId, receiptHandle: m.receiptHandle, body: m.body, dequeueCount: m.dequeueCount });
    }
    return out;
  }

  async delete(queue: QueueName, receiptHandle: string): Promise<void> {
    const i = this.messages.findIndex((m) => m.queue === queue && m.receiptHandle === receiptHandle);
    if (i >= 0) this.messages.splice(i, 1);
  }

  /** Remove and return the bodies of every message of `queue` visible now (delayed ones stay). */
  take(queue: QueueName): StoredMessage[] {
    const now = this.clock.now().getTime();
    const out = this.messages.filter((m) => m.queue === queue && m.visibleAt <= now);
    for (const m of out) this.messages.splice(this.messages.indexOf(m), 1);
    return out;
  }

  /** Every message still in `queue`, delayed or not. */
  pending(queue?: QueueName): StoredMessage[] {
    return this.messages.filter((m) => queue === undefined || m.queue === queue).map((m) => ({ ...m }));
  }

  sentTo(queue: QueueName): SendRecord[] {
    return this.sends.filter((s) => s.queue === queue);
  }

  clear(): void {
    this.messages.length = 0;
    this.sends.length = 0;
  }
}

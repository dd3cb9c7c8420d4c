/**
 * Long polling (`waitseconds`, PollingWaitSeconds: the CreateQueue and ReceiveMessage references):
 * receives held until a message becomes visible or their wait runs out, and per queue one timer
 * set for the earliest pending visibility (a delayed message coming due, or an in-flight one whose
 * visibility timeout ends) while anyone waits.
 *
 * The queue semantics stay in the store: this class only decides *when* to call its `take`,
 * which picks and marks messages in one synchronous section, so two waiters never get the same
 * message.
 */
import type { MnsError } from './errors';
import type { ReceivedMessage } from './models';
import { nextVisibleAt, type QueueState } from './queue-state';

/** The store's atomic receive: up to `max` visible messages, marked in flight. */
type Take = (q: QueueState, max: number, visibilityTimeout: number | undefined) => ReceivedMessage[];

interface Waiter {
  max: number;
  visibilityTimeout: number | undefined;
  resolve: (messages: ReceivedMessage[]) => void;
  reject: (err: MnsError) => void;
  timer: NodeJS.Timeout;
}

interface QueuePolls {
  waiters: Waiter[];
  timer: NodeJS.Timeout | undefined;
  timerAt: number;
}

/** setTimeout's ceiling; a later wake-up is simply re-armed when it fires. */
const MAX_TIMER_MS = 2_147_000_000;

export class LongPolls {
  private readonly byQueue = new Map<QueueState, QueuePolls>();
  private closedFlag = false;

  constructor(
    private readonly now: () => number,
    private readonly take: Take,
  ) {}

  get closed(): boolean {
    return this.closedFlag;
  }

  /** Hold a receive for up to `waitSeconds`; resolves to [] when the wait ends empty. */
  wait(q: QueueState, max: number, visibilityTimeout: number | undefined, waitSeconds: number): Promise<ReceivedMessage[]> {
    const polls = this.pollsOf(q);
    return new Promise<ReceivedMessage[]>((resolve, reject) => {
      const waiter: Waiter = {
        max,
        visibilityTimeout,
        resolve,
        reject,
        timer: setTimeout(() => {
          const i = polls.waiters.indexOf(waiter);
          if (i >= 0) polls.waiters.splice(i, 1);
          this.arm(q);
          resolve([]);
        }, waitSeconds * 1000),
      };
      polls.waiters.push(waiter);
      this.arm(q);
    });
  }

  /**
   * Something changed in the queue (a send, a visibility change): hand visible messages to
   * waiting receivers, oldest waiter first, and re-arm the timer for the next pending one.
   */
  notify(q: QueueState): void {
    const polls = this.byQueue.get(q);
    if (!polls) return;
    while (polls.waiters.length > 0) {
      const w = polls.waiters[0] as Waiter;
      const got = this.take(q, w.max, w.visibilityTimeout);
      if (got.length === 0) break;
      polls.waiters.shift();
      clearTimeout(w.timer);
      w.resolve(got);
    }
    this.arm(q);
  }

  /** End a queue's held receives: as empty waits, or with `err` (the queue was deleted). */
  release(q: QueueState, err?: MnsError): void {
    const polls = this.byQueue.get(q);
    if (!polls) return;
    this.byQueue.delete(q);
    if (polls.timer !== undefined) clearTimeout(polls.timer);
    for (const w of polls.waiters) {
      clearTimeout(w.timer);
      if (err) w.reject(err);
      else w.resolve([]);
    }
  }

  /** Stop every timer and answer every held receive as an empty wait; later receives do not wait. */
  close(): void {
    this.closedFlag = true;
    for (const q of [...this.byQueue.keys()]) this.release(q);
  }

  private pollsOf(q: QueueState): QueuePolls {
    let polls = this.byQueue.get(q);
    if (!polls) {
      polls = { waiters: [], timer: undefined, timerAt: 0 };
      this.byQueue.set(q, polls);
    }
    return polls;
  }

  /** While receivers wait, keep one timer set for the earliest pending visibility; otherwise none. */
  private arm(q: QueueState): void {
    const polls = this.byQueue.get(q);
    if (!polls) return;
    const at = polls.waiters.length === 0 || this.closedFlag ? undefined : nextVisibleAt(q);
    if (at === undefined) {
      if (polls.timer !== undefined) clearTimeout(polls.timer);
      // Nobody waits: forget the queue so a deleted queue's state is not kept alive here.
      if (polls.waiters.length === 0) this.byQueue.delete(q);
      else polls.timer = undefined;
      return;
    }
    if (polls.timer !== undefined && polls.timerAt <= at) return;
    if (polls.timer !== undefined) clearTimeout(polls.timer);
    polls.timerAt = at;
    polls.timer = setTimeout(() => {
      polls.timer = undefined;
      this.notify(q);
    }, Math.min(Math.max(at - this.now(), 0), MAX_TIMER_MS));
    polls.timer.unref();
  }
}

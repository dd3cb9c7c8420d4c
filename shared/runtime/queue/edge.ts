/**
 * The MNS queue trigger's edge. It reads the event once (one CloudEvent, or an event-streaming
 * batch of them), hands each well-formed message to the use case as a typed WorkflowMessage, and
 * decides what the trigger sees:
 * - a malformed message is acknowledged (logged, outcome `malformed`): retrying cannot help, and it
 *   must never cost the rest of its batch;
 * - every message of a batch is processed, even after one failed;
 * - if any message failed for a transient reason (the use case threw), the invocation fails after
 *   the others were processed, so the trigger redelivers the batch. That is safe because every
 *   step is idempotent: the messages that succeeded find their work done (outcome `stale`).
 */
import { errorMessage } from '../../domain/errors';
import type { Logger, WorkflowMessage } from '../../domain/ports';
import type { Outcome } from '../../workflow';
import type { FcContext } from '../wiring';
import { parseQueueEvent, type QueueItem } from './cloud-event';

export type QueueUseCase<D> = (deps: D, message: WorkflowMessage) => Promise<Outcome>;

/** What a batch (event-streaming) invocation returns: one outcome per event, in order. */
export interface BatchOutcome {
  outcomes: Outcome[];
}

interface QueueBinding<D extends { logger: Logger }> {
  deps(context: FcContext): Promise<D>;
}

/** Thrown when messages of a batch failed transiently: the trigger redelivers the whole batch. */
export class BatchFailedError extends AggregateError {
  constructor(errors: unknown[], total: number) {
    super(errors, `${errors.length} of ${total} messages failed and will be redelivered with their batch: ${errors.map(errorMessage).join('; ')}`);
    this.name = 'BatchFailedError';
  }
}

/** Process every item; return the outcomes and the transient failures. Never throws. */
export async function processQueueItems<D extends { logger: Logger }>(items: readonly QueueItem[], useCase: QueueUseCase<D>, deps: D, fcRequestId?: string): Promise<{ outcomes: Outcome[]; failures: unknown[] }> {
  const outcomes: Outcome[] = [];
  const failures: unknown[] = [];
  for (const item of items) {
    const where = { ...(item.messageId === undefined ? {} : { messageId: item.messageId }), ...(fcRequestId === undefined ? {} : { fcRequestId }) };
    if (!item.parsed.ok) {
      deps.logger.warn('malformed queue message acknowledged', { ...where, error: item.parsed.error });
      outcomes.push({ outcome: 'malformed', detail: item.parsed.error });
      continue;
    }
    try {
      const outcome = await useCase(deps, item.parsed.message);
      deps.logger.info('queue message handled', { ...outcome, ...where });
      outcomes.push(outcome);
    } catch (e) {
      deps.logger.warn('queue message failed; it will be redelivered', { ...where, requestId: item.parsed.message.requestId, kind: item.parsed.message.kind, error: errorMessage(e) });
      failures.push(e);
    }
  }
  return { outcomes, failures };
}

/**
 * An FC handler for an MNS queue trigger. Returning acknowledges the event; throwing makes the
 * trigger retry it and finally dead-letter it. A single event answers its Outcome, a batch
 * `{ outcomes }`.
 */
export function queueEdge<D extends { logger: Logger }>(useCase: QueueUseCase<D>, binding: QueueBinding<D>) {
  return async function handler(event: Buffer, context: FcContext): Promise<Outcome | BatchOutcome> {
    const deps = await binding.deps(context);
    const { batch, items } = parseQueueEvent(event);
    if (batch && items.length === 0) deps.logger.warn('empty queue batch acknowledged', { fcRequestId: context.requestId });
    const { outcomes, failures } = await processQueueItems(items, useCase, deps, context.requestId);
    // One failure alone keeps its own error (and message); several are reported together.
    if (failures.length === 1 && items.length === 1) throw failures[0];
    if (failures.length > 0) throw new BatchFailedError(failures, items.length);
    if (batch) return { outcomes };
    const [single] = outcomes;
    if (single === undefined) throw new Error('a single event produced no outcome');
    return single;
  };
}

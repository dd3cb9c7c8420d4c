/**
 * fc3 `eventbridge` triggers with an MNS source, validated the way FC 3.0 would take them.
 *
 * Sources:
 * - devsapp/fc3 `docs/zh/yaml/triggers.md`: `runOptions.mode` is required (event-driven |
 *   event-streaming; `eventSinkConfig.deliveryOption.mode` means the same with lower priority),
 *   and "runOptions 中参数只有在 mode 为 event-streaming 时才有效": retry strategy, dead-letter
 *   queue, fault tolerance and batchWindow apply in event-streaming mode only.
 *   batchWindow.CountBasedWindow is [1, 10000]; TimeBasedWindow is [0, 15] seconds.
 * - `@alicloud/fc20230330` RunOptions.mode: event-driven passes a single message per invocation,
 *   "In this mode, batch configurations are not supported"; BatchWindow fields are numbers.
 * - EventBridge "Retry policies and dead-letter queues" (alibabacloud.com/help/en/eventbridge/
 *   user-guide/retry-and-dead-letter): BACKOFF_RETRY is the default policy, errorsTolerance NONE
 *   blocks the stream, ALL sends to the dead-letter queue or discards.
 */
import { z } from 'zod';
import { ValidationError } from '../../shared/domain/errors';

export type PushRetryStrategy = 'BACKOFF_RETRY' | 'EXPONENTIAL_DECAY_RETRY';

interface MnsTriggerBase {
  kind: 'mns';
  triggerName: string;
  enable: boolean;
  queueName: string;
  /** SourceMNSParameters.IsBase64Decode; the API default is true. */
  isBase64Decode: boolean;
  regionId?: string;
  asyncInvocationType: boolean;
  /** runOptions keys written in s.yaml that have no effect on this trigger (reported at start). */
  ignoredRunOptions: string[];
}

/** Event mode: one CloudEvent per invocation; runOptions other than `mode` have no effect. */
interface EventDrivenMnsTrigger extends MnsTriggerBase {
  mode: 'event-driven';
}

/** Event stream mode: a JSON array of CloudEvents per invocation, batched, retried, dead-lettered. */
export interface EventStreamingMnsTrigger extends MnsTriggerBase {
  mode: 'event-streaming';
  errorsTolerance: 'NONE' | 'ALL';
  retryStrategy: PushRetryStrategy;
  /** Queue ARN of `runOptions.deadLetterQueue.Arn`, if any (off by default). */
  deadLetterQueueArn?: string;
  /**
   * Push when `countBasedWindow` events are collected or `timeBasedWindowSeconds` have passed,
   * whichever comes first. Without batchWindow, batch push is off: each message alone, at once
   * (EventBridge console: "Batch Push" is an option; the API default is UNCONFIRMED).
   */
  batchWindow: { countBasedWindow: number; timeBasedWindowSeconds: number };
}

export type MnsTriggerSpec = EventDrivenMnsTrigger | EventStreamingMnsTrigger;

/** A trigger type the local runtime does not emulate (oss, log, cdn...): kept so it can be reported. */
export interface OtherTriggerSpec {
  kind: 'other';
  triggerName: string;
  triggerType: string;
}

/** Queue name of an MNS queue ARN (`acs:mns:<region>:<uid>:/queues/<name>` or `...:queues/<name>`). */
export function queueNameFromArn(arn: string): { accountId?: string; queueName: string } {
  const m = /^acs:mns:[^:]*:([^:]*):\/?queues\/([^/]+)(?:\/.*)?$/.exec(arn);
  if (!m || m[2] === undefined) {
    throw new ValidationError('INVALID_ARN', 'deadLetterQueue.Arn', `not an MNS queue ARN: "${arn}"`);
  }
  return { ...(m[1] ? { accountId: m[1] } : {}), queueName: m[2] };
}

const MODES = ['event-driven', 'event-streaming'] as const;

const isMnsQueueArn = (a: string): boolean => {
  try {
    queueNameFromArn(a);
    return true;
  } catch {
    return false;
  }
};

const runOptions = z.object({
  mode: z.enum(MODES).optional(),
  errorsTolerance: z.enum(['NONE', 'ALL']).optional(),
  maximumTasks: z.number().int().positive().optional(),
  retryStrategy: z.object({
    PushRetryStrategy: z.enum(['BACKOFF_RETRY', 'EXPONENTIAL_DECAY_RETRY']),
  }).loose().optional(),
  deadLetterQueue: z.object({
    Arn: z.string().min(1).refine(isMnsQueueArn, 'must be an MNS queue ARN: acs:mns:<region>:<uid>:/queues/<name> (other dead-letter targets are not emulated)'),
  }).loose().optional(),
  // Both bounds are required once a window is written: what EventBridge does with half a window is UNCONFIRMED.
  batchWindow: z.object({
    CountBasedWindow: z.number().int('must be an integer').min(1, 'must be between 1 and 10000').max(10000, 'must be between 1 and 10000'),
    TimeBasedWindow: z.number().int('must be a whole number of seconds').min(0, 'must be between 0 and 15 seconds').max(15, 'must be between 0 and 15 seconds'),
  }).loose().optional(),
}).loose();

export const eventBridgeConfig = z.object({
  triggerEnable: z.boolean().default(true),
  asyncInvocationType: z.boolean().default(false),
  eventSourceConfig: z.object({
    eventSourceType: z.string(),
    eventSourceParameters: z.object({
      sourceMNSParameters: z.object({
        QueueName: z.string().min(1),
        IsBase64Decode: z.boolean().default(true),
        RegionId: z.string().optional(),
      }).loose().optional(),
    }).loose(),
  }).loose(),
  eventSinkConfig: z.object({
    deliveryOption: z.object({ mode: z.enum(MODES).optional() }).loose().optional(),
  }).loose().optional(),
  runOptions: runOptions.optional(),
}).loose();

type EventBridgeConfig = z.output<typeof eventBridgeConfig>;

/** Map a validated MNS-source eventbridge config to its trigger spec; `cfgKey` names it in errors. */
export function toMnsTrigger(triggerName: string, c: EventBridgeConfig, cfgKey: string): MnsTriggerSpec {
  const mns = c.eventSourceConfig.eventSourceParameters.sourceMNSParameters;
  if (!mns) throw new ValidationError('INVALID_CONFIG', `${cfgKey}.eventSourceConfig.eventSourceParameters.sourceMNSParameters`, 'is required for eventSourceType MNS');
  const ro = c.runOptions ?? {};
  const mode = ro.mode ?? c.eventSinkConfig?.deliveryOption?.mode;
  if (mode === undefined) {
    throw new ValidationError('INVALID_CONFIG', `${cfgKey}.runOptions.mode`, 'is required: event-driven (one CloudEvent per invocation) or event-streaming (arrays, with retries, dead-letter queue and batching)');
  }
  const base: MnsTriggerBase = {
    kind: 'mns',
    triggerName,
    enable: c.triggerEnable,
    queueName: mns.QueueName,
    isBase64Decode: mns.IsBase64Decode,
    ...(mns.RegionId === undefined ? {} : { regionId: mns.RegionId }),
    asyncInvocationType: c.asyncInvocationType,
    // event-driven ignores every runOption but mode; event-streaming ignores maximumTasks ("只有在指定 Kafka 事源时该参数有效").
    ignoredRunOptions: Object.keys(ro).filter((k) => k !== 'mode' && (mode === 'event-driven' || k === 'maximumTasks')),
  };
  if (mode === 'event-driven') {
    if (ro.batchWindow !== undefined) {
      throw new ValidationError('INVALID_CONFIG', `${cfgKey}.runOptions.batchWindow`, 'batch configurations are not supported in event-driven mode (use mode: event-streaming)');
    }
    return { ...base, mode };
  }
  return {
    ...base,
    mode,
    errorsTolerance: ro.errorsTolerance ?? 'NONE',
    retryStrategy: ro.retryStrategy?.PushRetryStrategy ?? 'BACKOFF_RETRY',
    ...(ro.deadLetterQueue === undefined ? {} : { deadLetterQueueArn: ro.deadLetterQueue.Arn }),
    batchWindow: ro.batchWindow === undefined
      ? { countBasedWindow: 1, timeBasedWindowSeconds: 0 }
      : { countBasedWindow: ro.batchWindow.CountBasedWindow, timeBasedWindowSeconds: ro.batchWindow.TimeBasedWindow },
  };
}

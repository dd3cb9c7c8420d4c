/**
 * The three trigger shapes our functions have, bound to the instance's wiring, so each
 * `functions/<name>/index.ts` is only a list of routes or one use-case call. The edges themselves
 * (parse, route, authenticate, map) are in http/edge.ts and queue/edge.ts.
 */
import { getConfig } from './config';
import { httpEdge, type AuthedRoute } from './http/edge';
import { createLogger } from './logger';
import { queueEdge, type QueueUseCase } from './queue/edge';
import { inRamRecordingScope } from './ram-recording';
import { parseTimerEvent } from './timer';
import type { NotifyDeps } from '../workflow';
import { settleNotifySends } from './notify-fast-path';
import { authenticate, getAppDeps, notifierDeps, type AppDeps, type FcContext, type RamFactory } from './wiring';

/**
 * Logger for answers given before the instance's dependencies exist (malformed events, unknown
 * routes, a config error at cold start). Client mistakes there are not worth an info line each;
 * the operator's own failures (config, internal) are logged as errors by toHttpResponse.
 */
const bootLogger = createLogger({ level: 'warn', fields: { phase: 'boot' } });

/**
 * An FC HTTP-trigger handler over authenticated routes. Never throws; never leaks internals.
 * Functions whose routes act on RAM (the approval function: reconcile, escalation to delete) pass
 * the adapter factory; the others carry no RAM SDK.
 */
/**
 * A handler that ends only once the notify messages its steps started are sent (notify-fast-path.ts):
 * they overlap with the step's own work instead of delaying it.
 */
function settling<E, C, R>(handler: (event: E, context: C) => Promise<R>): (event: E, context: C) => Promise<R> {
  return async (event, context) => {
    try {
      return await handler(event, context);
    } finally {
      await settleNotifySends();
    }
  };
}

export function httpFunction(routes: ReadonlyArray<AuthedRoute<AppDeps>>, ram?: RamFactory) {
  const edge = httpEdge(routes, {
    maxBodyBytes: () => getConfig().maxBodyBytes,
    deps: (context) => getAppDeps(context, ram),
    authenticate,
    bootLogger,
  });
  // Each request is one unit of work for the RAM-call record (ram-recording.ts).
  return settling((event: Buffer, context: FcContext) => inRamRecordingScope(() => edge(event, context)));
}

/** An FC handler for an MNS queue trigger (one CloudEvent, or an event-streaming batch). */
export function queueFunction(useCase: QueueUseCase<AppDeps>, ram: RamFactory) {
  // Each message of a batch is its own unit of work for the RAM-call record (ram-recording.ts).
  return settling(queueEdge((deps: AppDeps, m) => inRamRecordingScope(() => useCase(deps, m)), { deps: (context) => getAppDeps(context, ram) }));
}

/** The notifier's MNS queue trigger: no RAM factory, so its bundle carries no RAM SDK and its port refuses every call. */
export function notifierFunction(useCase: QueueUseCase<AppDeps & NotifyDeps>) {
  return queueEdge(useCase, { deps: async (context) => notifierDeps(await getAppDeps(context)) });
}

/** An FC timer-trigger handler. */
export function timerFunction<T>(useCase: (deps: AppDeps) => Promise<T>, ram: RamFactory) {
  return settling(async function handler(event: Buffer, context: FcContext): Promise<T> {
    const deps = await getAppDeps(context, ram);
    const timer = parseTimerEvent(event);
    const report = await inRamRecordingScope(() => useCase(deps));
    deps.logger.info('timer run finished', { trigger: timer.triggerName, triggerTime: timer.triggerTime.toISOString(), report });
    return report;
  });
}

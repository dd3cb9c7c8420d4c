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
import { authenticate, getAppDeps, type AppDeps, type FcContext, type RamFactory } from './wiring';

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
export function httpFunction(routes: ReadonlyArray<AuthedRoute<AppDeps>>, ram?: RamFactory) {
  const edge = httpEdge(routes, {
    maxBodyBytes: () => getConfig().maxBodyBytes,
    deps: (context) => getAppDeps(context, ram),
    authenticate,
    bootLogger,
  });
  // Each request is one unit of work for the RAM-call record (ram-recording.ts).
  return (event: Buffer, context: FcContext) => inRamRecordingScope(() => edge(event, context));
}

/** An FC handler for an MNS queue trigger (one CloudEvent, or an event-streaming batch). */
export function queueFunction(useCase: QueueUseCase<AppDeps>, ram: RamFactory) {
  // Each message of a batch is its own unit of work for the RAM-call record (ram-recording.ts).
  return queueEdge((deps: AppDeps, m) => inRamRecordingScope(() => useCase(deps, m)), { deps: (context) => getAppDeps(context, ram) });
}

/** An FC timer-trigger handler. */
export function timerFunction<T>(useCase: (deps: AppDeps) => Promise<T>, ram: RamFactory) {
  return async function handler(event: Buffer, context: FcContext): Promise<T> {
    const deps = await getAppDeps(context, ram);
    const timer = parseTimerEvent(event);
    const report = await inRamRecordingScope(() => useCase(deps));
    deps.logger.info('timer run finished', { trigger: timer.triggerName, triggerTime: timer.triggerTime.toISOString(), report });
    return report;
  };
}

/**
 * Whether a deployed function is wired as s.yaml wires it, judged from what the FC 3.0 API answers
 * (GetFunction, ListTriggers): the execution role, and per function its trigger:
 * - intake, approval: an HTTP trigger with authType anonymous (the API authenticates callers with an
 *   identity proof; with `function` auth FC would demand its own signature and refuse partners) that
 *   accepts GET and POST;
 * - provisioning ← crossrole-provision, revocation ← crossrole-revoke: an EventBridge MNS trigger in
 *   event-streaming mode (only then do the retries and the dead-letter queue apply: devsapp/fc3
 *   docs/zh/yaml/triggers.md) with the dead-letter queue crossrole-deadletter;
 * - expiry: an enabled timer.
 * `triggerConfig` is read as fc3 sends it (devsapp/fc3 `deployTrigger`); whether FC 3.0 normalises
 * it in its answers is UNCONFIRMED, so only the keys s.yaml sets are read.
 */
import { EXEC_ROLE_NAME } from '../../shared/domain/deployment';
import type { FunctionTrigger } from '../../shared/domain/fc-deployment';
import { QueueName } from '../../shared/domain/ports';

export interface TriggerView {
  name: string;
  type: string;
  config: Record<string, unknown>;
  urlInternet?: string;
}

const rec = (v: unknown): Record<string, unknown> => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

/** fc3 completes and lower-cases role ARNs (devsapp/fc3), so they compare case-insensitively. */
export function roleProblem(role: string | undefined, ownerAccountId: string): string | undefined {
  const wanted = `acs:ram::${ownerAccountId}:role/${EXEC_ROLE_NAME}`;
  if (role === undefined || role === '') return `runs without a role; s.yaml sets ${wanted}`;
  return role.toLowerCase() === wanted.toLowerCase() ? undefined : `runs as ${role}, not ${wanted}`;
}

function httpProblems(triggers: readonly TriggerView[]): string[] {
  const http = triggers.filter((t) => t.type === 'http');
  if (http.length === 0) return ['has no HTTP trigger'];
  const ok = http.find((t) => {
    const methods = Array.isArray(t.config['methods']) ? t.config['methods'].map((m) => String(m).toUpperCase()) : [];
    return t.config['authType'] === 'anonymous' && methods.includes('GET') && methods.includes('POST');
  });
  if (ok !== undefined) return [];
  const t = http[0] as TriggerView;
  const problems: string[] = [];
  if (t.config['authType'] !== 'anonymous') problems.push(`HTTP trigger ${t.name} has authType ${String(t.config['authType'] ?? '(none)')}, not anonymous: FC would refuse callers without an FC signature`);
  const methods = Array.isArray(t.config['methods']) ? t.config['methods'].map((m) => String(m).toUpperCase()) : [];
  if (!methods.includes('GET') || !methods.includes('POST')) problems.push(`HTTP trigger ${t.name} accepts ${methods.join(', ') || 'no method'}, not GET and POST`);
  return problems;
}

function queueProblems(triggers: readonly TriggerView[], queue: string): string[] {
  const bridge = triggers.filter((t) => t.type === 'eventbridge');
  const sourceQueue = (t: TriggerView): unknown => rec(rec(rec(t.config['eventSourceConfig'])['eventSourceParameters'])['sourceMNSParameters'])['QueueName'];
  const t = bridge.find((x) => sourceQueue(x) === queue);
  if (t === undefined) {
    const seen = bridge.map((x) => `${x.name} ← ${String(sourceQueue(x) ?? '?')}`).join(', ');
    return [`has no EventBridge trigger on queue ${queue}${seen === '' ? '' : ` (found ${seen})`}`];
  }
  const problems: string[] = [];
  if (t.config['triggerEnable'] === false) problems.push(`trigger ${t.name} is disabled`);
  const run = rec(t.config['runOptions']);
  if (run['mode'] !== 'event-streaming') problems.push(`trigger ${t.name} runs in ${String(run['mode'] ?? 'event-driven')} mode: retries and the dead-letter queue apply only in event-streaming mode`);
  const dlq = rec(run['deadLetterQueue'])['Arn'];
  if (typeof dlq !== 'string' || !dlq.endsWith(`/queues/${QueueName.DEADLETTER}`)) problems.push(`trigger ${t.name} has ${typeof dlq === 'string' ? `dead-letter queue ${dlq}` : 'no dead-letter queue'}, not ${QueueName.DEADLETTER}`);
  return problems;
}

function timerProblems(triggers: readonly TriggerView[]): string[] {
  const timers = triggers.filter((t) => t.type === 'timer');
  if (timers.length === 0) return ['has no timer trigger'];
  if (timers.some((t) => t.config['enable'] !== false && typeof t.config['cronExpression'] === 'string')) return [];
  return [`timer ${timers[0]?.name ?? ''} is disabled or has no cronExpression`];
}

/** What is wrong with a function's triggers; empty when they are wired as s.yaml wires them. */
export function triggerProblems(expected: FunctionTrigger, triggers: readonly TriggerView[]): string[] {
  switch (expected.kind) {
    case 'http':
      return httpProblems(triggers);
    case 'queue':
      return queueProblems(triggers, expected.queue);
    case 'timer':
      return timerProblems(triggers);
  }
}

/** A one-line description of a function's wiring when it is right, for the ok line. */
export function wiringSummary(expected: FunctionTrigger): string {
  switch (expected.kind) {
    case 'http':
      return 'HTTP trigger (anonymous; callers prove their identity)';
    case 'queue':
      return `EventBridge ← ${expected.queue} (event-streaming, dead letters to ${QueueName.DEADLETTER})`;
    case 'timer':
      return 'timer';
  }
}

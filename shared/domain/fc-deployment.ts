/**
 * What a deployment of Crossrole on Function Compute 3.0 must look like, as `crossrole doctor`
 * checks it and `crossrole bootstrap` reads its trigger URLs: the six functions of s.yaml (named
 * `<prefix><role>`, `crossrole-` by default), how each is triggered, and FC's limit on a function's
 * environment variables.
 */
import { QueueName } from './ports';

export const DEFAULT_FUNCTION_PREFIX = 'crossrole-';

export type FunctionTrigger =
  | { kind: 'http' }
  | { kind: 'timer' }
  /** An EventBridge MNS trigger in event-streaming mode with the dead-letter queue (devsapp/fc3 docs/zh/yaml/triggers.md: runOptions apply only in event-streaming mode). */
  | { kind: 'queue'; queue: QueueName };

/** The functions by their role (the suffix of their name in s.yaml), in the order they run. */
export const FUNCTION_TOPOLOGY: ReadonlyArray<{ role: string; trigger: FunctionTrigger }> = [
  { role: 'intake', trigger: { kind: 'http' } },
  { role: 'approval', trigger: { kind: 'http' } },
  { role: 'provisioning', trigger: { kind: 'queue', queue: QueueName.PROVISION } },
  { role: 'revocation', trigger: { kind: 'queue', queue: QueueName.REVOKE } },
  { role: 'expiry', trigger: { kind: 'timer' } },
  { role: 'notifier', trigger: { kind: 'queue', queue: QueueName.NOTIFY } },
];

/**
 * "The total size of all environment variables cannot exceed 4 KB" per function
 * (www.alibabacloud.com/help/en/functioncompute/fc/environment-variables).
 */
export const FC_ENVIRONMENT_LIMIT_BYTES = 4096;

/**
 * How FC measures that total is not documented. The strictest plausible reading, the one the local
 * FC runtime enforces too: the UTF-8 bytes of the variables as CreateFunction carries them, a JSON
 * object, which is never smaller than keys plus values.
 */
export function fcEnvironmentSize(env: Readonly<Record<string, string>>): number {
  return new TextEncoder().encode(JSON.stringify(env)).length;
}

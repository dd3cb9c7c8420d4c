/** Small builders for the local policy engine's tests. */
import { decide, parsePolicy, type ConditionContext, type Decision, type Policy, type PolicyKind } from '../../../local/access/policy';

export const doc = (statements: unknown, kind: PolicyKind = 'identity'): Policy =>
  parsePolicy(JSON.stringify({ Version: '1', Statement: statements }), kind);

/** The reason parsePolicy gives for refusing `text`, or 'accepted'. */
export function verdict(text: string, kind: PolicyKind = 'identity'): string {
  try {
    parsePolicy(text, kind);
    return 'accepted';
  } catch (e) {
    if (e instanceof Error && e.name === 'PolicyGrammarError') return e.message;
    throw e;
  }
}

export const NOW = '2026-03-01T12:00:00Z';
export const BASE_CONTEXT: ConditionContext = { 'acs:CurrentTime': NOW, 'acs:SourceIp': '203.0.113.7', 'acs:SecureTransport': 'true' };

/** Does an Allow statement with this condition grant ecs:DescribeInstances? */
export function allowHolds(condition: unknown, context: ConditionContext): boolean {
  const d = decide([doc([{ Effect: 'Allow', Action: 'ecs:*', Resource: '*', Condition: condition }])], req(context));
  return d === 'Allow';
}

/** Does a Deny statement with this condition take away an unconditional Allow? */
export function denyHolds(condition: unknown, context: ConditionContext): boolean {
  const d = decide([doc([{ Effect: 'Allow', Action: 'ecs:*', Resource: '*' }, { Effect: 'Deny', Action: 'ecs:*', Resource: '*', Condition: condition }])], req(context));
  return d === 'ExplicitDeny';
}

export const req = (context: ConditionContext = BASE_CONTEXT, action = 'ecs:DescribeInstances', resource = 'acs:ecs:cn-hangzhou:1511928242963727:instance/i-1') =>
  ({ action, resource, context });

export const decision = (policies: readonly Policy[], action: string, resource: string, context: ConditionContext = BASE_CONTEXT): Decision =>
  decide(policies, { action, resource, context });

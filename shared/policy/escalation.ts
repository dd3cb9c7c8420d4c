/**
 * Which actions make a grant privileged, and which of them an Allow statement reaches.
 *
 * Detection uses the guardrails' matcher (matcher.ts), so wildcards (`ram:Attach*`, `*:*`,
 * `ram:*Policy*`) and NotAction (= everything not listed) are judged as RAM matches actions. Each
 * Allow statement is probed on its own with its conditions and resource scope stripped: a condition
 * can be met and a narrowed resource still reaches the same escalation (e.g. attach a policy to any role).
 *
 * A probe naming an action that does not exist costs nothing (no policy grants it by name, only by
 * wildcard, and a wildcard that broad is privileged anyway), so the list errs on the side of more.
 */
import { statementGrants } from './matcher';
import type { PolicyValue, Statement } from './policy-document';

/** Actions that escalate privileges, mint or reveal lasting credentials, or undo the grant's controls. */
export const ESCALATION_ACTIONS: readonly string[] = [
  'ram:AttachPolicyToRole',
  'ram:AttachPolicyToUser',
  'ram:AttachPolicyToGroup',
  // Detaching is escalation here: it removes the expiry guard from the grant's own role.
  'ram:DetachPolicyFromRole',
  'ram:DetachPolicyFromUser',
  'ram:DetachPolicyFromGroup',
  // Resource-group-scoped attach/detach (Resource Management's RAM authorization list,
  // https://www.alibabacloud.com/help/doc-detail/159974.htm).
  'ram:AttachPolicy',
  'ram:DetachPolicy',
  'ram:CreateAccessKey',
  'ram:UpdateAccessKey',
  'ram:CreatePolicy',
  'ram:CreatePolicyVersion',
  'ram:SetDefaultPolicyVersion',
  'ram:DeletePolicy',
  'ram:DeletePolicyVersion',
  'ram:CreateRole',
  'ram:UpdateRole',
  'ram:DeleteRole',
  'ram:PassRole',
  'ram:CreateUser',
  'ram:UpdateUser',
  'ram:AddUserToGroup',
  'ram:CreateLoginProfile',
  'ram:UpdateLoginProfile',
  'ram:CreateSAMLProvider',
  'ram:UpdateSAMLProvider',
  'ram:CreateOIDCProvider',
  'ram:UpdateOIDCProvider',
  'ram:SetSecurityPreference',
  // Crossrole finds the roles it manages by tag.
  'ram:TagResources',
  'ram:UntagResources',
  'sts:AssumeRole',
  'resourcemanager:AttachPolicy',
  'resourcemanager:CreatePolicy',
  'resourcemanager:CreatePolicyVersion',
  'resourcemanager:SetDefaultPolicyVersion',
  // Control policies are the resource directory's guardrails over every member account.
  'resourcemanager:DetachControlPolicy',
  'resourcemanager:DisableControlPolicy',
  // Blinding the audit trail hides everything else a grant does.
  'actiontrail:StopLogging',
  'actiontrail:DeleteTrail',
  'actiontrail:UpdateTrail',
  // KMS secrets can hold RAM AccessKeys and database passwords: reading one is lasting access.
  // AliyunKMSReadOnlyAccess lists its Get actions one by one precisely to leave GetSecretValue out.
  'kms:GetSecretValue',
  'kms:Decrypt',
  // Destroying or re-permissioning keys takes the data (or the audit of it) with them.
  'kms:ScheduleKeyDeletion',
  'kms:DisableKey',
  'kms:SetKeyPolicy',
  'kms:SetSecretPolicy',
];

/**
 * An action in a service no policy names: a statement that allows it allows (nearly) every action
 * of every service, i.e. `*`, `*:*` or an Allow with NotAction.
 */
const ANY_ACTION_PROBE = 'crossrole-probe-unknown-service:AnyAction';

/** The statement fields escalation probing reads: whatever document type the statement came from. */
export interface ActionStatement {
  Effect: 'Allow' | 'Deny';
  Action?: PolicyValue;
  NotAction?: PolicyValue;
}

/**
 * The actions among the probes that this Allow statement grants on some resource under some
 * context, `*` first when it grants every action of an unknown service (i.e. nearly everything).
 */
export function escalatingActions(statement: ActionStatement | Statement): string[] {
  if (statement.Effect !== 'Allow') return [];
  // Only the action elements: the probe has no resource scope and no conditions.
  const probe: ActionStatement = { Effect: 'Allow' };
  if (statement.Action !== undefined) probe.Action = statement.Action;
  if (statement.NotAction !== undefined) probe.NotAction = statement.NotAction;
  const grants = (action: string): boolean => statementGrants(probe, action);
  const found = ESCALATION_ACTIONS.filter(grants);
  return grants(ANY_ACTION_PROBE) ? ['*', ...found] : found;
}

/** `grants every action (*)`, or `grants ram:X, ram:Y, ram:Z and 4 more`: for messages. */
export function describeEscalation(actions: readonly string[]): string {
  if (actions[0] === '*') return 'grants every action (*)';
  return `grants ${actions.slice(0, 3).join(', ')}${actions.length > 3 ? ` and ${actions.length - 3} more` : ''}`;
}

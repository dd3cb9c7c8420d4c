/**
 * Guardrails on the custom policies a catalog may grant to a partner: unless the profile is
 * `privileged`, no Allow statement may grant everything, or any action that lets the holder widen
 * its own access, create lasting credentials, or remove the expiry guard.
 *
 * Detection uses the evaluator itself, so wildcards (`ram:Attach*`, `*:*`, `ram:*Policy*`) and
 * NotAction (= everything not listed) are judged exactly as RAM would judge them. Each Allow statement
 * is probed on its own with its conditions and resource scope stripped: a condition can be met and a
 * narrowed resource still reaches the same escalation (e.g. attach a policy to any role).
 */
import { CrossroleError } from '../domain/errors';
import type { Catalog } from '../domain/catalog';
import { evaluate } from './evaluator';
import { parsePolicyDocument, type PolicyDocument, type Statement } from './policy-document';

/** Actions that escalate privileges, mint lasting credentials, or undo the grant's controls. */
export const ESCALATION_ACTIONS: readonly string[] = [
  'ram:AttachPolicyToRole',
  'ram:AttachPolicyToUser',
  'ram:AttachPolicyToGroup',
  // Detaching is escalation here: it removes the expiry guard from the grant's own role.
  'ram:DetachPolicyFromRole',
  'ram:DetachPolicyFromUser',
  'ram:DetachPolicyFromGroup',
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
];

/**
 * An action in a service no policy names: a statement that allows it allows (nearly) every action
 * of every service, i.e. `*`, `*:*` or an Allow with NotAction.
 */
const ANY_ACTION_PROBE = 'crossrole-probe-unknown-service:AnyAction';

/** The actions among the probes that this Allow statement grants on some resource under some context. */
export function escalatingActions(statement: Statement): string[] {
  if (statement.Effect !== 'Allow') return [];
  const probe: Statement = { Effect: 'Allow', Resource: '*' };
  if (statement.Action !== undefined) probe.Action = statement.Action;
  if (statement.NotAction !== undefined) probe.NotAction = statement.NotAction;
  const doc: PolicyDocument = { Version: '1', Statement: [probe] };
  const grants = (action: string): boolean => evaluate([doc], { action, resource: '*', context: {} }) === 'Allow';
  const found = ESCALATION_ACTIONS.filter(grants);
  return grants(ANY_ACTION_PROBE) ? ['*', ...found] : found;
}

export interface GuardrailOptions {
  privileged: boolean;
  /** Where the document came from, e.g. `profiles[0].policies[1].document`. */
  field: string;
}

/** Throws CrossroleError('POLICY_GUARDRAIL', field) on the first escalating Allow statement, unless privileged. */
export function checkPolicyGuardrails(document: PolicyDocument, opts: GuardrailOptions): void {
  if (opts.privileged) return;
  document.Statement.forEach((s, i) => {
    const actions = escalatingActions(s);
    if (actions.length === 0) return;
    const what = actions[0] === '*' ? 'grants every action' : `grants ${actions.slice(0, 3).join(', ')}${actions.length > 3 ? ` and ${actions.length - 3} more` : ''}`;
    throw new CrossroleError('POLICY_GUARDRAIL', `${opts.field}: Statement[${i}] ${what}; only a profile marked "privileged: true" may grant that`, {
      field: opts.field,
      details: { statement: i, actions },
    });
  });
}

/** Parse every Custom policy of every profile and apply the guardrails (at catalog load). */
export function checkCatalogGuardrails(catalog: Catalog): void {
  catalog.profiles.forEach((profile, i) => {
    profile.policies.forEach((policy, j) => {
      if (policy.type !== 'Custom') return;
      const field = `profiles[${i}].policies[${j}].document`;
      const document = parsePolicyDocument(policy.document, field);
      checkPolicyGuardrails(document, { privileged: profile.privileged, field });
    });
  });
}

/**
 * The functions' execution role (`crossrole-fc-exec`) and its least-privilege policy, derived from
 * the catalog: `crossrole bootstrap` writes it to RAM and the local stack seeds it, so the policy the
 * functions run with can never drift from the catalog they serve.
 *
 * How RAM authorizes the calls the functions make (www.alibabacloud.com/help/en/ram/developer-reference/,
 * the API references' "RAM authorization" tables):
 * - Role APIs (CreateRole, GetRole, UpdateRole, DeleteRole, ListPoliciesForRole) check the role ARN
 *   `acs:ram:*:<uid>:role/<name>`; policy APIs (CreatePolicy, GetPolicy, DeletePolicy) the policy ARN
 *   `acs:ram:*:<uid>:policy/<name>` (doc-detail/28716, doc-detail/28720).
 * - ListTagResources and TagResources are "All Resources" (api-ram-2015-05-01-listtagresources,
 *   -tagresources): only a statement with `"Resource": "*"` authorizes them. ListRoles is documented
 *   both ways (`role/*` in 2024, "*Role" later, doc-detail/28713); `*` authorizes it either way.
 * - AttachPolicyToRole / DetachPolicyFromRole check the role AND the policy: `acs:ram:*:<uid>:role/<r>`
 *   and `acs:ram:*:<uid>:policy/<p>` for Custom or `acs:ram:*:system:policy/<p>` for System policies
 *   (api-ram-2015-05-01-attachpolicytorole; the old API page's "需要的权限" lists both resources).
 * - A custom policy holds at most 6,144 characters (www.alibabacloud.com/help/en/ram/product-overview/limits).
 * - MNS messages: `acs:mns:<region>:<uid>:/queues/<name>/messages` (doc-detail/27447); the batch APIs
 *   are authorized by the same actions (BatchReceiveMessage is mns:ReceiveMessage).
 * - KMS (only with DATABASE_SECRET_NAME): kms:GetSecretValue on the secret
 *   `acs:kms:<region>:<uid>:secret/<name>`, and kms:Decrypt on the key protecting it
 *   `acs:kms:<region>:<uid>:key/<key-id>` (doc-detail/28953; the GetSecretValue reference: "If a
 *   user-specified key is used to protect the secret value, the caller must have the kms:Decrypt
 *   permission on the corresponding master key").
 */
import { CrossroleError } from '../domain/errors';
import type { ProfilePolicy } from '../domain/catalog';
import { EXEC_POLICY_NAME, EXEC_ROLE_NAME } from '../domain/deployment';
import { GUARD_POLICY_PREFIX, sharedPolicyName } from '../domain/policy-names';
import { MAX_POLICY_LENGTH, policyTextLength } from './limits';
import type { PolicyDocument, Statement } from './policy-document';

/**
 * The RAM actions the functions call through shared/cloud/ram-adapter.ts (its RamPort methods), by
 * the resource RAM checks them on. test/unit/policy/exec-role-policy.test.ts greps the adapter so
 * that this list and the code cannot drift apart.
 */
export const EXEC_RAM_ACTIONS = {
  /** On the grants' roles. */
  role: ['ram:CreateRole', 'ram:GetRole', 'ram:UpdateRole', 'ram:DeleteRole', 'ram:ListPoliciesForRole'],
  /** On the policies the functions create: the expiry guards and the catalog's shared custom policies. */
  createdPolicy: ['ram:CreatePolicy', 'ram:GetPolicy'],
  /**
   * Only the expiry guards are ever deleted (shared/workflow/support/ram-grant.ts), and only they get
   * a new version: an extension or shortening moves a guard's expiry (support/extension.ts) and the
   * reconciler puts a guard's document back when somebody changed it (support/reconcile.ts). A
   * versioned guard is deleted after its older versions (ListPolicyVersions, DeletePolicyVersion:
   * `*Policy acs:ram:*:{#accountId}:policy/{#PolicyName}`, help.aliyun.com/document_detail/28722).
   * The catalog's shared policies are never versioned here.
   */
  guardPolicy: ['ram:DeletePolicy', 'ram:CreatePolicyVersion', 'ram:ListPolicyVersions', 'ram:DeletePolicyVersion'],
  /**
   * "All Resources" actions. TagResources moves a grant's `crossrole:expires-at` tag when an
   * extension is applied (and CreateRole sends `Tag`: whether RAM also checks ram:TagResources for
   * tags given at creation is UNCONFIRMED, the CreateRole reference lists no dependent action).
   */
  anyResource: ['ram:ListRoles', 'ram:ListTagResources', 'ram:TagResources'],
  attach: ['ram:AttachPolicyToRole'],
  detach: ['ram:DetachPolicyFromRole'],
} as const;

const EXEC_MNS_ACTIONS = ['mns:SendMessage', 'mns:ReceiveMessage', 'mns:DeleteMessage', 'mns:ChangeMessageVisibility'] as const;

/** The ledger's URL as a KMS secret (DATABASE_SECRET_NAME), read by the functions at cold start. */
interface DatabaseSecretRef {
  /** The secret's name (or its ARN `acs:kms:<region>:<uid>:secret/<name>`). */
  name: string;
  /** The KMS key that encrypts the secret, when the role must be allowed to decrypt with it. */
  keyId?: string;
}

interface ExecRolePolicyInput {
  ownerAccountId: string;
  region: string;
  /** A parsed catalog (parseCatalog), or anything with its profiles' names and policies. */
  catalog: { profiles: ReadonlyArray<{ name: string; policies: readonly ProfilePolicy[] }> };
  /** The workflow's queues (QueueName). */
  queues: readonly string[];
  /** Only when the functions read DATABASE_URL from a KMS secret: then, and only then, KMS rights. */
  databaseSecret?: DatabaseSecretRef;
}

function kmsStatements(region: string, uid: string, secret: DatabaseSecretRef | undefined): Statement[] {
  if (secret === undefined) return [];
  const arn = secret.name.startsWith('acs:kms:') ? secret.name : `acs:kms:${region}:${uid}:secret/${secret.name}`;
  const read: Statement = { Effect: 'Allow', Action: 'kms:GetSecretValue', Resource: arn };
  if (secret.keyId === undefined) return [read];
  const key = secret.keyId.startsWith('acs:kms:') ? secret.keyId : `acs:kms:${region}:${uid}:key/${secret.keyId}`;
  return [read, { Effect: 'Allow', Action: 'kms:Decrypt', Resource: key }];
}

const sorted = (values: Iterable<string>): string[] => [...new Set(values)].sort();

/**
 * The policy document as the JSON text RAM receives. Deterministic: the same catalog always gives
 * the same text, so `crossrole bootstrap` can tell "unchanged" from "updated".
 * Throws CrossroleError LIMIT_EXCEEDED when the catalog names so many policies that the document
 * would not fit RAM's limit.
 */
export function buildExecRolePolicy(input: ExecRolePolicyInput): string {
  const { ownerAccountId: uid, region } = input;
  const ram = `acs:ram:*:${uid}`;
  const crossroleRoles = `${ram}:role/crossrole-*`;
  const guards = `${ram}:policy/${GUARD_POLICY_PREFIX}*`;

  const system = sorted(input.catalog.profiles.flatMap((p) => p.policies.filter((x) => x.type === 'System').map((x) => x.name)));
  const custom = sorted(input.catalog.profiles.flatMap((p) => p.policies.filter((x) => x.type === 'Custom').map((x) => sharedPolicyName(p.name, x.name))));
  const systemArns = system.map((n) => `acs:ram:*:system:policy/${n}`);
  const customArns = custom.map((n) => `${ram}:policy/${n}`);

  const statements: Statement[] = [
    { Effect: 'Allow', Action: [...EXEC_RAM_ACTIONS.role], Resource: crossroleRoles },
    { Effect: 'Allow', Action: [...EXEC_RAM_ACTIONS.createdPolicy], Resource: [guards, ...customArns] },
    { Effect: 'Allow', Action: [...EXEC_RAM_ACTIONS.guardPolicy], Resource: guards },
    // Exactly the catalog's policies and the guards: never a wildcard that reaches AdministratorAccess.
    { Effect: 'Allow', Action: [...EXEC_RAM_ACTIONS.attach], Resource: [crossroleRoles, guards, ...customArns, ...systemArns] },
    // Detaching only takes rights away, and only from our own roles. It must reach any policy: a
    // revocation detaches whatever is attached, including a policy the catalog has dropped since the
    // grant was provisioned (the policy is re-derived from the current catalog).
    { Effect: 'Allow', Action: [...EXEC_RAM_ACTIONS.detach], Resource: [crossroleRoles, `${ram}:policy/*`, 'acs:ram:*:system:policy/*'] },
    { Effect: 'Allow', Action: [...EXEC_RAM_ACTIONS.anyResource], Resource: '*' },
    // Its own role matches role/crossrole-*: nothing the functions do may touch their own identity.
    { Effect: 'Deny', Action: 'ram:*', Resource: [`${ram}:role/${EXEC_ROLE_NAME}`, `${ram}:policy/${EXEC_POLICY_NAME}`] },
    { Effect: 'Allow', Action: [...EXEC_MNS_ACTIONS], Resource: sorted(input.queues).map((q) => `acs:mns:${region}:${uid}:/queues/${q}/messages`) },
    // The one secret the functions read at cold start; nothing else in KMS.
    ...kmsStatements(region, uid, input.databaseSecret),
  ];
  const document: PolicyDocument = { Version: '1', Statement: statements };
  const text = JSON.stringify(document);
  const length = policyTextLength(text);
  if (length > MAX_POLICY_LENGTH) {
    throw new CrossroleError('LIMIT_EXCEEDED', `the functions' execution role policy derived from this catalog is ${length} characters, over RAM's limit of ${MAX_POLICY_LENGTH}: the profiles name ${system.length} System and ${custom.length} Custom policies; name fewer distinct policies (or combine custom ones)`, {
      field: 'profiles',
      details: { quota: 'PolicyDocument', length, limit: MAX_POLICY_LENGTH, systemPolicies: system.length, customPolicies: custom.length },
    });
  }
  return text;
}

/**
 * RAM (2015-05-01): for each action the local RAM serves, the resources RAM's authorization
 * checks, from each API reference's "RAM authorization" (授权信息) table. `{#accountId}` is the
 * caller's account; system policies are `acs:ram:*:system:policy/<name>`.
 *
 * Reading the tables:
 * - "全部资源 / All Resources" means the action has no resource-level permission: RAM checks the
 *   literal resource `*`, so only a statement whose Resource pattern matches `*` (in practice
 *   `"Resource": "*"`) allows it; `acs:ram:*:<uid>:role/*` does not.
 * - Where a table lists a target (role, user, group) and a policy, both are checked. The
 *   current pages mark only the target as required (`*Role`) and list the policy ARN without
 *   `*`; the older reference ("必要な権限 / 需要的权限": Resource role/${RoleName} AND
 *   ${AccountId} or system:policy/${PolicyName}) requires both. Both are checked here, the
 *   stricter reading (local/COVERAGE.md, RAM "Attach / Detach authorization").
 * - CreateUser and CreateGroup are checked on `user/*` and `group/*` literally, as their tables
 *   say; ListRoles on `role/*`.
 */
import type { AuthorizationRequest, AuthorizationTable } from '../core/authorization';
import { RamResource } from './arns';

const role = (r: AuthorizationRequest): string => RamResource.role(r.accountId, r.required('RoleName'));
const user = (r: AuthorizationRequest): string => RamResource.user(r.accountId, r.required('UserName'));
const group = (r: AuthorizationRequest): string => RamResource.group(r.accountId, r.required('GroupName'));
const policy = (r: AuthorizationRequest): string => RamResource.policy(r.accountId, r.required('PolicyType'), r.required('PolicyName'));
const customPolicy = (r: AuthorizationRequest): string => RamResource.customPolicy(r.accountId, r.required('PolicyName'));
const ALL = (): string[] => ['*'];

const DOCS = 'https://help.aliyun.com/zh/ram/developer-reference/api-ram-2015-05-01-';

export const RAM_AUTHORIZATION: AuthorizationTable = {
  // ---------------------------------------------------------------- roles
  CreateRole: {
    action: 'ram:CreateRole',
    resources: (r) => [role(r)],
    source: 'www.alibabacloud.com/help/tc/ram/developer-reference/api-ram-2015-05-01-createrole: *Role acs:ram:*:{#accountId}:role/{#RoleName}',
  },
  GetRole: { action: 'ram:GetRole', resources: (r) => [role(r)], source: `${DOCS}getrole: *Role role/{#RoleName}` },
  UpdateRole: { action: 'ram:UpdateRole', resources: (r) => [role(r)], source: `${DOCS}updaterole: *Role role/{#RoleName}` },
  DeleteRole: { action: 'ram:DeleteRole', resources: (r) => [role(r)], source: 'help.aliyun.com/document_detail/28714.html: *Role role/{#RoleName}' },
  ListRoles: {
    action: 'ram:ListRoles',
    resources: (r) => [RamResource.role(r.accountId, '*')],
    source: 'alibabacloud.com/help/tc/ram/developer-reference/api-ram-2015-05-01-listroles: *Role acs:ram:*:{#accountId}:role/* (not All Resources)',
  },
  AttachPolicyToRole: {
    action: 'ram:AttachPolicyToRole',
    resources: (r) => [role(r), policy(r)],
    source:
      'www.alibabacloud.com/help/ja/ram/api-attachpolicytorole (必要な権限: role/${RoleName}; ${AccountId} or system:policy/${PolicyName}); same form as DetachPolicyFromRole',
  },
  DetachPolicyFromRole: {
    action: 'ram:DetachPolicyFromRole',
    resources: (r) => [role(r), policy(r)],
    source: 'help.aliyun.com/document_detail/28730.html: *Role role/{#RoleName}; Policy policy/{#PolicyName} or system:policy/{#PolicyName}',
  },
  ListPoliciesForRole: {
    action: 'ram:ListPoliciesForRole',
    resources: (r) => [role(r)],
    source: 'www.alibabacloud.com/help/ja/ram/developer-reference/api-ram-2015-05-01-listpoliciesforrole: *Role role/{#RoleName}',
  },

  // ---------------------------------------------------------------- policies
  CreatePolicy: { action: 'ram:CreatePolicy', resources: (r) => [customPolicy(r)], source: 'help.aliyun.com/document_detail/28716.html: *Policy policy/{#PolicyName}' },
  GetPolicy: {
    action: 'ram:GetPolicy',
    resources: (r) => [policy(r)],
    source: 'help.aliyun.com/zh/ram/api-getpolicy: Policy system:policy/{#PolicyName} or {#accountId}:policy/{#PolicyName}, by PolicyType',
  },
  DeletePolicy: { action: 'ram:DeletePolicy', resources: (r) => [customPolicy(r)], source: `${DOCS}deletepolicy: *Policy policy/{#PolicyName}` },
  CreatePolicyVersion: {
    action: 'ram:CreatePolicyVersion',
    resources: (r) => [customPolicy(r)],
    source: 'www.alibabacloud.com/help/zh/ram/developer-reference/api-ram-2015-05-01-createpolicyversion: *Policy policy/{#PolicyName}',
  },
  DeletePolicyVersion: {
    action: 'ram:DeletePolicyVersion',
    resources: (r) => [customPolicy(r)],
    source: 'help.aliyun.com/document_detail/28722.html: *Policy acs:ram:*:{#accountId}:policy/{#PolicyName}',
  },
  ListPolicyVersions: {
    action: 'ram:ListPolicyVersions',
    resources: (r) => [policy(r)],
    source: `${DOCS}listpolicyversions: Policy {#accountId}:policy/{#PolicyName} or system:policy/{#PolicyName}, by PolicyType`,
  },

  // ---------------------------------------------------------------- tags: All Resources
  TagResources: { action: 'ram:TagResources', resources: ALL, source: `${DOCS}tagresources: *全部资源 *` },
  UntagResources: { action: 'ram:UntagResources', resources: ALL, source: `${DOCS}untagresources: *全部资源 *` },
  ListTagResources: { action: 'ram:ListTagResources', resources: ALL, source: `${DOCS}listtagresources: *全部资源 *` },

  // ---------------------------------------------------------------- users, keys, groups
  CreateUser: {
    action: 'ram:CreateUser',
    resources: (r) => [RamResource.user(r.accountId, '*')],
    source: 'help.aliyun.com/document_detail/28680.html: *User acs:ram:*:{#accountId}:user/*',
  },
  GetUser: { action: 'ram:GetUser', resources: (r) => [user(r)], source: 'help.aliyun.com/document_detail/28681.html (需要的权限): acs:ram:*:${AccountId}:user/${UserName}' },
  CreateAccessKey: {
    action: 'ram:CreateAccessKey',
    // Without UserName a RAM user creates a key for itself; the root for the account.
    resources: (r) => [RamResource.user(r.accountId, r.param('UserName') ?? (r.principal.kind === 'user' ? (r.principal.name ?? '*') : '*'))],
    source: 'help.aliyun.com/zh/ram/api-user-management-apis-createaccesskey: *User user/{#UserName}',
  },
  AttachPolicyToUser: {
    action: 'ram:AttachPolicyToUser',
    resources: (r) => [user(r), policy(r)],
    source: `${DOCS}attachpolicytouser: *User user/{#UserName}; Policy policy/{#PolicyName} or system:policy/{#PolicyName}`,
  },
  DetachPolicyFromUser: {
    action: 'ram:DetachPolicyFromUser',
    resources: (r) => [user(r), policy(r)],
    source: 'help.aliyun.com/document_detail/28726.html: *User user/{#UserName}; Policy policy/{#PolicyName} or system:policy/{#PolicyName}',
  },
  ListPoliciesForUser: { action: 'ram:ListPoliciesForUser', resources: (r) => [user(r)], source: 'help.aliyun.com/document_detail/28732.html: *User user/{#UserName}' },
  CreateGroup: {
    action: 'ram:CreateGroup',
    resources: (r) => [RamResource.group(r.accountId, '*')],
    source: 'help.aliyun.com/document_detail/28700.html: *Group acs:ram:*:{#accountId}:group/*',
  },
  AddUserToGroup: {
    action: 'ram:AddUserToGroup',
    resources: (r) => [group(r), user(r)],
    source: 'help.aliyun.com/document_detail/28705.html: *Group group/{#GroupName}; *User user/{#UserName}',
  },
  ListGroupsForUser: { action: 'ram:ListGroupsForUser', resources: (r) => [user(r)], source: 'help.aliyun.com/document_detail/28707.html: *User user/{#UserName}' },
  AttachPolicyToGroup: {
    action: 'ram:AttachPolicyToGroup',
    resources: (r) => [group(r), policy(r)],
    source: 'help.aliyun.com/document_detail/28727.html: Group group/{#GroupName}; Policy policy/{#PolicyName} or system:policy/{#PolicyName}',
  },
};

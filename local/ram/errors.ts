/**
 * RAM error codes with their real HTTP statuses (the RAM API references' error tables,
 * RAM API error center doc-detail/28754, Resource Management error codes).
 */
import { ServiceError } from '../core/errors';

const e = (code: string, status: number, message: string): ServiceError => new ServiceError(code, status, message);

export const RamErrors = {
  invalidChars: (param: string): ServiceError => e(`InvalidParameter.${param}.InvalidChars`, 400, `The parameter - "${param}" contains invalid chars.`),
  length: (param: string): ServiceError => e(`InvalidParameter.${param}.Length`, 400, `The parameter - "${param}" beyond the length limit.`),
  invalid: (param: string, why = 'is invalid'): ServiceError => e(`InvalidParameter.${param}`, 400, `The parameter - "${param}" ${why}.`),
  malformedPolicy: (detail: string): ServiceError => e('MalformedPolicyDocument', 400, `The policy document is malformed: ${detail}`),

  roleExists: (name: string): ServiceError => e('EntityAlreadyExists.Role', 409, `The role does already EXIST: ${name}.`),
  roleNotExist: (arn: string): ServiceError => e('EntityNotExist.Role', 404, `The role not exists: ${arn}.`),
  policyExists: (name: string): ServiceError => e('EntityAlreadyExists.Policy', 409, `The policy already exists: ${name}.`),
  policyNotExist: (name: string): ServiceError => e('EntityNotExist.Policy', 404, `The policy not exists: ${name}.`),
  policyVersionNotExist: (name: string, v: string): ServiceError => e('EntityNotExist.Policy.Version', 404, `The policy version ${v} of ${name} does not exist.`),
  userExists: (name: string): ServiceError => e('EntityAlreadyExists.User', 409, `The user does already EXIST: ${name}.`),
  userNotExist: (name: string): ServiceError => e('EntityNotExist.User', 404, `The user not exists: ${name}.`),
  groupExists: (name: string): ServiceError => e('EntityAlreadyExists.Group', 409, `The group does already EXIST: ${name}.`),
  groupNotExist: (name: string): ServiceError => e('EntityNotExist.Group', 404, `The group not exists: ${name}.`),
  userInGroup: (): ServiceError => e('EntityAlreadyExists.User.Group', 409, 'The user has already been added to this group.'),
  alreadyAttached: (kind: 'Role' | 'User' | 'Group'): ServiceError =>
    e(`EntityAlreadyExists.${kind}.Policy`, 409, `The ${kind.toLowerCase()} has already been attached this policy.`),
  notAttached: (kind: 'Role' | 'User' | 'Group'): ServiceError =>
    e(`EntityNotExist.${kind}.Policy`, 404, `The policy is not attached to the ${kind.toLowerCase()}.`),
  // 409 and this message: Resource Management DeleteRole error table
  // (alibabacloud.com/help/en/resource-management/api-deleterole); an older RAM page words it
  // "The role CAN NOT has any attached policy while deleting the role."
  deleteRoleWithPolicies: (): ServiceError =>
    e('DeleteConflict.Role.Policy', 409, 'The role cannot have any attached policies when you delete it.'),
  deletePolicyAttached: (kind: 'User' | 'Group' | 'Role'): ServiceError =>
    e(`DeleteConflict.Policy.${kind}`, 409, `The policy cannot be attached to any ${kind.toLowerCase()} when you delete it.`),
  deletePolicyVersions: (): ServiceError =>
    e('DeleteConflict.Policy.Version', 409, 'You must delete all non-default versions before you delete the policy.'),

  // The default version goes only with the policy (DeletePolicy); the code is UNCONFIRMED (local/COVERAGE.md).
  deleteDefaultVersion: (): ServiceError => e('DeleteConflict.PolicyVersion.Default', 409, 'The default version of a policy cannot be deleted.'),

  limitRoles: (quota: number): ServiceError => e('LimitExceeded.Role', 409, `The count of roles beyond the current limits: ${quota}.`),
  limitPolicies: (quota: number): ServiceError => e('LimitExceeded.Policy', 409, `The count of policies beyond the current limits: ${quota}.`),
  limitRolePolicies: (type: string, quota: number): ServiceError =>
    e('LimitExceeded.Role.Policy', 409, `The count of ${type.toLowerCase()} policies attached to the role beyond the current limits: ${quota}.`),
  limitPolicyVersions: (quota: number): ServiceError => e('LimitExceeded.Policy.Version', 409, `The count of policy versions beyond the current limits: ${quota}.`),
  limitAccessKeys: (quota: number): ServiceError => e('LimitExceeded.User.AccessKey', 409, `The count of access keys of the user beyond the current limits: ${quota}.`),
  policyTypeInvalid: (): ServiceError => e('InvalidParameter.PolicyType', 400, 'The parameter - "PolicyType" must be "System" or "Custom".'),
} as const;

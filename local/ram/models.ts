/** Entities of the local RAM state, as stored in the journal (plain JSON), and the store API's inputs and views. */

export type PolicyType = 'System' | 'Custom';

export interface AccountRecord {
  accountId: string;
  displayName: string;
  createDate: string;
}

export interface AccessKeyRecord {
  accessKeyId: string;
  accessKeySecret: string;
  accountId: string;
  /** Owning RAM user; absent for the account's root keys. */
  userName?: string;
  status: 'Active' | 'Inactive';
  createDate: string;
}

export interface PolicyAttachment {
  policyType: PolicyType;
  policyName: string;
  attachDate: string;
}

export interface UserRecord {
  userId: string;
  userName: string;
  displayName: string;
  comments: string;
  email: string;
  mobilePhone: string;
  createDate: string;
  updateDate: string;
  policies: PolicyAttachment[];
  groups: Array<{ groupName: string; joinDate: string }>;
}

export interface GroupRecord {
  groupId: string;
  groupName: string;
  comments: string;
  createDate: string;
  updateDate: string;
  policies: PolicyAttachment[];
}

export interface Tag {
  key: string;
  value: string;
}

export interface RoleRecord {
  roleId: string;
  roleName: string;
  arn: string;
  description: string;
  assumeRolePolicyDocument: string;
  maxSessionDuration: number;
  createDate: string;
  updateDate: string;
  tags: Tag[];
  policies: PolicyAttachment[];
}

export interface PolicyVersionRecord {
  versionId: string;
  policyDocument: string;
  createDate: string;
}

export interface CustomPolicyRecord {
  policyName: string;
  description: string;
  createDate: string;
  updateDate: string;
  defaultVersion: string;
  versions: PolicyVersionRecord[];
  nextVersion: number;
  tags: Tag[];
  /** Where it is attached: `user:<lower name>`, `group:<lower name>`, `role:<lower name>`. */
  attachments: string[];
}

export interface SystemPolicy {
  policyName: string;
  description: string;
  policyDocument: string;
  createDate: string;
}

// ------------------------------------------------------------------ inputs and views of the store API

export interface AccessKeyPair {
  accessKeyId: string;
  accessKeySecret: string;
}

export interface CreateRoleInput {
  roleName: string;
  /** JSON text, or a document object (serialised compactly). */
  assumeRolePolicyDocument: string | object;
  description?: string;
  maxSessionDuration?: number;
  tags?: Tag[] | Record<string, string>;
}

export interface UpdateRoleInput {
  newAssumeRolePolicyDocument?: string | object;
  newMaxSessionDuration?: number;
  newDescription?: string;
}

export interface CreatePolicyInput {
  policyName: string;
  policyDocument: string | object;
  description?: string;
  tags?: Tag[] | Record<string, string>;
}

export interface PolicyView {
  policyName: string;
  policyType: PolicyType;
  description: string;
  defaultVersion: string;
  createDate: string;
  updateDate: string;
  attachmentCount: number;
  policyDocument: string;
}

export interface PolicyVersionView {
  versionId: string;
  isDefaultVersion: boolean;
  policyDocument: string;
  createDate: string;
}

export interface AttachedPolicyView {
  policyName: string;
  policyType: PolicyType;
  description: string;
  defaultVersion: string;
  attachDate: string;
}

export type TagResourceType = 'role' | 'policy';

export interface TagResourceView {
  resourceName: string;
  resourceType: TagResourceType;
  tagKey: string;
  tagValue: string;
}

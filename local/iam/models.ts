/** Entities of the local RAM/STS identity state, as stored in the journal (plain JSON). */

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

export interface SessionRecord {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken: string;
  /** Account of the role (the session acts there). */
  accountId: string;
  roleId: string;
  roleName: string;
  sessionName: string;
  /** Epoch ms. */
  expiresAt: number;
  /** Session policy (STS `Policy`), narrowing the role's rights. */
  policy?: string;
  /** Who assumed it: an ARN, or `service:<name>` for a cloud service. */
  assumedBy: string;
  sourceIdentity?: string;
}

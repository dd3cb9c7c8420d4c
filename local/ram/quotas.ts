/**
 * RAM's limits as the local cloud enforces them. The emulator owns these numbers (it must not
 * borrow the product's copy in shared/cloud: a witness that shares our tables cannot catch a
 * wrong one). test/unit/local-access/quota-agreement.test.ts compares them with the product's
 * copy action by action, so a change on either side is deliberate.
 */

export interface RamQuotas {
  /** RAM roles per account. */
  roles: number;
  /** Custom policies per account. */
  policies: number;
  customPoliciesPerRole: number;
  systemPoliciesPerRole: number;
  versionsPerPolicy: number;
  accessKeysPerUser: number;
}

/**
 * Account defaults, enforced with `strictLimits` (off by default, like elasticmq's relaxed
 * limits). Source: RAM "Limitations", www.alibabacloud.com/help/en/ram/product-overview/limits
 * (Dec 2025): 1,000 roles; 1,500 custom policies; 20 system and 10 custom policies per role;
 * 5 versions per custom policy; 2 AccessKey pairs per RAM user. (An older edition of that page,
 * and GetAccountSummary's example, said 5 custom policies per role; the current page says 10.)
 */
export const DEFAULT_RAM_QUOTAS: Readonly<RamQuotas> = {
  roles: 1000,
  policies: 1500,
  customPoliciesPerRole: 10,
  systemPoliciesPerRole: 20,
  versionsPerPolicy: 5,
  accessKeysPerUser: 2,
};

/** Lengths, always enforced (same limits page and the API references' parameter tables). */
export const RAM_LIMITS = {
  roleName: 64,
  userName: 64,
  groupName: 64,
  policyName: 128,
  description: 1024,
  /** Characters of a custom policy document (limits page: 6,144). */
  policyDocument: 6144,
  /** Trust policy size: [UNCONFIRMED] (no primary source); the stricter 2,048 is kept. */
  trustPolicyDocument: 2048,
  /** MaxSessionDuration, CreateRole/UpdateRole reference: 3,600–43,200 s. */
  minMaxSessionDuration: 3600,
  maxMaxSessionDuration: 43200,
  tagsPerResource: 20,
  tagKey: 128,
  tagValue: 256,
  /** ResourceNames per TagResources / UntagResources / ListTagResources call. */
  resourcesPerTagCall: 50,
} as const;

/**
 * Requests per second per account and API ("API speed limit dimension: regionId, API,
 * ParentUid"), enforced with `strictLimits`, answered with `Throttling.User`.
 * Source: RAM flow control, alibabacloud.com/help/en/ram/developer-reference/api-ram-2015-05-01-quota
 * (and its zh edition help.aliyun.com/zh/ram/developer-reference/api-ram-2015-05-01-quota).
 * Only documented rows are listed: UpdateRole, ListRoles, TagResources and GetPolicy did not
 * appear in the excerpts found, so the local cloud does not throttle them.
 */
export const RAM_RATE_LIMITS: Readonly<Record<string, number>> = {
  CreateRole: 20,
  DeleteRole: 20,
  CreatePolicy: 20,
  CreatePolicyVersion: 20,
  DeletePolicy: 20,
  CreateAccessKey: 20,
  DeleteUser: 20,
  AttachPolicyToRole: 10,
  DetachPolicyFromRole: 10,
  DetachPolicyFromGroup: 10,
  UntagResources: 10,
  GetRole: 100,
  GetUser: 100,
  ListPoliciesForRole: 100,
  ListPoliciesForUser: 100,
  ListGroupsForUser: 100,
  ListPolicies: 100,
  ListTagResources: 100,
  ListEntitiesForPolicy: 100,
};

/**
 * Documented size limits on policy documents. The engine parses whatever it is given; the API
 * handlers (CreatePolicy, CreateRole, AssumeRole ...) check these first and answer with their own
 * error codes, because each API words the limit differently.
 */
export const POLICY_LIMITS = {
  /**
   * Characters in a custom policy document.
   * Source: RAM limits, www.alibabacloud.com/help/en/ram/product-overview/limits. An older
   * snapshot of the same page (AlibabaCloudDocs/ram, 2021, intl.en-US/Product Introduction/
   * Limits.md) said 4096; the current page wins.
   */
  customPolicyChars: 6144,
  /**
   * Characters in an AssumeRole session policy (the `Policy` parameter).
   * Source: `@alicloud/sts20150401` AssumeRoleRequest doc comments and doc-detail/39744.
   * The 2021 AssumeRole reference (InvalidParameter.PolicySize) said 1024 bytes; the current docs win.
   */
  sessionPolicyChars: 2048,
  /**
   * Characters in a role's trust policy (AssumeRolePolicyDocument). UNCONFIRMED: no primary source
   * found (local/COVERAGE.md, RAM "Trust policy size"); callers that enforce it should say so.
   */
  trustPolicyChars: 2048,
} as const;

/**
 * STS limits as the local cloud enforces them (owned here, compared with the product's copy by
 * test/unit/local-access/quota-agreement.test.ts).
 */

/**
 * Requests per second per account, shared by the account and all its RAM identities; answered
 * with `Throttling.Api` "Request was denied due to api flow control".
 * Source: STS flow control, www.alibabacloud.com/help/en/ram/developer-reference/api-sts-2015-04-01-quota
 * (AssumeRole 100/s, GetCallerIdentity 100/s, dimension regionId+API+ParentUid); error text:
 * help.aliyun.com/knowledge_detail/257129.html.
 */
export const STS_RATE_LIMITS: Readonly<Record<string, number>> = {
  AssumeRole: 100,
  GetCallerIdentity: 100,
};

/** AssumeRole parameter limits (`@alicloud/sts20150401` AssumeRoleRequest; doc-detail/39744). */
export const STS_LIMITS = {
  /** DurationSeconds: 900 up to the role's MaxSessionDuration; 3,600 when omitted. */
  minDurationSeconds: 900,
  defaultDurationSeconds: 3600,
  /** Session `Policy`: 2,048 characters at most. */
  sessionPolicy: 2048,
} as const;

export const SESSION_NAME = /^[A-Za-z0-9.@_-]{2,64}$/;
export const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;
export const SOURCE_IDENTITY = /^[A-Za-z0-9.@_=,+-]{2,64}$/;

/**
 * ARNs of RAM identities (what callers and trust policies see) and of RAM resources (what
 * authorization checks: `acs:ram:*:<uid>:role/<name>`, with a `*` region).
 */
import type { PolicyType } from './models';

export const roleArnOf = (accountId: string, roleName: string): string => `acs:ram::${accountId}:role/${roleName.toLowerCase()}`;
export const rootArnOf = (accountId: string): string => `acs:ram::${accountId}:root`;
export const userArnOf = (accountId: string, userName: string): string => `acs:ram::${accountId}:user/${userName}`;
export const assumedRoleArnOf = (accountId: string, roleName: string, sessionName: string): string =>
  `acs:ram::${accountId}:assumed-role/${roleName.toLowerCase()}/${sessionName}`;

/**
 * Resource ARNs as RAM's authorization checks them. System policies live in the pseudo-account
 * `system`: `acs:ram:*:system:policy/<name>` (the form of the ListPolicyVersions, GetPolicy and
 * DetachPolicyFromRole authorization tables, help.aliyun.com/document_detail/28730.html).
 */
export const RamResource = {
  role: (accountId: string, name: string): string => `acs:ram:*:${accountId}:role/${name}`,
  user: (accountId: string, name: string): string => `acs:ram:*:${accountId}:user/${name}`,
  group: (accountId: string, name: string): string => `acs:ram:*:${accountId}:group/${name}`,
  customPolicy: (accountId: string, name: string): string => `acs:ram:*:${accountId}:policy/${name}`,
  systemPolicy: (name: string): string => `acs:ram:*:system:policy/${name}`,
  /** By PolicyType as sent: anything but `System` is checked as a custom policy of the account. */
  policy: (accountId: string, type: PolicyType | string, name: string): string =>
    type === 'System' ? RamResource.systemPolicy(name) : RamResource.customPolicy(accountId, name),
};

/** The account of an ARN (`acs:<svc>:<region>:<account>:<resource>`), or undefined. */
export function arnAccount(arn: string): string | undefined {
  const parts = arn.split(':');
  return parts.length >= 5 ? parts[3] : undefined;
}

/**
 * `.crossrole/local.json`: what the local stack (`npm start`, local/stack.ts) writes and the CLI
 * reads to find it. A product module, so that the shipped CLI depends on the file's shape only,
 * never on the local cloud's code (eslint.config.mjs forbids cli/** importing local/**).
 */

/** The seeded principals, by the names `--as` takes (README, "Quick start"). */
export const LOCAL_PRINCIPAL_NAMES = ['owner-admin', 'approver', 'approver-2', 'partner-admin', 'bob'] as const;
type LocalPrincipalName = (typeof LOCAL_PRINCIPAL_NAMES)[number];

export interface LocalPrincipal {
  accountId: string;
  arn: string;
  accessKeyId: string;
  accessKeySecret: string;
}

export interface LocalContract {
  /** host:port of the POP RPC services (RAM/STS/ECS) and the MNS/FC HTTP APIs. */
  endpoint: string;
  api: { intake: string; approval: string };
  ownerAccountId: string;
  partnerAccountId: string;
  region: string;
  principals: Record<LocalPrincipalName, LocalPrincipal>;
}

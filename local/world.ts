/**
 * The seeded local world: Company A (owner) and Company B (partner) from the tutorial, their
 * principals, and the catalog the local functions run with. Account IDs are fixed so that
 * documents, tests and the README can name them; keys are generated on first start.
 */
import { localCatalogInput } from '../shared/contract/local-catalog';
import type { CatalogInput } from '../shared/domain/catalog';

export const LOCAL_REGION = 'cn-hangzhou';
export const OWNER_ACCOUNT_ID = '1511928242963727';
export const PARTNER_ACCOUNT_ID = '1879324520397241';
export const EXEC_ROLE_NAME = 'crossrole-fc-exec';
export const EXEC_POLICY_NAME = 'crossrole-fc-exec-policy';

/** The local VPC the ledger's database sits in; s.yaml's vpcConfig names it through ${env()}. */
export const LOCAL_VPC = { vpcId: 'vpc-crossrolelocal', vSwitchId: 'vsw-crossrolelocal', securityGroupId: 'sg-crossrolelocal' } as const;

/** Principal names written to local.json, as shared/contract/local-contract.ts defines them. */
export const PRINCIPALS = {
  'owner-admin': { accountId: OWNER_ACCOUNT_ID, user: 'owner-admin', policies: ['AdministratorAccess'] },
  approver: { accountId: OWNER_ACCOUNT_ID, user: 'approver', policies: [] as string[] },
  /** A second approver, for the profile that needs two approvals (quorum). */
  'approver-2': { accountId: OWNER_ACCOUNT_ID, user: 'approver-2', policies: [] as string[] },
  'partner-admin': { accountId: PARTNER_ACCOUNT_ID, user: 'partner-admin', policies: ['AdministratorAccess'] },
  bob: { accountId: PARTNER_ACCOUNT_ID, user: 'bob', policies: [] as string[] },
} as const;

export type PrincipalName = keyof typeof PRINCIPALS;

/** The principals that hold the approvers' policy (and are the catalog's approvers). */
export const APPROVER_PRINCIPALS: readonly PrincipalName[] = ['approver', 'approver-2'];

/** The local functions' catalog: deploy/local-catalog.json, which the CLI reads too. */
export const LOCAL_CATALOG: CatalogInput = localCatalogInput();


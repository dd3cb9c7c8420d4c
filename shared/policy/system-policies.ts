/**
 * Alibaba Cloud System policies Crossrole knows the content of, so that a catalog granting one is
 * judged by what it allows rather than by its name (`privilege.ts` classifies them).
 *
 * Pure data. Each entry records the default version's statements as published, with the page it
 * was read from. `status`:
 * - `confirmed`: the statements were read from that page.
 * - `partial`: read from that page, but not every statement was captured (any missing statement
 *   can only add permissions, so such an entry is never judged harmless).
 * - `unconfirmed`: no primary source was found for the document; the statements are the commonly
 *   published ones. Such an entry is judged privileged if what is recorded already is, and
 *   otherwise treated like an unknown policy (possibly privileged): the stricter choice.
 *
 * Alibaba Cloud updates System policies (e.g. AliyunRAMReadOnlyAccess is at v3): a name missing
 * here, or a document changed since, is exactly why unknown names are treated as possibly
 * privileged. Re-check an entry against its page before relaxing anything that depends on it.
 */

export type SystemPolicyStatus = 'confirmed' | 'partial' | 'unconfirmed';

interface SystemPolicyStatement {
  Effect: 'Allow' | 'Deny';
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

interface SystemPolicyEntry {
  name: string;
  status: SystemPolicyStatus;
  /** The page the statements were read from (when unconfirmed: the best page found, if any). */
  source?: string;
  /** Default version shown on that page, when it shows one. */
  version?: string;
  statements: readonly SystemPolicyStatement[];
  note?: string;
}

const RAM_REF = 'https://www.alibabacloud.com/help/en/ram/developer-reference';
const RAM_REF_ZH = 'https://help.aliyun.com/zh/ram/developer-reference';
const ALL = '*';

const slr = (...serviceNames: string[]): SystemPolicyStatement => ({
  Effect: 'Allow',
  Action: 'ram:CreateServiceLinkedRole',
  Resource: ALL,
  Condition: { StringEquals: { 'ram:ServiceName': serviceNames.length === 1 ? (serviceNames[0] as string) : serviceNames } },
});
const passRoleTo = (service: string): SystemPolicyStatement => ({
  Effect: 'Allow',
  Action: 'ram:PassRole',
  Resource: ALL,
  Condition: { StringEquals: { 'acs:Service': service } },
});

export const SYSTEM_POLICIES: readonly SystemPolicyEntry[] = [
  // ---------------------------------------------------------------- everything / identity
  {
    name: 'AdministratorAccess',
    status: 'unconfirmed',
    source: 'https://www.alibabacloud.com/help/en/ram/use-cases/use-ram-to-manage-permissions-of-o-and-m-engineers',
    statements: [{ Effect: 'Allow', Action: ALL, Resource: ALL }],
    note: 'The page describes it as "permissions to manage all Alibaba Cloud resources"; its document page was not found. Privileged either way.',
  },
  {
    name: 'PowerUserAccess',
    status: 'partial',
    source: `${RAM_REF}/poweruseraccess`,
    version: 'v2',
    statements: [
      {
        Effect: 'Allow',
        NotAction: ['ram:*', 'ims:*', 'resourcemanager:*', 'resourcesharing:*', 'cloudsso:*', 'bss:ModifyAccount', 'bss:ModifyBillingAccount', 'bss:ModifyPaymentRelationship', 'bssapi:ModifyAccountRelation'],
        Resource: ALL,
      },
      {
        Effect: 'Allow',
        Action: ['ram:ListUserBasicInfos', 'ram:ListRoles', 'ram:CreateServiceLinkedRole', 'ram:DeleteServiceLinkedRole', 'ram:GetServiceLinkedRoleDeletionStatus', 'ram:CheckServiceLinkedRoleExistence', 'resourcemanager:GetAccount', 'resourcemanager:GetFolder', 'resourcemanager:GetResourceDirectory', 'resourcemanager:ListAccounts', 'resourcemanager:ListFoldersForParent', 'resourcemanager:ListAccountsForParent'],
        Resource: ALL,
      },
    ],
    note: 'Later statements (resource-group management) were cut off in the excerpt read. The NotAction statement alone allows sts:AssumeRole and kms:*.',
  },
  {
    name: 'ReadOnlyAccess',
    status: 'unconfirmed',
    source: 'https://help.aliyun.com/en/ram/view-information-about-all-cloud-resources-within-an-alibaba-cloud-account-except-billing-information',
    statements: [
      { Effect: 'Allow', Action: ['*:Describe*', '*:List*', '*:Get*', '*:BatchGet*', '*:Query*', '*:BatchQuery*', 'actiontrail:LookupEvents', 'dm:Desc*', 'dm:SenderStatistics*'], Resource: ALL },
    ],
    note: 'Recorded from the "read-only access to all resources" example, which mirrors the System policy; the policy page itself was not found. "*:Get*" reaches kms:GetSecretValue.',
  },
  {
    name: 'AliyunRAMFullAccess',
    status: 'unconfirmed',
    statements: [{ Effect: 'Allow', Action: 'ram:*', Resource: ALL }],
    note: 'No page with its document was found. Privileged either way.',
  },
  {
    name: 'AliyunRAMReadOnlyAccess',
    status: 'confirmed',
    source: `${RAM_REF}/aliyunramreadonlyaccess`,
    version: 'v3',
    statements: [
      { Effect: 'Allow', Action: ['ram:Get*', 'ram:List*', 'ram:GenerateCredentialReport'], Resource: ALL },
      { Effect: 'Allow', Action: ['accessanalyzer:Get*', 'accessanalyzer:List*'], Resource: ALL },
    ],
  },
  {
    name: 'AliyunSTSAssumeRoleAccess',
    status: 'confirmed',
    source: `${RAM_REF}/aliyunstsassumeroleaccess`,
    version: 'v1',
    statements: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: ALL }],
  },
  {
    name: 'AliyunResourceManagerFullAccess',
    status: 'unconfirmed',
    statements: [{ Effect: 'Allow', Action: 'resourcemanager:*', Resource: ALL }],
    note: 'No page with its document was found. Privileged either way (resourcemanager:AttachPolicy).',
  },
  {
    name: 'AliyunResourceDirectoryReadOnlyAccess',
    status: 'confirmed',
    source: `${RAM_REF}/aliyunresourcedirectoryreadonlyaccess`,
    version: 'v6',
    statements: [{ Effect: 'Allow', Action: ['resourcemanager:Get*', 'resourcemanager:List*'], Resource: ALL }],
  },
  // ---------------------------------------------------------------- audit and keys
  {
    name: 'AliyunActionTrailFullAccess',
    status: 'confirmed',
    source: `${RAM_REF_ZH}/aliyunactiontrailfullaccess`,
    version: 'v2',
    statements: [{ Effect: 'Allow', Action: 'actiontrail:*', Resource: ALL }, passRoleTo('actiontrail.aliyuncs.com'), slr('actiontrail.aliyuncs.com')],
  },
  {
    name: 'AliyunActionTrailReadOnlyAccess',
    status: 'confirmed',
    source: `${RAM_REF}/aliyunactiontrailreadonlyaccess`,
    version: 'v4',
    statements: [{ Effect: 'Allow', Action: ['actiontrail:Lookup*', 'actiontrail:Describe*', 'actiontrail:Get*', 'actiontrail:Check*', 'actiontrail:List*'], Resource: ALL }],
  },
  {
    name: 'AliyunKMSFullAccess',
    status: 'confirmed',
    source: `${RAM_REF_ZH}/aliyunkmsfullaccess`,
    version: 'v3',
    statements: [{ Effect: 'Allow', Action: 'kms:*', Resource: ALL }, slr('secretsmanager-rds.kms.aliyuncs.com', 'keystore.kms.aliyuncs.com')],
  },
  {
    name: 'AliyunKMSReadOnlyAccess',
    status: 'confirmed',
    source: `${RAM_REF}/aliyunkmsreadonlyaccess`,
    version: 'v3',
    statements: [
      {
        Effect: 'Allow',
        Action: ['kms:List*', 'kms:Describe*', 'kms:GetPublicKey', 'kms:GetUploadBackupDataInfo', 'kms:GetKmsInstanceSharedAccounts', 'kms:GetKmsInstanceQuotaInfos', 'kms:GetCheckAssociateResourceTaskResults', 'kms:GetKeyPolicy', 'kms:GetKeyDefaultPolicy', 'kms:GetSecretPolicy', 'kms:GetSecretDefaultPolicy', 'kms:GetKmsInstance', 'kms:GetDefaultKmsInstance'],
        Resource: ALL,
      },
    ],
    note: 'Lists its Get actions one by one: kms:GetSecretValue is deliberately absent.',
  },
  // ---------------------------------------------------------------- compute and storage
  {
    name: 'AliyunECSReadOnlyAccess',
    status: 'confirmed',
    source: 'https://www.alibabacloud.com/help/doc-detail/273911.htm',
    statements: [
      { Effect: 'Allow', Action: 'ecs:Describe*', Resource: ALL },
      { Effect: 'Allow', Action: 'ecs:List*', Resource: ALL },
      { Effect: 'Allow', Action: ['vpc:DescribeVpcs', 'vpc:DescribeVSwitches'], Resource: ALL },
    ],
    note: 'From the ECS "System policies" page, which shows the document without a version.',
  },
  {
    name: 'AliyunECSFullAccess',
    status: 'confirmed',
    source: 'https://www.alibabacloud.com/help/doc-detail/273911.htm',
    statements: [
      { Effect: 'Allow', Action: 'ecs:*', Resource: ALL },
      { Effect: 'Allow', Action: ['vpc:DescribeVpcs', 'vpc:DescribeVSwitches'], Resource: ALL },
    ],
    note: 'From the ECS "System policies" page, which shows the document without a version.',
  },
  {
    name: 'AliyunOSSReadOnlyAccess',
    status: 'confirmed',
    source: `${RAM_REF_ZH}/aliyunossreadonlyaccess`,
    version: 'v1',
    statements: [{ Effect: 'Allow', Action: ['oss:Get*', 'oss:List*'], Resource: ALL }],
  },
  {
    name: 'AliyunOSSFullAccess',
    status: 'unconfirmed',
    source: 'https://www.alibabacloud.com/help/en/oss/user-guide/how-oss-works-with-ram',
    statements: [{ Effect: 'Allow', Action: 'oss:*', Resource: ALL }],
    note: 'The OSS page names it ("full management permissions") without its document.',
  },
  {
    name: 'AliyunRDSReadOnlyAccess',
    status: 'confirmed',
    source: `${RAM_REF}/aliyunrdsreadonlyaccess`,
    version: 'v3',
    statements: [
      { Effect: 'Allow', Action: 'rds:Describe*', Resource: ALL },
      { Effect: 'Allow', Action: ['hdm:Get*', 'hdm:Describe*', 'hdm:Query*', 'hdm:Support*'], Resource: 'acs:rds:*:*:*' },
      { Effect: 'Allow', Action: ['dbs:Get*', 'dbs:Describe*', 'dbs:Query*', 'dbs:Support*'], Resource: 'acs:rds:*:*:*' },
    ],
  },
  {
    name: 'AliyunRDSFullAccess',
    status: 'unconfirmed',
    source: 'https://www.alibabacloud.com/help/en/rds/apsaradb-rds-for-sql-server/rds',
    statements: [{ Effect: 'Allow', Action: 'rds:*', Resource: ALL }],
    note: 'The RDS "System policies" page names it ("full access to ApsaraDB for RDS") without its document.',
  },
  {
    name: 'AliyunVPCFullAccess',
    status: 'confirmed',
    source: `${RAM_REF}/aliyunvpcfullaccess`,
    version: 'v12',
    statements: [
      {
        Effect: 'Allow',
        Action: ['vpc:*HaVip*', 'vpc:*RouteTable*', 'vpc:*VRouter*', 'vpc:*RouteEntry*', 'vpc:*RouteEntries*', 'vpc:*VSwitch*', 'vpc:*Vpc*', 'vpc:*Cen*', 'vpc:*Tag*', 'vpc:*NetworkAcl*', 'vpc:*FlowLog*', 'vpc:*Ipv4Gateway*', 'vpc:*PrefixList*', 'vpc:*DhcpOptionsSet*', 'vpc:DeletionProtection', 'vpc:*TagResource*', 'vpc:MoveResourceGroup'],
        Resource: ALL,
      },
    ],
  },
  {
    name: 'AliyunVPCReadOnlyAccess',
    status: 'confirmed',
    source: `${RAM_REF}/aliyunvpcreadonlyaccess`,
    version: 'v9',
    statements: [
      {
        Effect: 'Allow',
        Action: ['vpc:DescribeHaVip*', 'vpc:DescribeRouteTable*', 'vpc:DescribeRouteEntry*', 'vpc:DescribeVSwitch*', 'vpc:DescribeVRouter*', 'vpc:DescribeVpc*', 'vpc:Describe*Cen*', 'vpc:ListTag*', 'vpc:DescribeTag*', 'vpc:DescribeNetworkAcl*', 'vpc:DescribeFlowLog*', 'vpc:CheckCanAllocateVpcPrivateIpAddress', 'vpc:ListIpv4Gateways', 'vpc:GetIpv4GatewayAttribute', 'vpc:ListDhcpOptionsSets', 'vpc:GetDhcpOptionsSet'],
        Resource: ALL,
      },
    ],
  },
  // ---------------------------------------------------------------- messaging, functions, logs
  {
    name: 'AliyunMNSFullAccess',
    status: 'unconfirmed',
    source: 'https://www.alibabacloud.com/help/en/mns/permission-policies-and-examples',
    statements: [{ Effect: 'Allow', Action: 'mns:*', Resource: ALL }],
    note: 'The MNS page describes it ("all the permissions of the account on MNS") without its document.',
  },
  {
    name: 'AliyunMNSReadOnlyAccess',
    status: 'confirmed',
    source: `${RAM_REF}/aliyunmnsreadonlyaccess`,
    version: 'v2',
    statements: [{ Effect: 'Allow', Action: ['mns:Get*', 'mns:Query*', 'mns:Desc*', 'mns:List*'], Resource: ALL }],
  },
  {
    name: 'AliyunFCFullAccess',
    status: 'confirmed',
    source: `${RAM_REF}/aliyunfcfullaccess`,
    version: 'v2',
    // PassRole to FC plus fc:* runs code as any role the account has: privileged.
    statements: [{ Effect: 'Allow', Action: 'fc:*', Resource: ALL }, passRoleTo('fc.aliyuncs.com')],
  },
  {
    name: 'AliyunLogFullAccess',
    status: 'confirmed',
    source: `${RAM_REF}/aliyunlogfullaccess`,
    version: 'v4',
    statements: [
      { Effect: 'Allow', Action: 'log:*', Resource: ALL },
      slr('audit.log.aliyuncs.com', 'alert.log.aliyuncs.com', 'middlewarelens.log.aliyuncs.com', 'storagelens.log.aliyuncs.com', 'ai-lens.log.aliyuncs.com', 'securitylens.log.aliyuncs.com'),
      { Effect: 'Allow', Action: ['cms:CreateChat', 'cms:CreateThread'], Resource: 'acs:cms:*:*:digitalemployee/apsara-*' },
    ],
  },
  {
    name: 'AliyunLogReadOnlyAccess',
    status: 'confirmed',
    source: 'https://www.alibabacloud.com/help/en/sls/developer-reference/overview-5',
    statements: [{ Effect: 'Allow', Action: ['log:Get*', 'log:List*'], Resource: ALL }],
    note: 'From the Simple Log Service RAM overview, which prints the policy; no version shown.',
  },
];

const BY_NAME = new Map(SYSTEM_POLICIES.map((p) => [p.name, p]));

/**
 * The entry for a System policy name. Exact match: RAM's console and API spell System policy
 * names one way, and a near-miss (`aliyunramfullaccess`) is better reported as unknown than guessed.
 */
export function findSystemPolicy(name: string): SystemPolicyEntry | undefined {
  return BY_NAME.get(name);
}

/**
 * System policies of the local RAM, with the action patterns of their real namesakes
 * (trimmed to the services the local cloud emulates, plus the usual read-only families).
 */
import type { SystemPolicy } from './models';

const CREATED = '2015-04-28T08:00:00Z';

function policy(policyName: string, description: string, statements: Array<Record<string, unknown>>): SystemPolicy {
  return { policyName, description, createDate: CREATED, policyDocument: JSON.stringify({ Version: '1', Statement: statements }) };
}

const allow = (action: string | string[], resource: string | string[] = '*'): Record<string, unknown> => ({ Action: action, Resource: resource, Effect: 'Allow' });

export const SYSTEM_POLICIES: readonly SystemPolicy[] = [
  policy('AdministratorAccess', 'Provides full access to Alibaba Cloud services and resources.', [allow('*')]),
  policy('ReadOnlyAccess', 'Provides read-only access to Alibaba Cloud services and resources.', [
    allow(['*:Describe*', '*:List*', '*:Get*', '*:BatchGet*', '*:Query*', '*:BatchQuery*']),
  ]),
  policy('AliyunRAMFullAccess', 'Provides full access to Resource Access Management (RAM).', [allow('ram:*')]),
  policy('AliyunRAMReadOnlyAccess', 'Provides read-only access to Resource Access Management (RAM).', [allow(['ram:Get*', 'ram:List*', 'ram:GenerateCredentialReport'])]),
  policy('AliyunSTSAssumeRoleAccess', 'Provides access to call the AssumeRole operation of Security Token Service (STS).', [allow('sts:AssumeRole')]),
  policy('AliyunECSFullAccess', 'Provides full access to Elastic Compute Service (ECS).', [
    allow('ecs:*'),
    allow(['vpc:DescribeVpcs', 'vpc:DescribeVSwitches']),
  ]),
  policy('AliyunECSReadOnlyAccess', 'Provides read-only access to Elastic Compute Service (ECS).', [
    allow(['ecs:Describe*', 'ecs:List*']),
    allow(['vpc:DescribeVpcs', 'vpc:DescribeVSwitches']),
  ]),
  policy('AliyunMNSFullAccess', 'Provides full access to Message Service (MNS).', [allow('mns:*')]),
  policy('AliyunMNSReadOnlyAccess', 'Provides read-only access to Message Service (MNS).', [allow(['mns:Get*', 'mns:List*'])]),
  policy('AliyunFCFullAccess', 'Provides full access to Function Compute (FC).', [allow('fc:*')]),
  policy('AliyunFCReadOnlyAccess', 'Provides read-only access to Function Compute (FC).', [allow(['fc:Get*', 'fc:List*'])]),
];

const BY_NAME = new Map(SYSTEM_POLICIES.map((p) => [p.policyName.toLowerCase(), p]));

export function findSystemPolicy(name: string): SystemPolicy | undefined {
  return BY_NAME.get(name.toLowerCase());
}

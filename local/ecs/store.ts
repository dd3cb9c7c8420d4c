/**
 * ECS instances of the local cloud, per account and region, durable through the Journal.
 * Only what DescribeInstances needs: instances are seeded (tests, `npm start`), not launched.
 */
import type { Journal } from '../core/journal';
import { randomAlnum, randomDigits } from '../ram/ids';

export interface EcsInstance {
  instanceId: string;
  instanceName: string;
  regionId: string;
  zoneId: string;
  instanceType: string;
  status: 'Running' | 'Stopped' | 'Starting' | 'Stopping' | 'Pending';
  cpu: number;
  memory: number;
  imageId: string;
  osName: string;
  osType: 'linux' | 'windows';
  hostName: string;
  privateIp: string;
  vpcId: string;
  vSwitchId: string;
  securityGroupId: string;
  creationTime: string;
  tags: Array<{ key: string; value: string }>;
}

/** Regions the local ECS answers for (DescribeRegions) and accepts as RegionId. */
export const ECS_REGIONS: ReadonlyArray<{ regionId: string; localName: string }> = [
  { regionId: 'cn-hangzhou', localName: '华东1（杭州）' },
  { regionId: 'cn-shanghai', localName: '华东2（上海）' },
  { regionId: 'cn-beijing', localName: '华北2（北京）' },
  { regionId: 'cn-shenzhen', localName: '华南1（深圳）' },
  { regionId: 'ap-southeast-1', localName: '新加坡' },
  { regionId: 'eu-central-1', localName: '德国（法兰克福）' },
  { regionId: 'us-west-1', localName: '美国（硅谷）' },
];

const ns = (accountId: string, regionId: string): string => `instances:${accountId}:${regionId}`;

export class EcsStore {
  constructor(private readonly journal: Journal) {}

  /** Create `n` running instances in `regionId` of `accountId`; returns them. */
  seedInstances(accountId: string, regionId: string, n: number, overrides: Partial<Omit<EcsInstance, 'instanceId' | 'regionId'>> = {}): EcsInstance[] {
    const created: EcsInstance[] = [];
    const existing = this.journal.values(ns(accountId, regionId)).length;
    for (let i = 0; i < n; i++) {
      const idx = existing + i + 1;
      const inst: EcsInstance = {
        instanceId: `i-${randomAlnum(20).toLowerCase()}`,
        instanceName: `instance-${idx}`,
        regionId,
        zoneId: `${regionId}-${'abcdefgh'[idx % 8] ?? 'a'}`,
        instanceType: 'ecs.g7.large',
        status: 'Running',
        cpu: 2,
        memory: 8192,
        imageId: 'aliyun_3_x64_20G_alibase_20240528.vhd',
        osName: 'Alibaba Cloud Linux  3.2104 LTS 64位',
        osType: 'linux',
        hostName: `iZ${randomAlnum(12).toLowerCase()}Z`,
        privateIp: `172.16.${Math.floor(idx / 250) % 250}.${(idx % 250) + 1}`,
        vpcId: `vpc-${randomDigits(12)}`,
        vSwitchId: `vsw-${randomDigits(12)}`,
        securityGroupId: `sg-${randomDigits(12)}`,
        creationTime: new Date().toISOString().replace(/:\d{2}\.\d{3}Z$/, 'Z'),
        tags: [],
        ...overrides,
      };
      created.push(inst);
    }
    this.journal.batch(created.map((c) => ({ ns: ns(accountId, regionId), key: c.instanceId, value: c })));
    return created;
  }

  listInstances(accountId: string, regionId: string): EcsInstance[] {
    return this.journal.values<EcsInstance>(ns(accountId, regionId));
  }

  reset(): void {
    this.journal.reset();
  }
}

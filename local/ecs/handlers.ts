/** ECS (2014-05-26) actions: DescribeInstances and DescribeRegions over seeded instances. */
import { ServiceError } from '../core/errors';
import { intParam, stringListParam, tagListParam } from '../core/params';
import type { RpcContext, RpcHandler } from '../core/rpc';
import { ECS_REGIONS, type EcsInstance, type EcsStore } from './store';

const KNOWN_REGIONS = new Set(ECS_REGIONS.map((r) => r.regionId));

function regionOf(ctx: RpcContext): string {
  const regionId = ctx.required('RegionId');
  if (!KNOWN_REGIONS.has(regionId)) throw new ServiceError('InvalidRegionId.NotFound', 404, 'The specified RegionId does not exist.');
  return regionId;
}

function instanceView(i: EcsInstance): Record<string, unknown> {
  return {
    InstanceId: i.instanceId,
    InstanceName: i.instanceName,
    Description: '',
    RegionId: i.regionId,
    ZoneId: i.zoneId,
    InstanceType: i.instanceType,
    InstanceTypeFamily: i.instanceType.split('.').slice(0, 2).join('.'),
    Status: i.status,
    Cpu: i.cpu,
    Memory: i.memory,
    ImageId: i.imageId,
    OSName: i.osName,
    OSNameEn: 'Alibaba Cloud Linux  3.2104 LTS 64 bit',
    OSType: i.osType,
    HostName: i.hostName,
    CreationTime: i.creationTime,
    StartTime: i.creationTime,
    ExpiredTime: '2099-12-31T15:59Z',
    InstanceChargeType: 'PostPaid',
    InternetChargeType: 'PayByTraffic',
    InternetMaxBandwidthIn: 100,
    InternetMaxBandwidthOut: 0,
    InstanceNetworkType: 'vpc',
    IoOptimized: true,
    DeletionProtection: false,
    DeviceAvailable: true,
    Recyclable: false,
    SerialNumber: '',
    StoppedMode: 'Not-applicable',
    VlanId: '',
    GPUAmount: 0,
    GPUSpec: '',
    SpotStrategy: 'NoSpot',
    ResourceGroupId: '',
    PublicIpAddress: { IpAddress: [] },
    InnerIpAddress: { IpAddress: [] },
    RdmaIpAddress: { IpAddress: [] },
    EipAddress: { AllocationId: '', IpAddress: '', Bandwidth: 0, InternetChargeType: '' },
    SecurityGroupIds: { SecurityGroupId: [i.securityGroupId] },
    VpcAttributes: { VpcId: i.vpcId, VSwitchId: i.vSwitchId, NatIpAddress: '', PrivateIpAddress: { IpAddress: [i.privateIp] } },
    NetworkInterfaces: {
      NetworkInterface: [
        {
          NetworkInterfaceId: `eni-${i.instanceId.slice(2)}`,
          Type: 'Primary',
          MacAddress: '00:16:3e:00:00:01',
          PrimaryIpAddress: i.privateIp,
          PrivateIpSets: { PrivateIpSet: [{ Primary: true, PrivateIpAddress: i.privateIp, PrivateDnsName: '' }] },
        },
      ],
    },
    OperationLocks: { LockReason: [] },
    Tags: { Tag: i.tags.map((t) => ({ TagKey: t.key, TagValue: t.value })) },
    CpuOptions: { CoreCount: i.cpu / 2, ThreadsPerCore: 2, Numa: '' },
    MetadataOptions: { HttpEndpoint: 'enabled', HttpTokens: 'optional', HttpPutResponseHopLimit: 1 },
  };
}

export function ecsHandlers(store: EcsStore): Record<string, RpcHandler> {
  const DescribeInstances: RpcHandler = (ctx) => {
    const regionId = regionOf(ctx);
    ctx.authorize();
    const pageNumber = intParam(ctx, 'PageNumber') ?? 1;
    const pageSize = intParam(ctx, 'PageSize') ?? 10;
    if (pageNumber < 1) throw new ServiceError('InvalidParameter.PageNumber', 400, 'The specified parameter "PageNumber" is not valid.');
    if (pageSize < 1 || pageSize > 100) throw new ServiceError('InvalidParameter.PageSize', 400, 'The specified parameter "PageSize" is not valid.');
    let ids: string[] | undefined;
    try {
      ids = stringListParam(ctx, 'InstanceIds');
    } catch {
      throw new ServiceError('InvalidInstanceIds.Malformed', 400, 'The specified parameter "InstanceIds" is not valid.');
    }
    if (ids !== undefined && ids.length > 100) throw new ServiceError('InvalidInstanceIds.Malformed', 400, 'The specified parameter "InstanceIds" is not valid.');
    const wanted = ids === undefined ? undefined : new Set(ids);
    const status = ctx.param('Status');
    const name = ctx.param('InstanceName');
    const tags = tagListParam(ctx, 'Tag') ?? [];
    const all = store
      .listInstances(ctx.principal.accountId, regionId)
      .filter(
        (i) =>
          (wanted === undefined || wanted.has(i.instanceId)) &&
          (status === undefined || i.status === status) &&
          (name === undefined || i.instanceName === name) &&
          tags.every((t) => i.tags.some((x) => x.key === t.key && (t.value === undefined || x.value === t.value))),
      );
    const page = all.slice((pageNumber - 1) * pageSize, pageNumber * pageSize);
    return { TotalCount: all.length, PageNumber: pageNumber, PageSize: pageSize, NextToken: '', Instances: { Instance: page.map(instanceView) } };
  };

  const DescribeRegions: RpcHandler = (ctx) => {
    ctx.authorize();
    return {
      Regions: {
        Region: ECS_REGIONS.map((r) => ({ RegionId: r.regionId, LocalName: r.localName, RegionEndpoint: `ecs.${r.regionId}.aliyuncs.com`, Status: 'available' })),
      },
    };
  };

  return { DescribeInstances, DescribeRegions };
}

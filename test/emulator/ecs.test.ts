/** ECS through the real @alicloud/ecs20140526 client: DescribeInstances / DescribeRegions. */
import * as E from '@alicloud/ecs20140526';
import { ACCOUNT_A, ACCOUNT_B, ecsClient, expectCloudError, seedTutorial, startTestServer, type LocalServer, type Tutorial } from '../helpers/local-server';

describe('ECS (SDK)', () => {
  let server: LocalServer;
  let t: Tutorial;
  let ids: string[];

  beforeAll(async () => {
    server = await startTestServer();
    t = seedTutorial(server);
    ids = server.ecs.seedInstances(ACCOUNT_A, 'cn-hangzhou', 12).map((i) => i.instanceId);
    server.ecs.seedInstances(ACCOUNT_A, 'cn-shanghai', 1);
    server.ecs.seedInstances(ACCOUNT_B, 'cn-hangzhou', 1);
  });
  afterAll(async () => {
    await server.close();
  });

  it('DescribeInstances pages the account instances of one region, in the SDK model shape', async () => {
    const ecs = ecsClient(server, t.adminA);
    const p1 = await ecs.describeInstances(new E.DescribeInstancesRequest({ regionId: 'cn-hangzhou' }));
    expect(p1.body).toMatchObject({ totalCount: 12, pageNumber: 1, pageSize: 10 });
    expect(p1.body!.instances?.instance).toHaveLength(10);
    const first = p1.body!.instances?.instance?.[0];
    expect(first).toMatchObject({ instanceId: ids[0], regionId: 'cn-hangzhou', status: 'Running', cpu: 2, memory: 8192, instanceNetworkType: 'vpc' });
    expect(first?.vpcAttributes?.privateIpAddress?.ipAddress).toHaveLength(1);
    expect(first?.securityGroupIds?.securityGroupId).toHaveLength(1);
    expect(first?.publicIpAddress?.ipAddress).toEqual([]);
    const p2 = await ecs.describeInstances(new E.DescribeInstancesRequest({ regionId: 'cn-hangzhou', pageNumber: 2 }));
    expect(p2.body!.instances?.instance?.map((i) => i.instanceId)).toEqual(ids.slice(10));
    const one = await ecs.describeInstances(new E.DescribeInstancesRequest({ regionId: 'cn-hangzhou', instanceIds: JSON.stringify([ids[3]]) }));
    expect(one.body!.instances?.instance?.map((i) => i.instanceId)).toEqual([ids[3]]);
    const none = await ecs.describeInstances(new E.DescribeInstancesRequest({ regionId: 'cn-beijing' }));
    expect(none.body).toMatchObject({ totalCount: 0 });
    expect(none.body!.instances?.instance).toEqual([]);
  });

  it('validates RegionId and paging', async () => {
    const ecs = ecsClient(server, t.adminA);
    await expectCloudError(ecs.describeInstances(new E.DescribeInstancesRequest({})), 'MissingRegionId', 400);
    await expectCloudError(ecs.describeInstances(new E.DescribeInstancesRequest({ regionId: 'mars-1' })), 'InvalidRegionId.NotFound', 404);
    await expectCloudError(ecs.describeInstances(new E.DescribeInstancesRequest({ regionId: 'cn-hangzhou', pageSize: 101 })), 'InvalidParameter.PageSize', 400);
    await expectCloudError(ecs.describeInstances(new E.DescribeInstancesRequest({ regionId: 'cn-hangzhou', instanceIds: 'not-json' })), 'InvalidInstanceIds.Malformed', 400);
  });

  it('DescribeRegions lists regions', async () => {
    const r = await ecsClient(server, t.adminB).describeRegions(new E.DescribeRegionsRequest({}));
    expect(r.body!.regions?.region?.map((x) => x.regionId)).toContain('cn-hangzhou');
    expect(r.body!.regions?.region?.[0]).toMatchObject({ regionEndpoint: 'ecs.cn-hangzhou.aliyuncs.com', status: 'available' });
  });

  it('authorizes ecs:DescribeInstances: a RAM user needs a policy (Forbidden.RAM otherwise); accounts see only their own', async () => {
    const bob = ecsClient(server, t.bob);
    await expectCloudError(bob.describeInstances(new E.DescribeInstancesRequest({ regionId: 'cn-hangzhou' })), 'Forbidden.RAM', 403);
    server.ram.attachPolicyToUser(ACCOUNT_B, 'System', 'AliyunECSReadOnlyAccess', 'Bob');
    const own = await bob.describeInstances(new E.DescribeInstancesRequest({ regionId: 'cn-hangzhou' }));
    expect(own.body!.totalCount).toBe(1);
    expect(own.body!.instances?.instance?.some((i) => ids.includes(i.instanceId ?? ''))).toBe(false);
  });

  it('legacy HMAC-SHA1 signing works for ECS', async () => {
    const r = await ecsClient(server, t.adminA, { v2: true }).describeInstances(new E.DescribeInstancesRequest({ regionId: 'cn-shanghai' }));
    expect(r.body!.totalCount).toBe(1);
  });
});

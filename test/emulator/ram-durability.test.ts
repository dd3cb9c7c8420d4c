/**
 * Durability of the identity state: everything survives close/reopen on the same data
 * directory and `kill -9` of a server process; reset forgets everything.
 */
import { spawn } from 'node:child_process';
import * as E from '@alicloud/ecs20140526';
import * as R from '@alicloud/ram20150501';
import * as S from '@alicloud/sts20150401';
import { ACCOUNT_A, ACCOUNT_B, ecsClient, expectCloudError, ramClient, seedTutorial, startTestServer, stsClient, tempDataDir, type LocalServer } from '../helpers/local-server';

const trustB = JSON.stringify({ Version: '1', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { RAM: [`acs:ram::${ACCOUNT_B}:root`] } }] });

describe('durability', () => {
  it('state survives closing and reopening the same data dir; reset empties it durably', async () => {
    const { dir, cleanup } = tempDataDir();
    try {
      // Prepare
      const first = await startTestServer({ dataDir: dir });
      const t = seedTutorial(first);
      const ram = ramClient(first, t.adminA);
      await ram.createRole(new R.CreateRoleRequest({ roleName: 'durable-role', assumeRolePolicyDocument: trustB, tag: [new R.CreateRoleRequestTag({ key: 'crossrole:managed', value: 'true' })] }));
      await ram.attachPolicyToRole(new R.AttachPolicyToRoleRequest({ policyType: 'System', policyName: 'AliyunECSReadOnlyAccess', roleName: 'durable-role' }));
      await ram.createPolicy(new R.CreatePolicyRequest({ policyName: 'durable-policy', policyDocument: JSON.stringify({ Version: '1', Statement: [{ Effect: 'Allow', Action: 'ecs:Describe*', Resource: '*' }] }) }));
      first.ram.attachPolicyToUser(ACCOUNT_B, 'System', 'AliyunSTSAssumeRoleAccess', 'Bob');
      const ids = first.ecs.seedInstances(ACCOUNT_A, 'cn-hangzhou', 2).map((i) => i.instanceId);
      const c = (await stsClient(first, t.bob).assumeRole(new S.AssumeRoleRequest({ roleArn: `acs:ram::${ACCOUNT_A}:role/durable-role`, roleSessionName: 'bob' }))).body!.credentials;
      await first.close();

      // Act
      const second = await startTestServer({ dataDir: dir });

      // Assess: keys, roles, attachments, tags, custom policies, sessions and instances are back.
      const ram2 = ramClient(second, t.adminA);
      const role = await ram2.getRole(new R.GetRoleRequest({ roleName: 'durable-role' }));
      expect(role.body!.role?.assumeRolePolicyDocument).toBe(trustB);
      const listed = await ram2.listRoles(new R.ListRolesRequest({ tag: [new R.ListRolesRequestTag({ key: 'crossrole:managed', value: 'true' })] }));
      expect(listed.body!.roles?.role?.map((r) => r.roleName)).toEqual(['durable-role']);
      expect((await ram2.listPoliciesForRole(new R.ListPoliciesForRoleRequest({ roleName: 'durable-role' }))).body!.policies?.policy?.map((p) => p.policyName)).toEqual(['AliyunECSReadOnlyAccess']);
      expect((await ram2.getPolicy(new R.GetPolicyRequest({ policyName: 'durable-policy', policyType: 'Custom' }))).body!.policy?.defaultVersion).toBe('v1');
      const token = { accessKeyId: c?.accessKeyId ?? '', accessKeySecret: c?.accessKeySecret ?? '', securityToken: c?.securityToken ?? '' };
      const seen = await ecsClient(second, token).describeInstances(new E.DescribeInstancesRequest({ regionId: 'cn-hangzhou' }));
      expect(seen.body!.instances?.instance?.map((i) => i.instanceId)).toEqual(ids);

      await second.reset();
      await expectCloudError(ram2.getRole(new R.GetRoleRequest({ roleName: 'durable-role' })), 'InvalidAccessKeyId.NotFound', 404);
      await second.close();
      const third = await startTestServer({ dataDir: dir });
      expect(third.ram.listAccounts()).toEqual([]);
      expect(third.ecs.listInstances(ACCOUNT_A, 'cn-hangzhou')).toEqual([]);
      await third.close();
    } finally {
      cleanup();
    }
  });

  it('an acknowledged CreateRole survives kill -9 of the server process', async () => {
    const { dir, cleanup } = tempDataDir();
    let server: LocalServer | undefined;
    // `node --import tsx` (not the tsx CLI, which forks): SIGKILL must hit the server process itself.
    const child = spawn(process.execPath, ['--import', 'tsx', 'local/server.ts', '--port', '0', '--data-dir', dir, '--seed'], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      // Prepare: wait for the listening line and the seeded accounts (JSON after it).
      const out = await new Promise<string>((resolve, reject) => {
        let buf = '';
        const timer = setTimeout(() => reject(new Error(`server did not start: ${buf}`)), 20_000);
        child.stdout.on('data', (d: Buffer) => {
          buf += d.toString('utf8');
          if (/\n}\n/.test(buf)) {
            clearTimeout(timer);
            resolve(buf);
          }
        });
        child.on('exit', (code) => reject(new Error(`server exited with ${String(code)}: ${buf}`)));
      });
      const json = JSON.parse(out.slice(out.indexOf('{'))) as { endpoint: string; accounts: Array<{ accountId: string; rootAccessKey: { accessKeyId: string; accessKeySecret: string } }> };
      const a = json.accounts[0];
      if (!a) throw new Error('no seeded account');
      const [host = '', port = ''] = json.endpoint.split(':');
      const fake = { endpoint: json.endpoint, host, port: Number(port) } as LocalServer;

      // Act
      await ramClient(fake, a.rootAccessKey).createRole(new R.CreateRoleRequest({ roleName: 'survivor', assumeRolePolicyDocument: trustB }));
      child.kill('SIGKILL');
      await new Promise((r) => child.once('close', r));

      // Assess
      server = await startTestServer({ dataDir: dir });
      expect(server.ram.getRole(a.accountId, 'survivor').arn).toBe(`acs:ram::${a.accountId}:role/survivor`);
      const back = await ramClient(server, a.rootAccessKey).getRole(new R.GetRoleRequest({ roleName: 'survivor' }));
      expect(back.body!.role?.roleName).toBe('survivor');
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await server?.close();
      cleanup();
    }
  }, 30_000);
});

/**
 * The `crossrole` CLI as people use it: the local stack as a child process, every command as a
 * separate `node bin/crossrole.js` process. The tutorial through the CLI alone, the approver's
 * inbox (JSON, non-interactive decisions, and the interactive prompts on a pseudo-terminal), the
 * narrated demo, the operator commands, and the failure modes with their codes and exit statuses.
 */
import { execFileSync, spawn } from 'node:child_process';
import { createServer as createHttpsServer } from 'node:https';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import Ecs, * as E from '@alicloud/ecs20140526';
import Ram, * as R from '@alicloud/ram20150501';
import Sts, * as S from '@alicloud/sts20150401';
import { LOCAL_CATALOG } from '../../local/world';
import { ensureCliBuilt, json, runCli, runCliInPty, tempDir, type CliResult, type StackProcess, startStackProcess, ROOT } from '../helpers/cli';

interface Req {
  id: string;
  status: string;
  roleName: string;
  principals: string[];
  grant?: { roleArn: string; externalId: string; partnerPolicy: string };
}

let stack: StackProcess;
let env: Record<string, string>;

const cli = (args: string[], extraEnv: Record<string, string | undefined> = {}): Promise<CliResult> => runCli(args, { env: { ...env, ...extraEnv } });

function creds(name: 'owner-admin' | 'approver' | 'partner-admin' | 'bob'): { accessKeyId: string; accessKeySecret: string } {
  const p = stack.contract.principals[name];
  return { accessKeyId: p.accessKeyId, accessKeySecret: p.accessKeySecret };
}

function popConfig(c: { accessKeyId: string; accessKeySecret: string; securityToken?: string }): $OpenApiUtil.Config {
  return new $OpenApiUtil.Config({ ...c, endpoint: stack.contract.endpoint, protocol: 'http', regionId: 'cn-hangzhou' });
}

/**
 * An HTTPS front for the local stack (self-signed certificate for 127.0.0.1, made with openssl):
 * @alicloud/credentials' RamRoleArn provider speaks https only. The child trusts the certificate
 * through NODE_EXTRA_CA_CERTS.
 */
async function tlsProxyTo(endpoint: string, dir: string): Promise<{ host: string; caFile: string; requests(): number; close(): Promise<void> }> {
  const key = join(dir, 'proxy.key');
  const caFile = join(dir, 'proxy.crt');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', caFile, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  let count = 0;
  const server = createHttpsServer({ key: readFileSync(key), cert: readFileSync(caFile) }, (req, res) => {
    count++;
    const [host, port] = endpoint.split(':');
    const upstream = httpRequest({ host, port: Number(port), method: req.method, path: req.url, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { host: `127.0.0.1:${port}`, caFile, requests: () => count, close: () => new Promise<void>((r) => server.close(() => r())) };
}

async function submit(reason: string, extra: string[] = []): Promise<Req> {
  const r = await cli(['request', '--as', 'partner-admin', '--access-profile', 'ecs-readonly', '--duration', '2h', '--reason', reason, '--json', ...extra]);
  expect(r.code).toBe(0);
  return json<{ request: Req }>(r).request;
}

async function statusOf(id: string): Promise<string> {
  return json<{ request: Req }>(await cli(['status', id, '--as', 'partner-admin', '--json'])).request.status;
}

beforeAll(async () => {
  await ensureCliBuilt();
  stack = await startStackProcess();
  env = { CROSSROLE_DATA_DIR: stack.dataDir, NO_COLOR: '1' };
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

describe('crossrole CLI against the local stack', () => {
  it('plays the tutorial through the CLI alone: request, inbox, approve, partner policy, assume, revoke', async () => {
    // Partner (B) asks, trusting Bob only.
    const asked = await submit('Quarterly audit', ['--role-name', 'Audit-ReadOnly', '--principal', 'user/bob']);
    expect(asked).toMatchObject({ status: 'PENDING', roleName: 'crossrole-audit-readonly', principals: [`acs:ram::${stack.contract.partnerAccountId}:user/bob`] });

    // The approver's inbox sees exactly that pending request (and takes nothing).
    const inbox = json<{ items: Array<{ request: Req; policies: string[] }> }>(await cli(['inbox', '--as', 'approver', '--json']));
    expect(inbox.items.map((i) => i.request.id)).toEqual([asked.id]);
    expect(inbox.items[0]?.policies).toEqual(['System:AliyunECSReadOnlyAccess']);
    expect(json<{ items: unknown[] }>(await cli(['inbox', '--as', 'approver', '--json'])).items).toHaveLength(1);

    const approved = await cli(['approve', asked.id, '--as', 'approver', '--wait', '--json']);
    expect(approved.code).toBe(0);
    const active = json<{ request: Req }>(approved).request;
    expect(active.status).toBe('ACTIVE');
    const roleArn = `acs:ram::${stack.contract.ownerAccountId}:role/crossrole-audit-readonly`;
    expect(active.grant?.roleArn).toBe(roleArn);

    // Step 2: the partner policy, attached to Bob by B's admin (RAM SDK, as the tutorial says).
    const pp = await cli(['partner-policy', asked.id, '--as', 'partner-admin']);
    expect(pp.code).toBe(0);
    const policy = JSON.parse(pp.stdout) as { Statement: Array<{ Action: string; Resource: string }> };
    expect(policy.Statement).toEqual([expect.objectContaining({ Action: 'sts:AssumeRole', Resource: roleArn })]);
    const ramB = new Ram(popConfig(creds('partner-admin')));
    await ramB.createPolicy(new R.CreatePolicyRequest({ policyName: 'AssumeAuditReadOnly', policyDocument: pp.stdout }));
    await ramB.attachPolicyToUser(new R.AttachPolicyToUserRequest({ policyType: 'Custom', policyName: 'AssumeAuditReadOnly', userName: 'bob' }));

    // Step 3: Bob assumes the role; the exports are usable credentials for A's ECS. He did not ask
    // for the grant and manages nothing in B (deploy/local-catalog.json), but the trust policy names
    // him, so he may read the grant by its id; the role ARN with the ExternalId works as well.
    const byId = await cli(['assume', asked.id, '--as', 'bob']);
    expect(byId.code).toBe(0);
    const externalId = json<{ request: Req }>(await cli(['status', asked.id, '--as', 'partner-admin', '--json'])).request.grant?.externalId ?? '';
    expect(externalId).not.toBe('');
    const assumed = await cli(['assume', roleArn, '--external-id', externalId, '--as', 'bob']);
    expect(assumed.code).toBe(0);
    const exported = Object.fromEntries([...assumed.stdout.matchAll(/^export (ALIBABA_CLOUD_[A-Z_]+)=(\S+)$/gm)].map((m) => [m[1], m[2]]));
    // The session, and the switch that makes the aliyun CLI prefer it to its own profiles.
    expect(Object.keys(exported).sort()).toEqual(['ALIBABA_CLOUD_ACCESS_KEY_ID', 'ALIBABA_CLOUD_ACCESS_KEY_SECRET', 'ALIBABA_CLOUD_IGNORE_PROFILE', 'ALIBABA_CLOUD_SECURITY_TOKEN']);
    expect(exported['ALIBABA_CLOUD_IGNORE_PROFILE']).toBe('TRUE');
    const token = { accessKeyId: exported['ALIBABA_CLOUD_ACCESS_KEY_ID'] ?? '', accessKeySecret: exported['ALIBABA_CLOUD_ACCESS_KEY_SECRET'] ?? '', securityToken: exported['ALIBABA_CLOUD_SECURITY_TOKEN'] ?? '' };
    const ecs = new Ecs(popConfig(token));
    const listed = await ecs.describeInstances(new E.DescribeInstancesRequest({ regionId: 'cn-hangzhou' }));
    expect(listed.body?.instances?.instance?.length).toBe(3);

    // Revoke (trust mode); the token is cut off and the request ends REVOKED.
    const revoked = await cli(['revoke', asked.id, '--as', 'partner-admin', '--reason', 'audit done', '--wait']);
    expect(revoked.code).toBe(0);
    expect(revoked.stdout).toContain('REVOKED');
    expect(await statusOf(asked.id)).toBe('REVOKED');
    await expect(ecs.describeInstances(new E.DescribeInstancesRequest({ regionId: 'cn-hangzhou' }))).rejects.toMatchObject({ code: 'Forbidden.RAM' });
    const again = await cli(['assume', asked.id, '--as', 'partner-admin']);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('NOT_ACTIVE');
  }, 60_000);

  it('decides in the interactive inbox on a terminal: reject asks for a reason', async () => {
    const r = await submit('Interactive check');
    const run = await runCliInPty(['inbox', '--as', 'approver'], [
      { waitFor: 'Decision', send: 'r' },
      { waitFor: 'Reason for the rejection', send: 'no change ticket\r' },
    ], { env });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Request 1 of 1: ecs-readonly for 2h (System AliyunECSReadOnlyAccess)`);
    expect(run.stdout).toContain('Interactive check');
    expect(run.stdout).toContain(`${r.id}: rejected`);
    const view = json<{ request: Req & { decisionReason: string } }>(await cli(['status', r.id, '--as', 'partner-admin', '--json']));
    expect(view.request).toMatchObject({ status: 'REJECTED', decisionReason: 'no change ticket' });
    expect(json<{ items: unknown[] }>(await cli(['inbox', '--as', 'approver', '--json'])).items).toEqual([]);
  }, 30_000);

  it('decides without prompts: skip leaves the message, a stale one is removed, approve acts', async () => {
    const inboxWithoutTty = await cli(['inbox', '--as', 'approver']);
    expect(inboxWithoutTty.code).toBe(2);
    expect(inboxWithoutTty.stderr).toContain('--decision approve|reject|skip');

    const cancelled = await submit('Withdrawn later');
    expect((await cli(['cancel', cancelled.id, '--as', 'partner-admin'])).code).toBe(0);
    const kept = await submit('Decide later');
    const skip = await cli(['inbox', '--as', 'approver', '--decision', 'skip']);
    expect(skip.code).toBe(0);
    expect(skip.stderr).toContain(`${cancelled.id}: no longer pending (CANCELLED); message removed`);
    expect(skip.stdout).toContain('0 approved, 0 rejected, 1 skipped, 1 removed');
    expect(await statusOf(kept.id)).toBe('PENDING');

    const rejectWithoutReason = await cli(['inbox', '--as', 'approver', '--decision', 'reject']);
    expect(rejectWithoutReason.code).toBe(2);
    const approved = await cli(['approve', kept.id, '--as', 'approver', '--wait']);
    expect(approved.code).toBe(0);
    expect(approved.stdout).toContain('Status: ACTIVE');
    expect((await cli(['revoke', kept.id, '--as', 'approver', '--delete', '--reason', 'cleanup', '--wait'])).code).toBe(0);
  }, 40_000);

  it('narrates the demo end to end against the running stack and exits 0', async () => {
    const r = await runCli(['demo', '--short-duration', '12s'], { env, timeoutMs: 80_000 });
    if (r.code !== 0) throw new Error(`demo failed (${r.code}):\n${r.stdout}\n${r.stderr}`);
    expect(r.stdout).toContain(`Using the local stack running at http://${stack.contract.endpoint}`);
    expect(r.stdout).toContain('becomes crossrole-partner-readonly-access');
    expect(r.stdout).toMatch(/Bob's earlier token: refused too \(Forbidden\.RAM\)/);
    expect(r.stdout).toContain('answers EntityNotExist.Role');
    expect(r.stdout).toMatch(/the same session is refused \(Forbidden\.RAM\)/);
    expect(r.stdout).toContain('REVOKED by system:expiry');
    expect(r.stdout).toMatch(/default version v2 denies after/);
    expect(r.stdout).toMatch(/All 11 steps behaved as narrated/);
  }, 90_000);

  it('refuses with the documented codes and exit statuses', async () => {
    const home = tempDir('crossrole-home-');
    try {
      const [wrong, none, notApprover, usage, unknown, badStatus, badDuration] = await Promise.all([
        cli(['list'], { ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAI5tNotARealKey00000', ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'nope' }),
        runCli(['list', '--endpoint', `http://${stack.contract.endpoint}`, '--sts-endpoint', `http://${stack.contract.endpoint}`], { env: { HOME: home.dir }, cwd: home.dir }),
        cli(['approve', '00000000-0000-4000-8000-000000000000', '--as', 'owner-admin']),
        cli(['request', '--as', 'partner-admin', '--access-profile', 'ecs-readonly']),
        cli(['launch-missiles']),
        cli(['list', '--as', 'approver', '--status', 'SOMETIMES']),
        cli(['assume', 'x', '--as', 'bob', '--duration', '5m']),
      ]);
      expect({ code: wrong.code, out: wrong.stderr }).toEqual({ code: 1, out: expect.stringContaining('IDENTITY_REJECTED') });
      expect(none.code).toBe(1);
      expect(none.stderr).toContain('NO_CREDENTIALS');
      expect(none.stderr).toContain('~/.aliyun/config.json');
      expect(none.stderr).toContain('ALIBABA_CLOUD_ACCESS_KEY_ID');
      expect({ code: notApprover.code, out: notApprover.stderr }).toEqual({ code: 1, out: expect.stringContaining('FORBIDDEN_NOT_APPROVER') });
      expect(notApprover.stderr).toContain('what to do:');
      for (const r of [usage, unknown, badStatus, badDuration]) expect(r.code).toBe(2);
      expect(usage.stderr).toContain('--duration');

      const asJson = await cli(['approve', '00000000-0000-4000-8000-000000000000', '--as', 'owner-admin', '--json']);
      expect(json<{ error: { code: string; status: number } }>(asJson).error).toMatchObject({ code: 'FORBIDDEN_NOT_APPROVER', status: 403 });
    } finally {
      home.cleanup();
    }
  }, 30_000);

  it('reads credentials from aliyun CLI profiles of every kind through @alicloud/credentials (AK, StsToken, RamRoleArn)', async () => {
    const home = tempDir('crossrole-home-');
    const proxy = await tlsProxyTo(stack.contract.endpoint, home.dir);
    try {
      mkdirSync(join(home.dir, '.aliyun'));
      const b = creds('partner-admin');
      const B = stack.contract.partnerAccountId;
      // A role of B that B's users may assume (B's admin makes it with the RAM SDK), and STS keys for it.
      await new Ram(popConfig(b)).createRole(new R.CreateRoleRequest({
        roleName: 'cli-profile', assumeRolePolicyDocument: JSON.stringify({ Version: '1', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { RAM: [`acs:ram::${B}:root`] } }] }),
      }));
      const roleArn = `acs:ram::${B}:role/cli-profile`;
      const sts = (await new Sts(popConfig(b)).assumeRole(new S.AssumeRoleRequest({ roleArn, roleSessionName: 'sts-token-profile', durationSeconds: 900 }))).body?.credentials;
      writeFileSync(join(home.dir, '.aliyun', 'config.json'), JSON.stringify({ current: 'b', profiles: [
        { name: 'b', mode: 'AK', access_key_id: b.accessKeyId, access_key_secret: b.accessKeySecret, region_id: 'cn-hangzhou' },
        { name: 'sts', mode: 'StsToken', access_key_id: sts?.accessKeyId, access_key_secret: sts?.accessKeySecret, sts_token: sts?.securityToken, region_id: 'cn-hangzhou' },
        // The provider calls STS AssumeRole itself, over https only: sts_endpoint is a TLS proxy to the local STS.
        { name: 'rra', mode: 'RamRoleArn', access_key_id: b.accessKeyId, access_key_secret: b.accessKeySecret, ram_role_arn: roleArn, ram_session_name: 'ram-role-arn-profile', expired_seconds: 900, sts_endpoint: proxy.host, region_id: 'cn-hangzhou' },
      ] }));
      const profileEnv = { HOME: home.dir, NODE_EXTRA_CA_CERTS: proxy.caFile };
      const ask = (...args: string[]): Promise<CliResult> => cli(['request', '--access-profile', 'ecs-readonly', '--duration', '1h', '--reason', 'profile check', '--json', ...args], profileEnv);
      // --profile after `request --access-profile` is the aliyun profile, as everywhere else.
      const [byAk, bySts, byRoleArn, deprecated] = await Promise.all([ask('--profile', 'b'), ask('--profile', 'sts'), ask('--aliyun-profile', 'rra'),
        cli(['request', '--aliyun-profile', 'b', '--profile', 'ecs-readonly', '--duration', '1h', '--reason', 'old spelling', '--json'], profileEnv)]);
      const requester = (r: CliResult): string => {
        expect({ code: r.code, stderr: r.stderr }).toMatchObject({ code: 0 });
        return json<{ request: { requesterArn: string } }>(r).request.requesterArn;
      };
      expect(requester(byAk)).toBe(`acs:ram::${B}:user/partner-admin`);
      expect(requester(bySts)).toBe(`acs:ram::${B}:assumed-role/cli-profile/sts-token-profile`);
      expect(requester(byRoleArn)).toBe(`acs:ram::${B}:assumed-role/cli-profile/ram-role-arn-profile`);
      expect(proxy.requests()).toBeGreaterThan(0);
      // `request --profile <catalog profile>` without --access-profile: the old spelling, with a warning.
      expect(requester(deprecated)).toBe(`acs:ram::${B}:user/partner-admin`);
      expect(deprecated.stderr).toContain('deprecated; use --access-profile');
      const id = json<{ request: Req }>(byAk).request.id;
      const ok = await cli(['list', '--profile', 'b', '--json'], { HOME: home.dir });
      expect(ok.code).toBe(0);
      expect(json<{ items: Req[] }>(ok).items.map((r) => r.id)).toContain(id);
      expect((await cli(['cancel', id, '--profile', 'b'], { HOME: home.dir })).code).toBe(0);
      const missing = await cli(['list', '--profile', 'nobody'], { HOME: home.dir });
      expect(missing.code).toBe(1);
      expect(missing.stderr).toContain('NO_CREDENTIALS');
      expect(missing.stderr).toContain('aliyun CLI profile nobody');
      // Keys from the environment, endpoints from flags, no local.json anywhere in sight.
      const url = `http://${stack.contract.endpoint}`;
      const fromEnv = await runCli(['list', '--endpoint', url, '--sts-endpoint', url, '--json'], {
        env: { HOME: home.dir, ALIBABA_CLOUD_ACCESS_KEY_ID: b.accessKeyId, ALIBABA_CLOUD_ACCESS_KEY_SECRET: b.accessKeySecret },
        cwd: home.dir,
      });
      expect(fromEnv.code).toBe(0);
      expect(json<{ items: Req[] }>(fromEnv).items.find((r) => r.id === id)).toMatchObject({ status: 'CANCELLED' });
    } finally {
      await proxy.close();
      home.cleanup();
    }
  }, 60_000);

  it('invokes a function through the FC 3.0 API and checks catalogs', async () => {
    const tmp = tempDir('crossrole-catalog-');
    try {
      const scan = join(ROOT, 'events', 'timer', 'expiry-scan.json');
      const [invoked, queued, refused, missing] = await Promise.all([
        cli(['invoke', 'crossrole-expiry', '--event-file', scan, '--as', 'owner-admin', '--json']),
        cli(['invoke', 'crossrole-expiry', '--event-file', scan, '--async', '--as', 'owner-admin', '--json']),
        cli(['invoke', 'crossrole-expiry', '--as', 'bob']),
        cli(['invoke', 'crossrole-nope', '--as', 'owner-admin', '--json']),
      ]);
      expect(invoked.code).toBe(0);
      // The function's own result, through InvokeFunction of the 2023-03-30 API (FC 3.0 request ids are `1-<hex>-<hex>`).
      const sync = json<{ requestId: string; result: Record<string, number> }>(invoked);
      expect(sync.result).toMatchObject({ errors: 0 });
      expect(sync.requestId).toMatch(/^1-[0-9a-f]{8}-[0-9a-f]{24}$/);
      expect(queued.code).toBe(0);
      expect(json<Record<string, unknown>>(queued)).toEqual({ schemaVersion: 1, requestId: expect.stringMatching(/^1-/) });
      // Bob has no fc:InvokeFunction: the API's AccessDenied, exit 1.
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('AccessDenied');
      expect(missing.code).toBe(1);
      expect(missing.stderr).toContain('FunctionNotFound');

      const good = join(tmp.dir, 'catalog.json');
      writeFileSync(good, JSON.stringify(LOCAL_CATALOG));
      const bad = join(tmp.dir, 'escalating.json');
      const escalating = structuredClone(LOCAL_CATALOG);
      escalating.profiles[0]?.policies.push({ type: 'Custom', name: 'esc', document: { Version: '1', Statement: [{ Effect: 'Allow', Action: 'ram:*', Resource: '*' }] } });
      writeFileSync(bad, JSON.stringify(escalating));
      const [ok, refusedCatalog] = await Promise.all([cli(['config', 'check', good]), cli(['config', 'check', bad])]);
      expect(ok.code).toBe(0);
      expect(ok.stdout).toContain('ecs-readonly: System AliyunECSReadOnlyAccess; up to 7d; approval required');
      expect(ok.stdout).toContain('ecs-readonly-auto: System AliyunECSReadOnlyAccess; up to 1h; auto-approved');
      expect(refusedCatalog.code).toBe(1);
      expect(refusedCatalog.stderr).toContain('POLICY_GUARDRAIL');
    } finally {
      tmp.cleanup();
    }
  }, 30_000);

  it('prints help with an example for every command and exits 0', async () => {
    const commands = ['', 'request', 'status', 'list', 'revoke', 'cancel', 'partner-policy', 'assume', 'extend', 'shorten', 'inbox', 'approve', 'reject', 'extension', 'extension approve', 'extension reject', 'retry', 'reconcile', 'review', 'audit', 'audit export', 'bootstrap', 'doctor', 'configure', 'invoke', 'config', 'config check', 'demo', 'configure-profile', 'console', 'profiles'];
    // One process runs main() for each command line (20 node start-ups would cost more than the test).
    const script = `
      const { main } = require(${JSON.stringify(join(ROOT, 'dist', 'cli', 'index.js'))});
      (async () => {
        const out = [];
        for (const c of ${JSON.stringify(commands)}) {
          let text = '';
          const sink = { write: (s) => { text += s; return true; } };
          const code = await main(['node', 'crossrole', ...c.split(' ').filter(Boolean), '--help'], { stdout: sink, stderr: sink, stdinIsTTY: false, env: { cwd: process.cwd(), home: process.cwd(), noColor: true, forceColor: false } });
          out.push({ command: c, code, text });
        }
        process.stdout.write(JSON.stringify(out));
      })();`;
    const r = await new Promise<CliResult>((res) => {
      const child = spawn(process.execPath, ['-e', script], { cwd: ROOT });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('close', (code) => res({ code, stdout, stderr }));
    });
    const results = json<Array<{ command: string; code: number; text: string }>>(r);
    expect(results.map((x) => x.command)).toEqual(commands);
    for (const x of results) {
      expect({ command: x.command, code: x.code }).toEqual({ command: x.command, code: 0 });
      expect(x.text).toMatch(/Examples?:\n {2}\$ .*crossrole /);
    }
    // And one real `--help` process, as a user types it.
    const real = await cli(['assume', '--help']);
    expect(real.code).toBe(0);
    expect(real.stdout).toContain('eval "$(crossrole assume');
  }, 30_000);
});

/**
 * The installable CLI: `npm run pack:cli`, `npm install -g <tarball> --prefix <tmp>` (offline, into
 * an empty prefix), then the installed `crossrole` from a directory outside the repository against a
 * local stack this test starts: a partner's journey (help, request, status, list), the approver's
 * decision, the wait for ACTIVE, Bob assuming the role in every format, an aliyun CLI profile
 * (configure-profile) that @alicloud/credentials turns into Bob's session, and the profiles list. The tarball
 * holds one bundle and no dependencies: nothing of the emulated cloud, no PGlite.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import Ram, * as R from '@alicloud/ram20150501';
import { ensureCliBuilt, json, ROOT, startStackProcess, type StackProcess } from '../helpers/cli';
import { installedFiles, installPackedCli, type PackedCli } from '../helpers/packed-cli';

interface Req {
  id: string;
  status: string;
  grant?: { roleArn: string; externalId: string; partnerPolicy: { Statement: Array<{ Action: string; Resource: string }> } };
}

let stack: StackProcess;
let cli: PackedCli;

beforeAll(async () => {
  await ensureCliBuilt();
  [stack, cli] = await Promise.all([startStackProcess(), Promise.resolve().then(installPackedCli)]);
}, 120_000);

afterAll(async () => {
  cli?.cleanup();
  await stack?.stop();
});

describe('the CLI installed from its tarball', () => {
  it('is one bundle with its catalogs, no dependencies, nothing of local/ and no PGlite', () => {
    expect(installedFiles(cli)).toEqual(expect.arrayContaining(['bin/crossrole.js', 'lib/crossrole.js', 'catalog.schema.json', 'local-catalog.json', 'package.json']));
    expect(installedFiles(cli).filter((f) => f.startsWith('node_modules'))).toEqual([]);
    const pkg = JSON.parse(readFileSync(join(cli.packageDir, 'package.json'), 'utf8')) as Record<string, unknown>;
    expect(pkg['dependencies']).toBeUndefined();
    expect(pkg['bin']).toEqual({ crossrole: 'bin/crossrole.js' });
    const bundle = readFileSync(join(cli.packageDir, 'lib', 'crossrole.js'), 'utf8');
    // Markers of the emulated cloud (local/world.ts, local/ledger-server.ts) and of PGlite.
    for (const marker of ['vpc-crossrolelocal', 'PGLiteSocketServer', '@electric-sql', 'PGlite.create']) expect([marker, bundle.includes(marker)]).toEqual([marker, false]);
    expect(readFileSync(join(cli.packageDir, 'local-catalog.json'), 'utf8')).toBe(readFileSync(join(ROOT, 'deploy', 'local-catalog.json'), 'utf8'));
    expect(cli.cwd.startsWith(ROOT)).toBe(false);
  });

  it('plays a partner\'s journey against the local stack: request, status, list, approve, wait ACTIVE, assume', async () => {
    const help = await cli.run(['--help']);
    expect(help.code).toBe(0);
    for (const c of ['request', 'status', 'list', 'approve', 'assume', 'completion']) expect(help.stdout).toContain(c);

    const data = ['--data-dir', stack.dataDir];
    // Global options before the command, the catalog profile as --access-profile, a compound duration.
    const asked = await cli.run([...data, '--as', 'partner-admin', 'request', '--access-profile', 'ecs-readonly', '--duration', '1h30m', '--reason', 'installed CLI', '--principal', 'user/bob', '--json']);
    expect(asked.stderr).not.toContain('deprecated');
    expect(asked.code).toBe(0);
    const submitted = json<{ schemaVersion: number; request: Req & { durationSeconds: number } }>(asked);
    expect(submitted).toMatchObject({ schemaVersion: 1, request: { status: 'PENDING', durationSeconds: 5400 } });
    const { id } = submitted.request;

    // The data directory from the environment this time, options after the command.
    const env = { CROSSROLE_DATA_DIR: stack.dataDir, NO_COLOR: '1' };
    const status = await cli.run(['status', id, '--as', 'partner-admin'], env);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain('PENDING');
    const listed = json<{ schemaVersion: number; items: Req[] }>(await cli.run(['list', '--as', 'partner-admin', '--json'], env));
    expect(listed.schemaVersion).toBe(1);
    expect(listed.items.map((r) => r.id)).toContain(id);

    const approved = await cli.run(['approve', id, '--as', 'approver', '--wait', '--json'], env);
    expect(approved.code).toBe(0);
    const active = json<{ request: Req }>(approved).request;
    expect(active.status).toBe('ACTIVE');
    // The step-2 policy is an object in --json output, not a string holding JSON.
    const grant = json<{ request: Req }>(await cli.run(['status', id, '--as', 'partner-admin', '--json'], env)).request.grant;
    expect(grant?.partnerPolicy.Statement).toEqual([expect.objectContaining({ Action: 'sts:AssumeRole', Resource: active.grant?.roleArn })]);

    // B's admin gives Bob the partner policy (RAM SDK), then Bob assumes the role with the installed CLI.
    const partner = stack.contract.principals['partner-admin'];
    const ramB = new Ram(new $OpenApiUtil.Config({ accessKeyId: partner.accessKeyId, accessKeySecret: partner.accessKeySecret, endpoint: stack.contract.endpoint, protocol: 'http', regionId: 'cn-hangzhou' }));
    await ramB.createPolicy(new R.CreatePolicyRequest({ policyName: 'AssumeInstalledCliGrant', policyDocument: JSON.stringify(grant?.partnerPolicy) }));
    await ramB.attachPolicyToUser(new R.AttachPolicyToUserRequest({ policyType: 'Custom', policyName: 'AssumeInstalledCliGrant', userName: 'bob' }));
    const exported = await cli.run(['assume', id, '--as', 'bob'], env);
    expect(exported.code).toBe(0);
    for (const name of ['ALIBABA_CLOUD_ACCESS_KEY_ID', 'ALIBABA_CLOUD_ACCESS_KEY_SECRET', 'ALIBABA_CLOUD_SECURITY_TOKEN']) expect(exported.stdout).toMatch(new RegExp(`^export ${name}=.+$`, 'm'));
    const assumed = json<Record<string, string | number>>(await cli.run(['--json', 'assume', id, '--as', 'bob'], env));
    expect(assumed).toMatchObject({ schemaVersion: 1, roleArn: active.grant?.roleArn, accessKeyId: expect.any(String), securityToken: expect.any(String) });

    // Every other format (each one's own reading is proved in partner-credentials.test.ts).
    const fish = await cli.run(['assume', id, '--as', 'bob', '--format', 'fish'], env);
    expect(fish.stdout).toMatch(/^set -gx ALIBABA_CLOUD_ACCESS_KEY_ID /m);
    const pwsh = await cli.run(['assume', id, '--as', 'bob', '--format', 'powershell'], env);
    expect(pwsh.stdout).toMatch(/^\$Env:ALIBABA_CLOUD_ACCESS_KEY_ID = '/m);
    const external = JSON.parse((await cli.run(['assume', id, '--as', 'bob', '--format', 'aliyun-external'], env)).stdout) as Record<string, string>;
    expect(external).toMatchObject({ mode: 'StsToken', access_key_id: expect.any(String), access_key_secret: expect.any(String), sts_token: expect.any(String) });

    // configure-profile with the installed binary: @alicloud/credentials runs its process_command
    // (the installed crossrole, by absolute path) and gets Bob's session.
    const home = mkdtempSync(join(tmpdir(), 'crossrole-packed-home-'));
    try {
      const configured = await cli.run(['configure-profile', id, '--as', 'bob', '--name', 'crossrole-packed'], { ...env, HOME: home });
      expect(configured.code).toBe(0);
      const profile = (JSON.parse(readFileSync(join(home, '.aliyun', 'config.json'), 'utf8')) as { profiles: Array<Record<string, string>> }).profiles[0];
      expect(profile).toMatchObject({ name: 'crossrole-packed', mode: 'External', process_command: expect.stringContaining(`${cli.bin} assume ${id} --format aliyun-external`) });
      const script = "new (require('@alicloud/credentials').default)().getCredential().then((c) => console.log(JSON.stringify(c)), (e) => { console.error(e.message); process.exit(3); })";
      const read = await promisify(execFile)(process.execPath, ['-e', script], { cwd: ROOT, encoding: 'utf8', env: { PATH: process.env['PATH'] ?? '', HOME: home, ALIBABA_CLOUD_PROFILE: 'crossrole-packed' } });
      expect(JSON.parse(read.stdout)).toMatchObject({ accessKeyId: expect.stringMatching(/^STS\./), securityToken: expect.any(String) });
    } finally {
      rmSync(home, { recursive: true, force: true });
    }

    // The profiles a partner may ask for, from GET /profiles: no catalog file needed.
    const profiles = json<{ schemaVersion: number; profiles: Array<{ name: string }> }>(await cli.run(['profiles', '--as', 'partner-admin', '--json'], env));
    expect(profiles.schemaVersion).toBe(1);
    expect(profiles.profiles.map((p) => p.name)).toContain('ecs-readonly');
  }, 90_000);
});

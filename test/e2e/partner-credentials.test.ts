/**
 * Credentials as partners use them, through the CLI against one local stack: the profiles they may
 * ask for (and the nearest names for a wrong one), then one grant, approved, assumed by Bob in every
 * format (each loaded by its reader: sh, fish, the aliyun CLI's External-mode JSON), handed to a
 * command with --exec, written as an aliyun CLI profile that @alicloud/credentials runs, and shown
 * for the console; a duration above the role's maximum is refused before any STS call.
 */
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { createServer, type Server } from 'node:http';
import { existsSync, readFileSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import Ram, * as R from '@alicloud/ram20150501';
import Sts from '@alicloud/sts20150401';
import { json, runCli, tempDir, ROOT, type CliResult } from '../helpers/cli';
import { startTestStack, type TestStack } from '../helpers/stack';

jest.setTimeout(60_000);

let t: TestStack;
let env: Record<string, string>;
let id: string;
let endpoint: string;
const home = tempDir('crossrole-home-');

const cli = (args: string[], extra: Record<string, string> = {}): Promise<CliResult> => runCli(args, { env: { ...env, ...extra } });

function creds(name: 'partner-admin' | 'bob'): { accessKeyId: string; accessKeySecret: string } {
  const p = t.contract.principals[name];
  return { accessKeyId: p.accessKeyId, accessKeySecret: p.accessKeySecret };
}

async function callerArn(c: { accessKeyId: string; accessKeySecret: string; securityToken?: string }): Promise<string> {
  const sts = new Sts(new $OpenApiUtil.Config({ ...c, endpoint, protocol: 'http', regionId: 'cn-hangzhou' }));
  return (await sts.getCallerIdentity()).body?.arn ?? '';
}

beforeAll(async () => {
  t = await startTestStack();
  endpoint = t.contract.endpoint;
  env = { CROSSROLE_DATA_DIR: t.dataDir, NO_COLOR: '1', HOME: home.dir };
  // A grant for Bob: asked by B's admin, approved by A's approver, and B's admin lets Bob assume it.
  const asked = await cli(['request', '--as', 'partner-admin', '--access-profile', 'ecs-readonly', '--duration', '2h', '--reason', 'credentials e2e', '--principal', 'user/bob', '--json']);
  expect(asked.code).toBe(0);
  id = json<{ request: { id: string } }>(asked).request.id;
  expect((await cli(['approve', id, '--as', 'approver', '--wait'])).code).toBe(0);
  const pp = await cli(['partner-policy', id, '--as', 'partner-admin']);
  const ramB = new Ram(new $OpenApiUtil.Config({ ...creds('partner-admin'), endpoint, protocol: 'http', regionId: 'cn-hangzhou' }));
  await ramB.createPolicy(new R.CreatePolicyRequest({ policyName: 'AssumeCredentialsE2e', policyDocument: pp.stdout }));
  await ramB.attachPolicyToUser(new R.AttachPolicyToUserRequest({ policyType: 'Custom', policyName: 'AssumeCredentialsE2e', userName: 'bob' }));
}, 120_000);

afterAll(async () => {
  await t?.close();
  home.cleanup();
});

const BOB_SESSION = (): string => `acs:ram::${t.contract.ownerAccountId}:assumed-role/crossrole-`;

describe('profiles', () => {
  it('lists what a partner may ask for, without the owner\'s catalog', async () => {
    const r = await cli(['profiles', '--as', 'bob', '--json']);
    expect(r.code).toBe(0);
    const { profiles } = json<{ profiles: Array<Record<string, unknown>> }>(r);
    expect(profiles).toEqual(expect.arrayContaining([
      expect.objectContaining({ name: 'ecs-readonly', maxDuration: '7d', approvalRequired: true, privileged: false, policies: [{ type: 'System', name: 'AliyunECSReadOnlyAccess' }] }),
      expect.objectContaining({ name: 'ecs-readonly-auto', maxDuration: '1h', approvalRequired: false }),
    ]));
    const table = await cli(['profiles', '--as', 'bob']);
    expect(table.stdout).toMatch(/ecs-readonly-auto\s+1h\s+automatic\s+no\s+System AliyunECSReadOnlyAccess/);
  });

  it('answers a wrong profile name with the nearest ones', async () => {
    const r = await cli(['request', '--as', 'bob', '--access-profile', 'ecs-readonly-autp', '--duration', '1h', '--reason', 'typo']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('UNKNOWN_PROFILE');
    expect(r.stderr).toContain('did you mean "ecs-readonly-auto" or "ecs-readonly"');
    expect(r.stderr).toContain('crossrole profiles');
  });
});

describe('assume', () => {
  it('prints the session in every format, each loadable by its reader, named after Bob', async () => {
    const [envOut, fishOut, psOut, jsonOut, extOut] = await Promise.all(
      ['env', 'fish', 'powershell', 'json', 'aliyun-external'].map((f) => cli(['assume', id, '--as', 'bob', '--format', f])),
    );
    for (const r of [envOut, fishOut, psOut, jsonOut, extOut]) expect(r?.code).toBe(0);
    expect(envOut?.stderr).toContain('eval "$(crossrole assume');

    // sh evaluates the exports; the session works and names Bob.
    const sh = spawnSync('sh', ['-c', `eval "$1"; printf '%s\\n%s\\n%s' "$ALIBABA_CLOUD_ACCESS_KEY_ID" "$ALIBABA_CLOUD_ACCESS_KEY_SECRET" "$ALIBABA_CLOUD_SECURITY_TOKEN"`, 'sh', envOut?.stdout ?? ''], { encoding: 'utf8' });
    const [accessKeyId = '', accessKeySecret = '', securityToken = ''] = sh.stdout.split('\n');
    const arn = await callerArn({ accessKeyId, accessKeySecret, securityToken });
    expect(arn).toMatch(new RegExp(`^${BOB_SESSION()}.*/bob@${t.contract.partnerAccountId}$`));

    if (existsSync('/usr/bin/fish')) {
      // Piped into `source` inside fish, as partners run it (Node's stdin socket is no pipe fish's `source` reads).
      const file = join(home.dir, 'assume.fish');
      writeFileSync(file, fishOut?.stdout ?? '');
      const fish = spawnSync('/usr/bin/fish', ['--no-config', '-c', `cat ${file} | source; printf '%s\\n%s\\n%s' $ALICLOUD_ACCESS_KEY $ALICLOUD_SECRET_KEY $ALICLOUD_SECURITY_TOKEN`], { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', env: { PATH: process.env['PATH'] ?? '', HOME: home.dir } });
      const [fishKey = '', fishSecret = '', fishToken = ''] = fish.stdout.split('\n');
      expect(await callerArn({ accessKeyId: fishKey, accessKeySecret: fishSecret, securityToken: fishToken })).toContain(`/bob@${t.contract.partnerAccountId}`);
    }
    expect(psOut?.stdout).toMatch(/^\$Env:ALIBABA_CLOUD_ACCESS_KEY_ID = '[^']+'$/m);

    const j = json<Record<string, string>>(jsonOut as CliResult);
    expect(j).toMatchObject({ sessionName: `bob@${t.contract.partnerAccountId}`, sourceIdentity: `user.bob@${t.contract.partnerAccountId}` });
    const ext = JSON.parse(extOut?.stdout ?? '') as Record<string, string>;
    expect(Object.keys(ext).sort()).toEqual(['access_key_id', 'access_key_secret', 'expiration', 'mode', 'sts_token']);
    expect(ext['mode']).toBe('StsToken');
    expect(await callerArn({ accessKeyId: ext['access_key_id'] ?? '', accessKeySecret: ext['access_key_secret'] ?? '', securityToken: ext['sts_token'] ?? '' })).toContain(`/bob@${t.contract.partnerAccountId}`);
  });

  it('--exec runs a command with the session in its environment, its exit code passed through, no secret printed', async () => {
    const secretFile = join(home.dir, 'seen-secret');
    const script = `
      const fs = require('node:fs');
      const Sts = require('@alicloud/sts20150401').default;
      const { $OpenApiUtil } = require('@alicloud/openapi-core');
      const Credential = require('@alicloud/credentials').default;
      fs.writeFileSync(${JSON.stringify(secretFile)}, process.env.ALIBABA_CLOUD_ACCESS_KEY_SECRET || '');
      console.log('token present: ' + (process.env.ALIBABA_CLOUD_SECURITY_TOKEN ? 'yes' : 'no') + ', terraform: ' + (process.env.ALICLOUD_SECURITY_TOKEN ? 'yes' : 'no'));
      new Sts(new $OpenApiUtil.Config({ credential: new Credential(), endpoint: ${JSON.stringify(endpoint)}, protocol: 'http', regionId: 'cn-hangzhou' }))
        .getCallerIdentity().then((r) => { console.log('arn ' + r.body.arn); process.exit(7); }, (e) => { console.error(e); process.exit(3); });`;
    const r = await cli(['assume', id, '--as', 'bob', '--exec', '--', process.execPath, '-e', script]);
    expect(r.stdout).toContain('token present: yes, terraform: yes');
    expect(r.stdout).toMatch(new RegExp(`arn ${BOB_SESSION()}.*/bob@${t.contract.partnerAccountId}`));
    expect(r.code).toBe(7);
    const secret = readFileSync(secretFile, 'utf8');
    expect(secret.length).toBeGreaterThan(10);
    expect(r.stdout + r.stderr).not.toContain(secret);

    // A TERM sent to crossrole alone is handed to the command, whose status (128 + 15) is crossrole's.
    const term = await cli(['assume', id, '--as', 'bob', '--exec', '--', 'sh', '-c', 'kill -TERM $PPID; sleep 5 & wait; exit 5']);
    expect(term.code).toBe(143);
  });

  it('refuses a duration above the role\'s maximum session duration, before any STS call', async () => {
    // Were AssumeRole called, it would fail with this injected error instead.
    t.stack.server.faults.set({ failActions: ['AssumeRole'] });
    try {
      const r = await cli(['assume', id, '--as', 'bob', '--duration', '2h']);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('SESSION_DURATION_OVER_MAXIMUM');
      expect(r.stderr).toContain('MaxSessionDuration 3600');
      expect(r.stderr).not.toContain('Injected failure');
    } finally {
      t.stack.server.faults.clear();
    }
  });
});

describe('configure-profile', () => {
  it('adds an External-mode profile beside the others, 0600, that @alicloud/credentials turns into Bob\'s session', async () => {
    const dir = join(home.dir, '.aliyun');
    mkdirSync(dir, { recursive: true });
    const keep = { name: 'keep-me', mode: 'AK', access_key_id: 'LTAIkeep', access_key_secret: 'keep', region_id: 'cn-hangzhou' };
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ current: 'keep-me', profiles: [keep] }), { mode: 0o600 });

    const r = await cli(['configure-profile', id, '--as', 'bob', '--name', 'crossrole-e2e']);
    expect(r.code).toBe(0);
    const path = join(dir, 'config.json');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const config = JSON.parse(readFileSync(path, 'utf8')) as { current: string; profiles: Array<Record<string, string>> };
    expect(config.current).toBe('keep-me');
    expect(config.profiles[0]).toEqual(keep);
    expect(config.profiles[1]).toMatchObject({ name: 'crossrole-e2e', mode: 'External', process_command: expect.stringContaining(`assume ${id} --format aliyun-external --as bob --data-dir`) });

    // The credentials library's default chain: no environment keys, the CLI profile named by
    // ALIBABA_CLOUD_PROFILE. Asynchronously: process_command reaches this process's local stack.
    // Then, with the clock moved to within the library's 180 s of the session's end, it runs
    // process_command again for a new session (and keeps serving the cached one before that).
    const script = `
      const Credential = require('@alicloud/credentials').default;
      (async () => {
        const cred = new Credential();
        const first = await cred.getCredential();
        const cached = await cred.getCredential();
        const realNow = Date.now;
        Date.now = () => realNow() + 3500 * 1000;
        const renewed = await cred.getCredential();
        console.log(JSON.stringify({ first, cached, renewed }));
      })().catch((e) => { console.error(e.message); process.exit(3); });`;
    const run = await promisify(execFile)(process.execPath, ['-e', script], { cwd: ROOT, encoding: 'utf8', env: { PATH: process.env['PATH'] ?? '', HOME: home.dir, ALIBABA_CLOUD_PROFILE: 'crossrole-e2e', CROSSROLE_CONFIG_DIR: join(home.dir, 'no-config') } });
    expect(run.stderr).toBe('');
    type C = { accessKeyId: string; accessKeySecret: string; securityToken: string };
    const { first, cached, renewed } = JSON.parse(run.stdout) as { first: C; cached: C; renewed: C };
    expect(await callerArn(first)).toMatch(new RegExp(`^${BOB_SESSION()}.*/bob@${t.contract.partnerAccountId}$`));
    expect(cached.accessKeyId).toBe(first.accessKeyId);
    expect(renewed.accessKeyId).not.toBe(first.accessKeyId);
    expect(await callerArn(renewed)).toMatch(new RegExp(`/bob@${t.contract.partnerAccountId}$`));
    // The library writes the session back into the profile; the file stays 0600.
    expect(statSync(path).mode & 0o777).toBe(0o600);

    // Another name of the user's is never overwritten; the profile that assumes cannot be the one written.
    const clash = await cli(['configure-profile', id, '--as', 'bob', '--name', 'keep-me']);
    expect(clash.code).toBe(1);
    expect(clash.stderr).toContain('PROFILE_EXISTS');
    const loop = await cli(['configure-profile', id, '--profile', 'same', '--name', 'same']);
    expect(loop.code).toBe(2);
    // A word the aliyun CLI would split or keep quoted (it splits process_command on whitespace only).
    const quoted = await cli(['configure-profile', id, '--as', 'bob', '--name', 'quoted', '--crossrole-command', `/opt/bob's tools/crossrole`]);
    expect(quoted.code).toBe(2);
    expect(quoted.stderr).toContain('process_command');
    expect((JSON.parse(readFileSync(path, 'utf8')) as { profiles: unknown[] }).profiles).toHaveLength(2);
  });
});

describe('console', () => {
  let server: Server;
  let seen: URL | undefined;

  beforeAll(async () => {
    server = createServer((req, res) => {
      seen = new URL(req.url ?? '/', 'http://x');
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ RequestId: 'r', SigninToken: 'one-time-token' }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  });

  afterAll(async () => {
    await new Promise<void>((r) => server.close(() => r()));
  });

  it('prints the switch-role details, and with --federation a sign-in URL from a fresh session', async () => {
    const plain = json<Record<string, unknown>>(await cli(['console', id, '--as', 'bob', '--json']));
    expect(plain).toMatchObject({
      roleArn: expect.stringMatching(/^acs:ram::\d+:role\/crossrole-/), accountId: t.contract.ownerAccountId,
      switchRoleUrl: { china: expect.stringMatching(/^https:\/\/signin\.aliyun\.com\/switchRole\.htm\?parentAlias=/), internationalConfirmed: false },
    });
    const port = (server.address() as AddressInfo).port;
    const fed = await cli(['console', id, '--as', 'bob', '--federation', '--signin-endpoint', `http://127.0.0.1:${port}/federation`]);
    expect(fed.code).toBe(0);
    expect(seen?.searchParams.get('Action')).toBe('GetSigninToken');
    expect(seen?.searchParams.get('TicketType')).toBe('mini');
    const url = /Sign-in URL[^:]*: (\S+)/.exec(fed.stdout)?.[1] ?? '';
    const login = new URL(url);
    expect(Object.fromEntries(login.searchParams)).toMatchObject({ Action: 'Login', SigninToken: 'one-time-token' });
  });
});

/**
 * The client config `crossrole configure` writes: where it lives, what it accepts (with every
 * problem named), and where it stands among the other sources of a setting: flags > environment >
 * `--as` (local.json) > the config file > a local.json found in the working directory.
 */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkClientConfig, mnsEndpointAccount, readClientConfig, writeClientConfig } from '../../../cli/client-config';
import { clientConfigPath, readCliEnv, type CliEnv } from '../../../cli/config';
import { createSession } from '../../../cli/context';
import { createUi } from '../../../cli/ui';
import { main } from '../../../cli/index';

jest.mock('@clack/prompts', () => ({}));

const dir = mkdtempSync(join(tmpdir(), 'crossrole-client-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const OWNER = '1511928242963727';
const good = {
  intakeUrl: 'https://crossrole-intake-abc.cn-hangzhou.fcapp.run/',
  approvalUrl: 'https://crossrole-approval-def.cn-hangzhou.fcapp.run',
  region: 'cn-hangzhou',
  stsEndpoint: 'sts.aliyuncs.com',
};

function envFor(sub: string, extra: Partial<CliEnv> = {}): CliEnv {
  const home = join(dir, sub);
  mkdirSync(home, { recursive: true });
  return { cwd: home, home, noColor: true, forceColor: false, configDir: join(home, 'cfg'), ...extra };
}

const sink = { write: () => true } as unknown as NodeJS.WritableStream;
const session = (env: CliEnv, options: Parameters<typeof createSession>[2] = {}) => createSession(env, createUi(env, false, { stdout: sink, stderr: sink, stdinIsTTY: false } as never), options);

describe('clientConfigPath', () => {
  it('is CROSSROLE_CONFIG_DIR/config.json, else $XDG_CONFIG_HOME/crossrole, else ~/.config/crossrole', () => {
    expect(clientConfigPath(readCliEnv({ HOME: '/home/p', CROSSROLE_CONFIG_DIR: '/tmp/x' }, '/w'))).toBe('/tmp/x/config.json');
    expect(clientConfigPath(readCliEnv({ HOME: '/home/p', XDG_CONFIG_HOME: '/etc/xdg-p' }, '/w'))).toBe('/etc/xdg-p/crossrole/config.json');
    expect(clientConfigPath(readCliEnv({ HOME: '/home/p' }, '/w'))).toBe('/home/p/.config/crossrole/config.json');
    // A relative XDG_CONFIG_HOME is invalid by the XDG spec and ignored.
    expect(clientConfigPath(readCliEnv({ HOME: '/home/p', XDG_CONFIG_HOME: 'rel' }, '/w'))).toBe('/home/p/.config/crossrole/config.json');
  });
});

describe('checkClientConfig', () => {
  it('accepts the hand-out and normalises trailing slashes', () => {
    const r = checkClientConfig(good);
    expect(r.problems).toEqual([]);
    expect(r.config.intakeUrl).toBe('https://crossrole-intake-abc.cn-hangzhou.fcapp.run');
    expect(checkClientConfig({ apiUrl: 'https://crossrole.example.com/api/', region: 'cn-hangzhou' }).config.apiUrl).toBe('https://crossrole.example.com/api');
    expect(checkClientConfig({ ...good, intakeUrl: 'http://127.0.0.1:9494/fn/crossrole-intake', approvalUrl: 'http://localhost:9494/fn/crossrole-approval', stsEndpoint: 'http://127.0.0.1:9494' }).problems).toEqual([]);
  });

  it('names every problem with its field', () => {
    const { problems } = checkClientConfig({
      intakeUrl: 'http://crossrole.example.com', approvalUrl: 'https://u:p@x.example.com/?a=1', region: 'Hangzhou', stsEndpoint: 'https://sts.aliyuncs.com/path',
      mnsEndpoint: 'https://1511928242963727.mns.cn-hangzhou.aliyuncs.com/queues', ownerAccountId: '123', colour: 'red',
    });
    const fields = problems.map((p) => p.field).sort();
    expect(fields).toEqual(['approvalUrl', 'colour', 'intakeUrl', 'mnsEndpoint', 'ownerAccountId', 'region', 'stsEndpoint']);
    expect(problems.find((p) => p.field === 'intakeUrl')?.message).toMatch(/must use https/);
    expect(problems.find((p) => p.field === 'approvalUrl')?.message).toMatch(/user name or password/);
  });

  it('needs the API, both trigger URLs together, and not both forms at once', () => {
    expect(checkClientConfig({ region: 'cn-hangzhou' }).problems.map((p) => p.message)).toEqual([expect.stringMatching(/the API is required/)]);
    expect(checkClientConfig({ intakeUrl: good.intakeUrl }).problems.map((p) => p.field)).toEqual(['approvalUrl']);
    expect(checkClientConfig({ ...good, apiUrl: 'https://x.example.com' }).problems.map((p) => p.field)).toEqual(['apiUrl']);
    expect(checkClientConfig([]).problems).toEqual([{ field: '(file)', message: 'must be a JSON object' }]);
  });

  it('checks that the MNS endpoint names the owner account', () => {
    expect(mnsEndpointAccount(`https://${OWNER}.mns.cn-hangzhou.aliyuncs.com`)).toBe(OWNER);
    expect(mnsEndpointAccount(`https://${OWNER}.mns-internal.cn-hangzhou.aliyuncs.com`)).toBeUndefined();
    const { problems } = checkClientConfig({ ...good, mnsEndpoint: `https://${OWNER}.mns.cn-hangzhou.aliyuncs.com`, ownerAccountId: '1879324520397241' });
    expect(problems).toEqual([{ field: 'mnsEndpoint', message: `names account ${OWNER}, but ownerAccountId is 1879324520397241` }]);
  });
});

describe('reading and writing', () => {
  it('writes owner-only JSON and reads it back; an invalid file is a clear error', () => {
    const env = envFor('rw');
    expect(readClientConfig(env)).toBeUndefined();
    const path = writeClientConfig(env, good);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readClientConfig(env)?.config).toEqual({ ...good, intakeUrl: 'https://crossrole-intake-abc.cn-hangzhou.fcapp.run' });
    writeFileSync(path, JSON.stringify({ ...good, region: 'nowhere' }));
    expect(() => readClientConfig(env)).toThrow(/client config .* is invalid: region must be a region id/);
    writeFileSync(path, '{');
    expect(() => readClientConfig(env)).toThrow(/cannot read the client config/);
    expect(() => writeClientConfig(env, { intakeUrl: 'ftp://x' })).toThrow(/intakeUrl must be an https/);
  });

  it('`crossrole configure` merges new settings into the file, switches between the two API forms, and --show prints it', async () => {
    const env = envFor('cmd');
    const run = async (...args: string[]): Promise<{ code: number; out: string; err: string }> => {
      let out = '';
      let err = '';
      const code = await main(['node', 'crossrole', 'configure', ...args], {
        stdout: { write: (s: string) => ((out += s), true) }, stderr: { write: (s: string) => ((err += s), true) }, stdinIsTTY: false, env,
      } as unknown as Parameters<typeof main>[1]);
      return { code, out, err };
    };
    expect((await run('--intake-url', good.intakeUrl, '--approval-url', good.approvalUrl, '--region', 'cn-hangzhou', '--sts-endpoint', 'sts.aliyuncs.com')).code).toBe(0);
    expect((await run('--profile', 'partner', '--owner-account', OWNER)).code).toBe(0);
    const shown = JSON.parse((await run('--show', '--json')).out) as { config: Record<string, string> };
    expect(shown.config).toMatchObject({ region: 'cn-hangzhou', aliyunProfile: 'partner', ownerAccountId: OWNER, approvalUrl: good.approvalUrl });
    expect((await run('--api-url', 'https://crossrole.example.com')).code).toBe(0);
    const file = JSON.parse(readFileSync(clientConfigPath(env), 'utf8')) as Record<string, string>;
    expect(file['apiUrl']).toBe('https://crossrole.example.com');
    expect(file['intakeUrl']).toBeUndefined();
    const bad = await run('--sts-endpoint', 'ftp://sts');
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('stsEndpoint must be host[:port]');
    expect((await run()).code).toBe(2);
  });
});

describe('where the CLI finds its settings', () => {
  const localDir = join(dir, 'precedence', '.crossrole');
  const contract = {
    endpoint: '127.0.0.1:9494', api: { intake: 'http://127.0.0.1:9494/fn/crossrole-intake', approval: 'http://127.0.0.1:9494/fn/crossrole-approval' },
    ownerAccountId: OWNER, partnerAccountId: '1879324520397241', region: 'cn-hangzhou',
    principals: { bob: { accountId: '1879324520397241', arn: 'acs:ram::1879324520397241:user/bob', accessKeyId: 'LTAIbob', accessKeySecret: 's' } },
  };
  beforeAll(() => {
    mkdirSync(localDir, { recursive: true });
    writeFileSync(join(localDir, 'local.json'), JSON.stringify(contract));
  });
  const base = (): CliEnv => envFor('precedence');

  it('without a config file, a local.json in the working directory is used', () => {
    const s = session(base());
    expect(s.apiUrls().intake).toBe(contract.api.intake);
    expect(s.endpoints().sts).toEqual({ host: '127.0.0.1:9494', protocol: 'http' });
  });

  it('the config file beats a local.json found in the working directory, and gives region, STS, MNS and the owner', () => {
    const env = base();
    writeClientConfig(env, { ...good, region: 'cn-shanghai', mnsEndpoint: `https://${OWNER}.mns.cn-shanghai.aliyuncs.com` });
    const s = session(env);
    expect(s.apiUrls()).toEqual({ intake: 'https://crossrole-intake-abc.cn-hangzhou.fcapp.run', approval: good.approvalUrl });
    const eps = s.endpoints();
    expect(eps).toMatchObject({ region: 'cn-shanghai', sts: { host: 'sts.aliyuncs.com', protocol: 'https' }, mns: `https://${OWNER}.mns.cn-shanghai.aliyuncs.com`, ownerAccountId: OWNER });
    expect(s.local()).toBeUndefined();
  });

  it('--as (local.json) beats the config file', () => {
    const s = session(base(), { as: 'bob' });
    expect(s.apiUrls().intake).toBe(contract.api.intake);
    expect(s.endpoints().region).toBe('cn-hangzhou');
    expect(s.clientConfig()).toBeUndefined();
  });

  it('the environment beats --as and the file; flags beat the environment', () => {
    const env = { ...base(), endpoint: 'https://env.example.com', region: 'cn-beijing', stsEndpoint: 'sts.cn-beijing.aliyuncs.com' };
    const s = session(env, { as: 'bob' });
    expect(s.apiUrls().intake).toBe('https://env.example.com/fn/crossrole-intake');
    expect(s.endpoints()).toMatchObject({ region: 'cn-beijing', sts: { host: 'sts.cn-beijing.aliyuncs.com' } });
    const f = session(env, { endpoint: 'https://flag.example.com', region: 'cn-qingdao', stsEndpoint: 'sts.aliyuncs.com' });
    expect(f.apiUrls().approval).toBe('https://flag.example.com/fn/crossrole-approval');
    expect(f.endpoints()).toMatchObject({ region: 'cn-qingdao', sts: { host: 'sts.aliyuncs.com' } });
    // A single trigger URL flag beats the environment's base for that API only.
    const one = session(env, { apiIntake: 'https://one.example.com' });
    expect(one.apiUrls()).toEqual({ intake: 'https://one.example.com', approval: 'https://env.example.com/fn/crossrole-approval' });
  });

  it('uses the config file\'s aliyun profile when no flag or environment key names credentials', async () => {
    const env = base();
    writeClientConfig(env, { ...good, aliyunProfile: 'partner' });
    mkdirSync(join(env.home, '.aliyun'), { recursive: true });
    writeFileSync(join(env.home, '.aliyun', 'config.json'), JSON.stringify({ profiles: [{ name: 'partner', mode: 'AK', access_key_id: 'LTAIfile', access_key_secret: 'x' }] }));
    // @alicloud/credentials' CLI-profile provider reads ~/.aliyun/config.json through os.homedir(), the
    // real process's $HOME, which jest's process.env cannot change: the profile named by the config file is
    // the one asked for (test/e2e/cli.test.ts reads it for real, with HOME set for the child process).
    await expect(session(env).credentials()).rejects.toMatchObject({ code: 'NO_CREDENTIALS', message: expect.stringContaining('aliyun CLI profile partner') });
    expect((await session({ ...env, accessKeyId: 'LTAIenv', accessKeySecret: 'y' }).credentials()).credentials.accessKeyId).toBe('LTAIenv');
  });

  it('says where it looked when no API is configured anywhere', () => {
    const env = envFor('nothing');
    expect(() => session(env).apiUrls()).toThrow(/no client config at .*nothing\/cfg\/config.json/);
  });
});

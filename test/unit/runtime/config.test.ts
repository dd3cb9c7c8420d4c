import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CrossroleError, ValidationError } from '../../../shared/domain/errors';
import { DEFAULT_MAX_BODY_BYTES, getConfig, ledgerUrlFromSecret, loadConfig, resetConfigForTests } from '../../../shared/runtime/config';
import { httpStatusOf } from '../../../shared/runtime/http/response';

const OWNER = '1234567890123456';
const CATALOG = {
  ownerAccountId: OWNER,
  approvers: [`acs:ram::${OWNER}:user/alice`],
  partners: ['6543210987654321'],
  profiles: [{ name: 'ecs-readonly', policies: [{ type: 'System', name: 'AliyunECSReadOnlyAccess' }], maxDuration: '8h' }],
};
const base = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({ CROSSROLE_CONFIG: JSON.stringify(CATALOG), ...extra });

function failure(env: NodeJS.ProcessEnv, options?: Parameters<typeof loadConfig>[1]): { code: string; field: string | undefined } | 'no error' {
  try {
    loadConfig(env, options);
  } catch (e) {
    if (!(e instanceof CrossroleError)) throw e;
    return { code: e.code, field: e.field };
  }
  return 'no error';
}

describe('loadConfig defaults', () => {
  it('needs only the catalog', () => {
    const c = loadConfig(base());
    expect(c.catalog.ownerAccountId).toBe(OWNER);
    expect(c.ownerAccountId).toBe(OWNER);
    expect(c.region).toBe('cn-hangzhou');
    expect(c.ledger).toEqual({ driver: 'pglite', dir: '/tmp/crossrole-ledger' });
    expect(c.endpoints).toEqual({ ram: 'ram.aliyuncs.com', sts: 'sts.cn-hangzhou.aliyuncs.com', mns: `https://${OWNER}.mns.cn-hangzhou.aliyuncs.com`, kms: 'kms.cn-hangzhou.aliyuncs.com' });
    expect(c.protocol).toBe('https');
    expect(c.identityStsUrls).toEqual(['https://sts.aliyuncs.com/', 'https://sts.cn-hangzhou.aliyuncs.com/']);
    expect(c.maxBodyBytes).toBe(DEFAULT_MAX_BODY_BYTES);
    expect(c.maxBodyBytes).toBe(262144);
    expect(c.logLevel).toBe('info');
    expect(c.credentials).toBeUndefined();
  });

  it('takes the region from FC_REGION, and CROSSROLE_REGION over it; endpoints follow', () => {
    expect(loadConfig(base({ FC_REGION: 'cn-shanghai' })).endpoints.sts).toBe('sts.cn-shanghai.aliyuncs.com');
    const c = loadConfig(base({ FC_REGION: 'cn-shanghai', CROSSROLE_REGION: 'ap-southeast-1' }));
    expect(c.region).toBe('ap-southeast-1');
    expect(c.endpoints.mns).toBe(`https://${OWNER}.mns.ap-southeast-1.aliyuncs.com`);
    expect(c.identityStsUrls).toEqual(['https://sts.aliyuncs.com/', 'https://sts.ap-southeast-1.aliyuncs.com/']);
  });

  it('treats empty or blank variables as unset (s.yaml passes "" for unset ones)', () => {
    const c = loadConfig(base({ DATABASE_URL: '', CROSSROLE_MNS_ENDPOINT: '  ', CROSSROLE_LOG_LEVEL: '' }));
    expect(c.ledger.driver).toBe('pglite');
    expect(c.endpoints.mns).toBe(`https://${OWNER}.mns.cn-hangzhou.aliyuncs.com`);
    expect(c.logLevel).toBe('info');
  });

  it('accepts local-cloud overrides', () => {
    const c = loadConfig(base({
      CROSSROLE_PROTOCOL: 'http',
      CROSSROLE_RAM_ENDPOINT: '127.0.0.1:9494',
      CROSSROLE_STS_ENDPOINT: '127.0.0.1:9494',
      CROSSROLE_MNS_ENDPOINT: 'http://127.0.0.1:9494',
      CROSSROLE_ECS_ENDPOINT: 'localhost:9494',
      CROSSROLE_IDENTITY_STS_URLS: 'http://127.0.0.1:9494/, http://127.0.0.1:9494/',
      CROSSROLE_LEDGER_DIR: '/data/ledger',
      CROSSROLE_MAX_BODY_BYTES: '65536',
      CROSSROLE_LOG_LEVEL: 'DEBUG',
      CROSSROLE_OWNER_ACCOUNT_ID: OWNER,
    }));
    expect(c.protocol).toBe('http');
    expect(c.endpoints).toEqual({ ram: '127.0.0.1:9494', sts: '127.0.0.1:9494', mns: 'http://127.0.0.1:9494', kms: 'kms.cn-hangzhou.aliyuncs.com', ecs: 'localhost:9494' });
    expect(c.identityStsUrls).toEqual(['http://127.0.0.1:9494/']);
    expect(c.ledger).toEqual({ driver: 'pglite', dir: '/data/ledger' });
    expect(c.maxBodyBytes).toBe(65536);
    expect(c.logLevel).toBe('debug');
  });

  it('uses DATABASE_URL for the pg driver', () => {
    expect(loadConfig(base({ DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test' })).ledger).toEqual({ driver: 'pg', url: 'postgres://postgres@127.0.0.1:5432/test' });
    expect(loadConfig(base({ DATABASE_URL: 'postgresql://u:p@db/x' })).ledger.driver).toBe('pg');
  });

  it('inside Function Compute requires DATABASE_URL: the embedded ledger is for local use only', () => {
    expect(failure(base({ FC_FUNCTION_NAME: 'crossrole-intake' }))).toEqual({ code: 'INVALID_CONFIG', field: 'DATABASE_URL' });
    expect(failure(base({ FC_FUNCTION_NAME: 'crossrole-intake', CROSSROLE_LEDGER_DIR: '/tmp/x' }))).toEqual({ code: 'INVALID_CONFIG', field: 'DATABASE_URL' });
    expect(loadConfig(base({ FC_FUNCTION_NAME: 'crossrole-intake', DATABASE_URL: 'postgres://db/x' })).ledger.driver).toBe('pg');
  });

  it('reads static credentials for non-FC use', () => {
    expect(loadConfig(base({ ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAI', ALIBABA_CLOUD_ACCESS_KEY_SECRET: 's' })).credentials).toEqual({ accessKeyId: 'LTAI', accessKeySecret: 's' });
    expect(loadConfig(base({ ALIBABA_CLOUD_ACCESS_KEY_ID: 'STS.x', ALIBABA_CLOUD_ACCESS_KEY_SECRET: 's', ALIBABA_CLOUD_SECURITY_TOKEN: 't' })).credentials).toEqual({ accessKeyId: 'STS.x', accessKeySecret: 's', securityToken: 't' });
  });
});

describe('loadConfig catalog sources', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'crossrole-config-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads CROSSROLE_CONFIG_FILE', () => {
    const file = join(dir, 'catalog.json');
    writeFileSync(file, JSON.stringify(CATALOG));
    expect(loadConfig({ CROSSROLE_CONFIG_FILE: file }).catalog.profiles[0]?.name).toBe('ecs-readonly');
  });

  it('reads the file once per load, through the injectable reader', () => {
    const readFile = jest.fn(() => JSON.stringify(CATALOG));
    loadConfig({ CROSSROLE_CONFIG_FILE: '/etc/crossrole.json' }, { readFile });
    expect(readFile).toHaveBeenCalledTimes(1);
    expect(readFile).toHaveBeenCalledWith('/etc/crossrole.json');
  });

  it('names the file variable when the file is missing', () => {
    expect(failure({ CROSSROLE_CONFIG_FILE: join(dir, 'missing.json') })).toEqual({ code: 'INVALID_CONFIG', field: 'CROSSROLE_CONFIG_FILE' });
  });

  it('prefixes catalog field paths with the variable', () => {
    const bad = { ...CATALOG, profiles: [{ ...CATALOG.profiles[0], maxDuration: '8 h' }] };
    expect(failure({ CROSSROLE_CONFIG: JSON.stringify(bad) })).toEqual({ code: 'INVALID_CONFIG', field: 'CROSSROLE_CONFIG.profiles[0].maxDuration' });
    expect(failure({ CROSSROLE_CONFIG_FILE: 'x' }, { readFile: () => JSON.stringify({ ...CATALOG, extra: 1 }) })).toEqual({ code: 'INVALID_CONFIG', field: 'CROSSROLE_CONFIG_FILE.extra' });
    expect(failure({ CROSSROLE_CONFIG: '[]' })).toEqual({ code: 'INVALID_CONFIG', field: 'CROSSROLE_CONFIG' });
  });

  it('keeps the message readable and the cause attached', () => {
    const bad = { ...CATALOG, ownerAccountId: '42' };
    let err: ValidationError | undefined;
    try {
      loadConfig({ CROSSROLE_CONFIG: JSON.stringify(bad) });
    } catch (e) {
      err = e as ValidationError;
    }
    expect(err?.message).toBe('CROSSROLE_CONFIG.ownerAccountId: must be a 16-digit account ID');
    expect(err?.cause).toBeInstanceOf(ValidationError);
  });
});

describe('loadConfig applies the catalog guardrails', () => {
  const withCustom = (document: unknown, privileged?: boolean): NodeJS.ProcessEnv => ({
    CROSSROLE_CONFIG: JSON.stringify({
      ...CATALOG,
      profiles: [{ name: 'admin-ish', policies: [{ type: 'Custom', name: 'admin-ish', document }], maxDuration: '1h', ...(privileged === undefined ? {} : { privileged }) }],
    }),
  });
  const ESCALATING = { Version: '1', Statement: [{ Effect: 'Allow', Action: ['ram:*'], Resource: '*' }] };

  it('refuses an escalating custom policy as INVALID_CONFIG at the document, keeping the guardrail code', () => {
    let err: CrossroleError | undefined;
    try {
      loadConfig(withCustom(ESCALATING));
    } catch (e) {
      err = e as CrossroleError;
    }
    expect(err).toBeInstanceOf(ValidationError);
    expect({ code: err?.code, field: err?.field }).toEqual({ code: 'INVALID_CONFIG', field: 'CROSSROLE_CONFIG.profiles[0].policies[0].document' });
    expect(err?.details).toMatchObject({ code: 'POLICY_GUARDRAIL' });
    expect(err && httpStatusOf(err.code)).toBe(400);
  });

  it('accepts the same policy on a privileged profile, and a harmless one anywhere', () => {
    expect(() => loadConfig(withCustom(ESCALATING, true))).not.toThrow();
    expect(() => loadConfig(withCustom({ Version: '1', Statement: [{ Effect: 'Allow', Action: ['ecs:Describe*'], Resource: '*' }] }))).not.toThrow();
  });

  it('refuses a malformed policy document', () => {
    expect(failure(withCustom({ Version: '1' }))).toEqual({ code: 'INVALID_CONFIG', field: expect.stringMatching(/^CROSSROLE_CONFIG\.profiles\[0\]\.policies\[0\]\.document/) });
  });
});

describe('loadConfig: the catalog in the code package (FC_FUNC_CODE_PATH)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'crossrole-code-'));
    writeFileSync(join(dir, 'catalog.json'), JSON.stringify(CATALOG));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads catalog.json from the code directory FC names, with nothing in the environment', () => {
    const c = loadConfig({ FC_FUNC_CODE_PATH: dir, FC_FUNCTION_NAME: 'crossrole-intake', DATABASE_URL: 'postgres://db/x' });
    expect(c.catalog.profiles.map((p) => p.name)).toEqual(['ecs-readonly']);
  });

  it('prefers an explicit CROSSROLE_CONFIG_FILE (tests, tools) over the code package', () => {
    const readFile = jest.fn(() => JSON.stringify({ ...CATALOG, profiles: [{ ...CATALOG.profiles[0], name: 'other' }] }));
    expect(loadConfig({ FC_FUNC_CODE_PATH: dir, CROSSROLE_CONFIG_FILE: '/etc/c.json' }, { readFile }).catalog.profiles[0]?.name).toBe('other');
    expect(readFile).toHaveBeenCalledWith('/etc/c.json');
  });

  it('a code package without the catalog (built before, or by hand) says how to build it', () => {
    let err: CrossroleError | undefined;
    try {
      loadConfig({ FC_FUNC_CODE_PATH: join(dir, 'nowhere') });
    } catch (e) {
      err = e as CrossroleError;
    }
    expect({ code: err?.code, field: err?.field }).toEqual({ code: 'INVALID_CONFIG', field: 'catalog.json' });
    expect(err?.message).toMatch(/npm run build -- --catalog/);
  });

  it('names the field inside the file', () => {
    const readFile = (): string => JSON.stringify({ ...CATALOG, profiles: [{ ...CATALOG.profiles[0], maxDuration: '8 h' }] });
    expect(failure({ FC_FUNC_CODE_PATH: '/code' }, { readFile })).toEqual({ code: 'INVALID_CONFIG', field: 'catalog.json.profiles[0].maxDuration' });
  });
});

describe('loadConfig: the ledger from a KMS secret (DATABASE_SECRET_NAME)', () => {
  it('keeps the secret name, not a URL, and needs no DATABASE_URL in FC', () => {
    const c = loadConfig(base({ FC_FUNCTION_NAME: 'crossrole-intake', DATABASE_SECRET_NAME: 'crossrole/prod/ledger-url' }));
    expect(c.ledger).toEqual({ driver: 'pg-secret', secretName: 'crossrole/prod/ledger-url' });
    expect(c.endpoints.kms).toBe('kms.cn-hangzhou.aliyuncs.com');
  });

  it('takes the secret\'s ARN and a VPC KMS endpoint', () => {
    const arn = `acs:kms:cn-shanghai:${OWNER}:secret/ledger`;
    const c = loadConfig(base({ DATABASE_SECRET_NAME: arn, CROSSROLE_REGION: 'cn-shanghai', CROSSROLE_KMS_ENDPOINT: 'kms-vpc.cn-shanghai.aliyuncs.com' }));
    expect(c.ledger).toEqual({ driver: 'pg-secret', secretName: arn });
    expect(c.endpoints.kms).toBe('kms-vpc.cn-shanghai.aliyuncs.com');
  });

  it('accepts only a postgres URL as the secret\'s value, and never echoes the value', () => {
    expect(ledgerUrlFromSecret('s', ' postgres://crossrole:pw@pgm-1.pg.rds.aliyuncs.com:5432/crossrole\n')).toBe('postgres://crossrole:pw@pgm-1.pg.rds.aliyuncs.com:5432/crossrole');
    for (const value of ['hunter2-the-password', '{"AccountName":"crossrole","AccountPassword":"hunter2-the-password"}', 'mysql://u:hunter2-the-password@h/db']) {
      let err: CrossroleError | undefined;
      try {
        ledgerUrlFromSecret('crossrole/ledger', value);
      } catch (e) {
        err = e as CrossroleError;
      }
      expect({ code: err?.code, field: err?.field }).toEqual({ code: 'INVALID_CONFIG', field: 'DATABASE_SECRET_NAME' });
      expect(err?.message).toMatch(/crossrole\/ledger must hold the ledger's postgres:\/\//);
      expect(err?.message).not.toContain('hunter2');
    }
  });
});

describe('loadConfig failures name the variable', () => {
  it.each<[string, NodeJS.ProcessEnv, string]>([
    ['no catalog at all (and not in FC)', {}, 'CROSSROLE_CONFIG_FILE'],
    ['both catalog sources', base({ CROSSROLE_CONFIG_FILE: '/x.json' }), 'CROSSROLE_CONFIG'],
    ['catalog not JSON', { CROSSROLE_CONFIG: '{ownerAccountId:' }, 'CROSSROLE_CONFIG'],
    ['both ledgers', base({ DATABASE_URL: 'postgres://db/x', CROSSROLE_LEDGER_DIR: '/d' }), 'DATABASE_URL'],
    ['DATABASE_URL not postgres', base({ DATABASE_URL: 'mysql://db/x' }), 'DATABASE_URL'],
    ['DATABASE_URL not a URL', base({ DATABASE_URL: 'db:5432' }), 'DATABASE_URL'],
    ['DATABASE_URL and DATABASE_SECRET_NAME', base({ DATABASE_URL: 'postgres://db/x', DATABASE_SECRET_NAME: 'crossrole/ledger' }), 'DATABASE_URL'],
    ['DATABASE_SECRET_NAME and a PGlite directory', base({ DATABASE_SECRET_NAME: 'crossrole/ledger', CROSSROLE_LEDGER_DIR: '/d' }), 'DATABASE_SECRET_NAME'],
    ['DATABASE_SECRET_NAME with a space', base({ DATABASE_SECRET_NAME: 'crossrole ledger' }), 'DATABASE_SECRET_NAME'],
    ['DATABASE_SECRET_NAME over 192 characters', base({ DATABASE_SECRET_NAME: 'x'.repeat(193) }), 'DATABASE_SECRET_NAME'],
    ['KMS endpoint with scheme', base({ CROSSROLE_KMS_ENDPOINT: 'https://kms.cn-hangzhou.aliyuncs.com' }), 'CROSSROLE_KMS_ENDPOINT'],
    ['bad region', base({ CROSSROLE_REGION: 'Hangzhou' }), 'CROSSROLE_REGION'],
    ['bad FC_REGION', base({ FC_REGION: 'cn_hangzhou' }), 'FC_REGION'],
    ['owner not an account id', base({ CROSSROLE_OWNER_ACCOUNT_ID: '123' }), 'CROSSROLE_OWNER_ACCOUNT_ID'],
    ['owner differs from the catalog', base({ CROSSROLE_OWNER_ACCOUNT_ID: '1111111111111111' }), 'CROSSROLE_OWNER_ACCOUNT_ID'],
    ['RAM endpoint with scheme', base({ CROSSROLE_RAM_ENDPOINT: 'https://ram.aliyuncs.com' }), 'CROSSROLE_RAM_ENDPOINT'],
    ['STS endpoint with path', base({ CROSSROLE_STS_ENDPOINT: 'sts.aliyuncs.com/x' }), 'CROSSROLE_STS_ENDPOINT'],
    ['ECS endpoint with space', base({ CROSSROLE_ECS_ENDPOINT: 'ecs .aliyuncs.com' }), 'CROSSROLE_ECS_ENDPOINT'],
    ['MNS endpoint without scheme', base({ CROSSROLE_MNS_ENDPOINT: '1.mns.cn-hangzhou.aliyuncs.com' }), 'CROSSROLE_MNS_ENDPOINT'],
    ['MNS endpoint ftp', base({ CROSSROLE_MNS_ENDPOINT: 'ftp://x' }), 'CROSSROLE_MNS_ENDPOINT'],
    ['protocol', base({ CROSSROLE_PROTOCOL: 'HTTPS' }), 'CROSSROLE_PROTOCOL'],
    ['STS allowlist entry not a URL', base({ CROSSROLE_IDENTITY_STS_URLS: 'https://sts.aliyuncs.com/,sts.cn-hangzhou.aliyuncs.com' }), 'CROSSROLE_IDENTITY_STS_URLS'],
    ['STS allowlist only commas', base({ CROSSROLE_IDENTITY_STS_URLS: ' , ,' }), 'CROSSROLE_IDENTITY_STS_URLS'],
    ['STS allowlist with query', base({ CROSSROLE_IDENTITY_STS_URLS: 'https://sts.aliyuncs.com/?x=1' }), 'CROSSROLE_IDENTITY_STS_URLS'],
    ['STS allowlist with credentials', base({ CROSSROLE_IDENTITY_STS_URLS: 'https://u:p@sts.aliyuncs.com/' }), 'CROSSROLE_IDENTITY_STS_URLS'],
    ['body limit not a number', base({ CROSSROLE_MAX_BODY_BYTES: '256k' }), 'CROSSROLE_MAX_BODY_BYTES'],
    ['body limit negative', base({ CROSSROLE_MAX_BODY_BYTES: '-1' }), 'CROSSROLE_MAX_BODY_BYTES'],
    ['body limit too small', base({ CROSSROLE_MAX_BODY_BYTES: '10' }), 'CROSSROLE_MAX_BODY_BYTES'],
    ['body limit too large', base({ CROSSROLE_MAX_BODY_BYTES: '999999999' }), 'CROSSROLE_MAX_BODY_BYTES'],
    ['log level', base({ CROSSROLE_LOG_LEVEL: 'verbose' }), 'CROSSROLE_LOG_LEVEL'],
    ['key id without secret', base({ ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAI' }), 'ALIBABA_CLOUD_ACCESS_KEY_SECRET'],
    ['secret without key id', base({ ALIBABA_CLOUD_ACCESS_KEY_SECRET: 's' }), 'ALIBABA_CLOUD_ACCESS_KEY_ID'],
    ['token alone', base({ ALIBABA_CLOUD_SECURITY_TOKEN: 't' }), 'ALIBABA_CLOUD_SECURITY_TOKEN'],
  ])('%s → INVALID_CONFIG at %s', (_name, env, field) => {
    expect(failure(env)).toEqual({ code: 'INVALID_CONFIG', field });
  });

  it('never echoes a secret in the error message', () => {
    let message = '';
    try {
      loadConfig(base({ ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'super-secret-value' }));
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/ALIBABA_CLOUD_ACCESS_KEY_ID/);
    expect(message).not.toContain('super-secret-value');
  });
});

describe('getConfig', () => {
  const saved = { ...process.env };
  afterEach(() => {
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
    resetConfigForTests();
  });

  it('loads the real environment once and memoises it', () => {
    resetConfigForTests();
    delete process.env.CROSSROLE_CONFIG_FILE;
    delete process.env.DATABASE_URL;
    process.env.CROSSROLE_CONFIG = JSON.stringify(CATALOG);
    process.env.CROSSROLE_REGION = 'cn-beijing';
    const first = getConfig();
    process.env.CROSSROLE_REGION = 'cn-shanghai';
    expect(getConfig()).toBe(first);
    expect(getConfig().region).toBe('cn-beijing');
    resetConfigForTests();
    expect(getConfig().region).toBe('cn-shanghai');
  });
});

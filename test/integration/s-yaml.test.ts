/**
 * The deployment as written: s.yaml resolved exactly as the local stack resolves it (and with no
 * environment at all, as a bare `s deploy` would), each fc3 resource's props validated against
 * the fc3 component's own JSON schema, every handler present in the build, and the queues equal to
 * the domain's QueueName. The execution role's policy is derived from the catalog
 * (shared/policy/exec-role-policy.ts) and tested in test/unit/policy/exec-role-policy.test.ts.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';
import { QueueName } from '../../shared/domain/ports';
import { ENVIRONMENT_LIMIT_BYTES, environmentSize } from '../../local/fc/spec';
import { functionsFromResolved, resolveSYaml, type ResolvedSYaml } from '../../local/fc/s-yaml';
import type { MnsTriggerSpec } from '../../local/fc/eventbridge-spec';
import { CrossroleError } from '../../shared/domain/errors';
import { EXEC_ROLE_NAME, LOCAL_CATALOG, LOCAL_REGION, LOCAL_VPC, OWNER_ACCOUNT_ID } from '../../local/world';
import { CATALOG_FILE_NAME } from '../../shared/domain/deployment';
import { ensureBuilt, PROJECT_ROOT } from '../helpers/build';

const S_YAML = readFileSync(join(PROJECT_ROOT, 's.yaml'), 'utf8');
const SCHEMA = JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'fc3-props.schema.json'), 'utf8')) as Record<string, unknown> & { definitions: Record<string, unknown> };
const LOCAL_URL = 'http://127.0.0.1:9494';

/** What local/stack.ts passes for `${env(...)}` (endpoints of a stack on port 9494); no catalog. */
const STACK_VALUES: Record<string, string> = {
  DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/postgres',
  CROSSROLE_REGION: LOCAL_REGION,
  CROSSROLE_PROTOCOL: 'http',
  CROSSROLE_RAM_ENDPOINT: '127.0.0.1:9494',
  CROSSROLE_STS_ENDPOINT: '127.0.0.1:9494',
  CROSSROLE_MNS_ENDPOINT: LOCAL_URL,
  CROSSROLE_IDENTITY_STS_URLS: `${LOCAL_URL}/`,
  CROSSROLE_LOG_LEVEL: 'warn',
};

/** The functions' resolved environment: those values, and s.yaml's empty defaults for the rest. */
const LOCAL_ENV: Record<string, string> = { ...STACK_VALUES, DATABASE_SECRET_NAME: '', CROSSROLE_KMS_ENDPOINT: '' };

/** All `${env(...)}` values local/stack.ts passes: the variables above and the local VPC. */
const S_YAML_ENV: Record<string, string> = {
  ...STACK_VALUES,
  CROSSROLE_VPC_ID: LOCAL_VPC.vpcId,
  CROSSROLE_VSWITCH_ID: LOCAL_VPC.vSwitchId,
  CROSSROLE_SECURITY_GROUP_ID: LOCAL_VPC.securityGroupId,
};

const FUNCTIONS = ['crossrole-intake', 'crossrole-approval', 'crossrole-provisioning', 'crossrole-expiry', 'crossrole-revocation', 'crossrole-notifier'];

function resolved(env: Record<string, string>): ResolvedSYaml {
  return resolveSYaml(S_YAML, { env, accountId: OWNER_ACCOUNT_ID });
}

function ajv(): Ajv {
  return new Ajv({ allErrors: true, strict: false });
}

const explain = (v: ValidateFunction): string => (v.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`).join('; ');

describe('s.yaml against the fc3 props schema (test/fixtures/fc3-props.schema.json)', () => {
  const validate = ajv().compile(SCHEMA);
  // The schema lets a trigger's config match ANY trigger kind (anyOf); check each against its own kind too.
  const byType: Record<string, ValidateFunction> = {};
  const triggerAjv = ajv();
  triggerAjv.addSchema({ ...SCHEMA, $id: 'fc3' });
  for (const [type, def] of [['http', 'IHttpTriggerConfig'], ['timer', 'ITimerTriggerConfig'], ['eventbridge', 'IEventBridge']] as const) {
    byType[type] = triggerAjv.compile({ $ref: `fc3#/definitions/${def}` });
  }

  it.each([
    ['the local stack\'s environment', S_YAML_ENV],
    ['no environment (defaults of s.yaml)', {}],
  ])('every resource validates with %s', (_label, env) => {
    const doc = resolved(env);
    expect(JSON.stringify(doc)).not.toContain('${');
    const names = Object.keys(doc.resources);
    expect(names.sort()).toEqual(['approval', 'expiry', 'intake', 'notifier', 'provisioning', 'revocation']);
    for (const [name, res] of Object.entries(doc.resources)) {
      expect(res.component).toMatch(/^fc3(@|$)/);
      if (!validate(res.props)) throw new Error(`resources.${name}.props: ${explain(validate)}`);
      const triggers = (res.props.triggers ?? []) as Array<{ triggerType: string; triggerConfig: unknown }>;
      expect(triggers.length).toBe(1);
      for (const trig of triggers) {
        const v = byType[trig.triggerType];
        if (v === undefined) throw new Error(`resources.${name}: unexpected trigger type ${trig.triggerType}`);
        if (!v(trig.triggerConfig)) throw new Error(`resources.${name}.props.triggers[].triggerConfig (${trig.triggerType}): ${explain(v)}`);
      }
    }
  });

  it('the schema check can fail: broken props are reported', () => {
    const doc = resolved(S_YAML_ENV);
    const intake = structuredClone(doc.resources.intake?.props ?? {});
    intake.memorySize = '512MB';
    delete intake.runtime;
    expect(validate(intake)).toBe(false);
    expect(explain(validate)).toMatch(/runtime/);
    const http = { authType: 'anonymous', methods: ['GET', 'FETCH'] };
    expect(byType.http?.(http)).toBe(false);
    expect(byType.timer?.({ cronExpression: '@every 1m' })).toBe(false);
  });

  it('the functions run in the region, with the execution role and the shared environment, in the ledger\'s VPC', () => {
    const specs = functionsFromResolved(resolved(S_YAML_ENV), OWNER_ACCOUNT_ID);
    expect(specs.map((s) => s.functionName).sort()).toEqual([...FUNCTIONS].sort());
    for (const s of specs) {
      expect(s.region).toBe(LOCAL_REGION);
      expect(s.runtime).toBe('nodejs20');
      expect(s.role).toBe(`acs:ram::${OWNER_ACCOUNT_ID}:role/${EXEC_ROLE_NAME}`);
      // The notifier's environment is the shared one plus the webhooks' URLs and secrets (s.yaml notifierEnv).
      if (s.functionName === 'crossrole-notifier') expect(s.environmentVariables).toEqual(expect.objectContaining(LOCAL_ENV));
      else expect(s.environmentVariables).toEqual(LOCAL_ENV);
      // The ledger is VPC-internal; internet access stays on for the public RAM/STS/MNS endpoints.
      expect(s.vpcConfig).toEqual({ vpcId: LOCAL_VPC.vpcId, vSwitchIds: [LOCAL_VPC.vSwitchId], securityGroupId: LOCAL_VPC.securityGroupId });
      expect(s.internetAccess).toBe(true);
      // nodejs20 is a standard runtime: one request per instance in FC 3.0.
      expect(s.instanceConcurrency).toBe(1);
    }
    for (const res of Object.values(resolved(S_YAML_ENV).resources)) expect(res.props).not.toHaveProperty('instanceConcurrency');
    const timer = specs.find((s) => s.functionName === 'crossrole-expiry')?.triggers[0];
    expect(timer).toMatchObject({ kind: 'timer', cronExpression: '@every 1m', enable: true });
    for (const fn of ['crossrole-intake', 'crossrole-approval']) {
      expect(specs.find((s) => s.functionName === fn)?.triggers[0]).toMatchObject({ kind: 'http', methods: ['GET', 'POST'] });
    }
  });
});

/** A production deployment's `${env(...)}` values, each as long as real ones get. */
const PRODUCTION_ENV: Record<string, string> = {
  DATABASE_SECRET_NAME: 'acs:kms:ap-southeast-1:1511928242963727:secret/crossrole/production/ledger-database-url-primary',
  CROSSROLE_KMS_ENDPOINT: 'kms-vpc.ap-southeast-1.aliyuncs.com',
  CROSSROLE_REGION: 'ap-southeast-1',
  CROSSROLE_PROTOCOL: 'https',
  CROSSROLE_RAM_ENDPOINT: 'ram.aliyuncs.com',
  CROSSROLE_STS_ENDPOINT: 'sts-vpc.ap-southeast-1.aliyuncs.com',
  CROSSROLE_MNS_ENDPOINT: 'https://1511928242963727.mns.ap-southeast-1-internal.aliyuncs.com',
  CROSSROLE_IDENTITY_STS_URLS: 'https://sts.aliyuncs.com/,https://sts.ap-southeast-1.aliyuncs.com/,https://sts-vpc.ap-southeast-1.aliyuncs.com/',
  CROSSROLE_LOG_LEVEL: 'info',
  CROSSROLE_VPC_ID: 'vpc-t4nq8b7k2c4d5e6f7g8h9',
  CROSSROLE_VSWITCH_ID: 'vsw-t4n1a2b3c4d5e6f7g8h9i',
  CROSSROLE_SECURITY_GROUP_ID: 'sg-t4n0123456789abcdefg',
};

describe('s.yaml against FC 3.0 limits', () => {
  it('keeps each function\'s environment far under 4 KB with production values: the catalog is not in it', () => {
    for (const s of functionsFromResolved(resolved(PRODUCTION_ENV), OWNER_ACCOUNT_ID)) {
      expect(Object.keys(s.environmentVariables)).not.toContain('CROSSROLE_CONFIG');
      expect(JSON.stringify(s.environmentVariables)).not.toContain('"profiles"');
      const size = environmentSize(s.environmentVariables);
      expect(size).toBeLessThanOrEqual(ENVIRONMENT_LIMIT_BYTES);
      // Room for growth whatever the catalog's size: it travels in the code package.
      expect(size).toBeLessThan(1024);
    }
    // And with a plain DATABASE_URL instead of the secret (password and all).
    const plain = { ...PRODUCTION_ENV, DATABASE_SECRET_NAME: '', DATABASE_URL: `postgres://crossrole_app:${'p'.repeat(64)}@pgm-t4n0a1b2c3d4e5f6.pg.rds.aliyuncs.com:5432/crossrole?sslmode=require` };
    for (const s of functionsFromResolved(resolved(plain), OWNER_ACCOUNT_ID)) expect(environmentSize(s.environmentVariables)).toBeLessThan(1024);
  });

  it('is refused without its VPC values (no environment), naming the function', () => {
    let err: unknown;
    try {
      functionsFromResolved(resolved({}), OWNER_ACCOUNT_ID);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CrossroleError);
    expect((err as CrossroleError).field).toMatch(/^resources\.\w+\.props\.vpcConfig\.vpcId$/);
  });
});

describe('s.yaml against the build and the domain', () => {
  beforeAll(async () => {
    await ensureBuilt();
  }, 120_000);

  it('every function\'s code package carries the catalog next to its bundle (the local stack\'s, by default)', () => {
    const specs = functionsFromResolved(resolved(S_YAML_ENV), OWNER_ACCOUNT_ID);
    expect(specs.map((s) => s.code.replace(/^\.\/dist\/functions\//, '')).sort()).toEqual(readdirSync(join(PROJECT_ROOT, 'dist', 'functions')).sort());
    for (const s of specs) {
      const text = readFileSync(join(PROJECT_ROOT, s.code, CATALOG_FILE_NAME), 'utf8');
      expect(JSON.parse(text)).toEqual(LOCAL_CATALOG);
    }
  });

  it('every handler exists in the build and exports `handler`', () => {
    for (const s of functionsFromResolved(resolved(S_YAML_ENV), OWNER_ACCOUNT_ID)) {
      const [file, exported] = s.handler.split('.');
      expect(exported).toBe('handler');
      const path = join(PROJECT_ROOT, s.code, `${file ?? ''}.js`);
      expect(path).toBe(join(PROJECT_ROOT, 'dist', 'functions', s.functionName.replace(/^crossrole-/, ''), 'index.js'));
      expect(existsSync(path)).toBe(true);
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- the bundle is CommonJS, loaded as FC loads it
      const mod = require(path) as Record<string, unknown>;
      expect(typeof mod.handler).toBe('function');
    }
  });

  it('the queues of the triggers and the dead-letter queue are the domain\'s QueueName values', () => {
    const specs = functionsFromResolved(resolved(S_YAML_ENV), OWNER_ACCOUNT_ID);
    const mns = specs.flatMap((s) => s.triggers.filter((t): t is MnsTriggerSpec => t.kind === 'mns').map((t) => ({ fn: s.functionName, t })));
    expect(mns.map(({ fn, t }) => [fn, t.queueName])).toEqual([
      ['crossrole-provisioning', QueueName.PROVISION],
      ['crossrole-revocation', QueueName.REVOKE],
      ['crossrole-notifier', QueueName.NOTIFY],
    ]);
    const values: string[] = Object.values(QueueName);
    for (const { t } of mns) {
      expect(values).toContain(t.queueName);
      // event-streaming: the only mode in which the retries, the dead-letter queue and batching take effect.
      if (t.mode !== 'event-streaming') throw new Error(`${t.queueName}: runOptions need mode event-streaming`);
      expect(t).toMatchObject({ enable: true, isBase64Decode: false, asyncInvocationType: false, errorsTolerance: 'ALL', retryStrategy: 'BACKOFF_RETRY', batchWindow: { countBasedWindow: 10, timeBasedWindowSeconds: 1 }, ignoredRunOptions: [] });
      expect(t.deadLetterQueueArn).toBe(`acs:mns:${LOCAL_REGION}:${OWNER_ACCOUNT_ID}:/queues/${QueueName.DEADLETTER}`);
      expect(values).toContain(t.deadLetterQueueArn?.split('/').pop());
    }
  });
});

/**
 * The deploy path a platform engineer checks, against `npm start` as a child process and the CLI as
 * separate processes: `bootstrap --dry-run` plans and changes nothing, `bootstrap` applies and a
 * second run is all unchanged, `doctor` is all ok for the owner, and each way of breaking the owner's
 * world on purpose (a queue's retention, a deleted queue, a changed or detached execution policy, a
 * detached approvers' policy, an unmigrated or unreachable ledger, functions under another name, an
 * s.yaml over FC's 4 KB) gives its own fail line, which bootstrap repairs. Partners and approvers
 * configure from the hand-out and then need no flag: they play the tutorial with no endpoint flag and
 * no `--as`, their own keys in the environment (as ALIBABA_CLOUD_ACCESS_KEY_ID on their machines).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import MNSClient from '@alicloud/mns';
import Ecs, * as E from '@alicloud/ecs20140526';
import Ram, * as R from '@alicloud/ram20150501';
import { Client } from 'pg';
import { MIGRATIONS } from '../../shared/ledger';
import { QueueName } from '../../shared/domain/ports';
import { ensureCliBuilt, json, runCli, startStackProcess, tempDir, ROOT, type CliResult, type StackProcess } from '../helpers/cli';


interface Check { check: string; status: 'ok' | 'warn' | 'fail' | 'skip'; detail: string; fix?: string }
interface Doctor { as: string; checks: Check[]; summary: Record<string, number> }
interface Step { resource: string; action: string; changes: string[]; warning?: string }
interface Bootstrap { plan: Step[]; applied: Array<{ resource: string; action: string; result: string }>; handout: { intakeUrl?: string; approvalUrl?: string; partnerCommand?: string; approverCommand?: string; missing?: string } }

const PG_URL = process.env.CROSSROLE_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
/** The migrations this code knows, as bootstrap and doctor list them (versions need not be contiguous). */
const VERSIONS = MIGRATIONS.map((m) => m.version).join(', ');

let stack: StackProcess;
let ledgerUrl: string;
let configDir: { dir: string; cleanup: () => void };
let env: Record<string, string>;

const cli = (args: string[], extra: Record<string, string | undefined> = {}, cwd = ROOT): Promise<CliResult> => runCli(args, { env: { ...env, ...extra }, cwd, timeoutMs: 60_000 });
type Who = 'owner-admin' | 'approver' | 'partner-admin' | 'bob';
const keys = (who: Who): { accessKeyId: string; accessKeySecret: string } => {
  const p = stack.contract.principals[who];
  return { accessKeyId: p.accessKeyId, accessKeySecret: p.accessKeySecret };
};
const popConfig = (c: { accessKeyId: string; accessKeySecret: string; securityToken?: string }): $OpenApiUtil.Config =>
  new $OpenApiUtil.Config({ ...c, endpoint: stack.contract.endpoint, protocol: 'http', regionId: 'cn-hangzhou' });
const ram = (who: Who): Ram => new Ram(popConfig(keys(who)));
const mns = (who: Who, account: string): MNSClient => new MNSClient(account, { ...keys(who), endpoint: `http://${stack.contract.endpoint}`, region: 'cn-hangzhou' });

async function doctor(args: string[], extra: Record<string, string | undefined> = {}, cwd = ROOT): Promise<{ code: number | null; report: Doctor; line: (id: string) => Check | undefined }> {
  const r = await cli(['doctor', '--json', ...args], extra, cwd);
  const report = json<Doctor>(r);
  return { code: r.code, report, line: (id) => report.checks.find((c) => c.check === id) };
}
const notOk = (d: Doctor): Check[] => d.checks.filter((c) => c.status !== 'ok');

beforeAll(async () => {
  await ensureCliBuilt();
  stack = await startStackProcess();
  const m = /ledger\s+(postgres:\/\/\S+)/.exec(stack.output());
  if (!m?.[1]) throw new Error(`the stack did not print its ledger URL:\n${stack.output()}`);
  ledgerUrl = m[1];
  configDir = tempDir('crossrole-config-');
  env = { CROSSROLE_DATA_DIR: stack.dataDir, NO_COLOR: '1', CROSSROLE_CONFIG_DIR: configDir.dir };
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  configDir?.cleanup();
});

describe('deploying and checking Crossrole', () => {
  it('the seeded owner account: the plan is all unchanged, doctor all ok; a partner and an approver check their own side', async () => {
    const [plan, owner, partner, approver] = await Promise.all([
      cli(['bootstrap', '--as', 'owner-admin', '--dry-run', '--database-url', ledgerUrl, '--json']),
      doctor(['--as', 'owner-admin', '--database-url', ledgerUrl]),
      doctor(['--as', 'partner-admin']),
      doctor(['--as', 'approver']),
    ]);
    expect(plan.code).toBe(0);
    const b = json<Bootstrap>(plan);
    expect(b.plan.map((s) => [s.resource, s.action])).toEqual([
      ['queue crossrole-approvals', 'unchanged'], ['queue crossrole-provision', 'unchanged'], ['queue crossrole-revoke', 'unchanged'], ['queue crossrole-deadletter', 'unchanged'], ['queue crossrole-notify', 'unchanged'],
      ['role crossrole-fc-exec', 'unchanged'], ['policy crossrole-fc-exec-policy', 'unchanged'], ['policy crossrole-fc-exec-policy → role/crossrole-fc-exec', 'unchanged'],
      ['policy crossrole-approvers', 'unchanged'], ['policy crossrole-approvers → user/approver', 'unchanged'], ['policy crossrole-approvers → user/approver-2', 'unchanged'], ['ledger schema', 'unchanged'],
    ]);
    expect(b.applied).toEqual([]);
    expect(b.handout).toMatchObject({ intakeUrl: stack.contract.api.intake, approvalUrl: stack.contract.api.approval });
    expect(b.handout.partnerCommand).toBe(`crossrole configure --intake-url ${stack.contract.api.intake} --approval-url ${stack.contract.api.approval} --region cn-hangzhou --sts-endpoint http://${stack.contract.endpoint} --owner-account ${stack.contract.ownerAccountId}`);

    expect(notOk(owner.report)).toEqual([]);
    expect(owner.code).toBe(0);
    expect(owner.report.checks.map((c) => c.check)).toEqual(expect.arrayContaining([
      'identity', 'endpoint:sts', 'endpoint:ram', 'endpoint:mns', 'api:intake', 'api:approval', 'api:identity-proof', 'queue:crossrole-revoke', 'exec-role', 'exec-policy',
      'exec-policy-attached', 'approver-policy', `approver:acs:ram::${stack.contract.ownerAccountId}:user/approver`, 'ledger', 'function:crossrole-provisioning', 's-yaml-env',
    ]));
    expect(owner.line('api:intake')?.detail).toContain('401 IDENTITY_MISSING');

    // A partner: identity, endpoints and the API accepting its proofs; AssumeRole cannot be known yet, and it says so.
    expect(partner.code).toBe(0);
    expect(partner.report.as).toBe('partner');
    expect(notOk(partner.report).map((c) => [c.check, c.status])).toEqual([['endpoint:ram', 'skip'], ['endpoint:mns', 'skip'], ['assume-role', 'skip']]);
    expect(partner.line('assume-role')?.detail).toMatch(/cannot be known until a grant exists/);
    // An approver is in the owner account but may not read the deployment: one skip line, not a failure.
    expect(approver.code).toBe(0);
    expect(approver.line('identity')?.detail).toContain('an approver in the catalog');
    expect(notOk(approver.report).map((c) => [c.check, c.status])).toEqual([['owner', 'skip']]);
  }, 60_000);

  it('names each break of the owner\'s world, plans its repair without changing anything, and bootstrap repairs it', async () => {
    const A = stack.contract.ownerAccountId;
    const mnsA = mns('owner-admin', A);
    const ramA = ram('owner-admin');
    await mnsA.setQueueAttributes('crossrole-revoke', { MessageRetentionPeriod: 345600 });
    await mnsA.deleteQueue('crossrole-deadletter');
    const current = (await ramA.getPolicy(new R.GetPolicyRequest({ policyName: 'crossrole-fc-exec-policy', policyType: 'Custom' }))).body?.defaultPolicyVersion?.policyDocument ?? '';
    const narrowed = JSON.parse(current) as { Statement: unknown[] };
    narrowed.Statement = narrowed.Statement.slice(0, -1);
    await ramA.createPolicyVersion(new R.CreatePolicyVersionRequest({ policyName: 'crossrole-fc-exec-policy', policyDocument: JSON.stringify(narrowed), setAsDefault: true }));
    await ramA.detachPolicyFromRole(new R.DetachPolicyFromRoleRequest({ policyType: 'Custom', policyName: 'crossrole-fc-exec-policy', roleName: 'crossrole-fc-exec' }));
    await ramA.detachPolicyFromUser(new R.DetachPolicyFromUserRequest({ policyType: 'Custom', policyName: 'crossrole-approvers', userName: 'approver' }));

    const broken = await doctor(['--as', 'owner-admin']);
    expect(broken.code).toBe(1);
    const fails = Object.fromEntries(broken.report.checks.filter((c) => c.status === 'fail').map((c) => [c.check, c.detail]));
    expect(Object.keys(fails).sort()).toEqual(['approver:acs:ram::1511928242963727:user/approver', 'exec-policy', 'exec-policy-attached', 'queue:crossrole-deadletter', 'queue:crossrole-revoke']);
    expect(fails['queue:crossrole-revoke']).toContain('MessageRetentionPeriod 345600 → 604800');
    expect(fails['queue:crossrole-deadletter']).toContain('does not exist');
    expect(fails['exec-policy']).toMatch(/default version v2 is not the one derived from the catalog: \+ Allow mns:/);
    expect(fails['exec-policy-attached']).toContain('is not attached to role crossrole-fc-exec');
    expect(fails['approver:acs:ram::1511928242963727:user/approver']).toContain('crossrole-approvers is not attached');
    expect(broken.line('queue:crossrole-revoke')?.fix).toMatch(/crossrole bootstrap/);
    expect(broken.line('exec-role')?.status).toBe('ok');

    // The dry run names each repair and changes nothing.
    const dry = json<Bootstrap>(await cli(['bootstrap', '--as', 'owner-admin', '--dry-run', '--json']));
    const planned = Object.fromEntries(dry.plan.filter((s) => s.action !== 'unchanged' && s.action !== 'skip').map((s) => [s.resource, s]));
    expect(Object.fromEntries(Object.entries(planned).map(([k, s]) => [k, s.action]))).toEqual({
      'queue crossrole-revoke': 'update', 'queue crossrole-deadletter': 'create', 'policy crossrole-fc-exec-policy': 'update',
      'policy crossrole-fc-exec-policy → role/crossrole-fc-exec': 'create', 'policy crossrole-approvers → user/approver': 'create',
    });
    expect(planned['queue crossrole-revoke']?.changes).toEqual(['MessageRetentionPeriod 345600 → 604800']);
    expect(planned['policy crossrole-fc-exec-policy']?.changes[0]).toBe('new default version (now v2):');
    // The narrowed version lost the MNS statement: the plan adds its grants back (the list is capped, the rest counted).
    expect(planned['policy crossrole-fc-exec-policy']?.changes.slice(1)).toEqual([...Array.from({ length: 12 }, () => expect.stringMatching(/^\+ Allow mns:/)), `… and ${Object.values(QueueName).length * 4 - 12} more`]);
    expect((await mnsA.getQueueAttributes('crossrole-revoke')).body['MessageRetentionPeriod']).toBe('345600');
    await expect(mnsA.getQueueAttributes('crossrole-deadletter')).rejects.toMatchObject({ name: 'MNSQueueNotExistError' });

    const human = await cli(['bootstrap', '--as', 'owner-admin']);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/~ update\s+queue crossrole-revoke\n\s+MessageRetentionPeriod 345600 → 604800/);
    expect(human.stdout).toMatch(/policy crossrole-fc-exec-policy\s+updated to v3 \(was v2\)/);
    expect(human.stdout).toContain('Done: 5 changes.');
    const again = json<Bootstrap>(await cli(['bootstrap', '--as', 'owner-admin', '--json']));
    expect(again.plan.filter((s) => s.action !== 'unchanged').map((s) => s.resource)).toEqual(['ledger schema']);
    expect(again.applied).toEqual([]);
    const repaired = await doctor(['--as', 'owner-admin', '--database-url', ledgerUrl]);
    expect(notOk(repaired.report)).toEqual([]);
    expect(repaired.code).toBe(0);
  }, 90_000);

  it('fails on an unmigrated or unreachable ledger, on functions it cannot find, and on an s.yaml over 4 KB; bootstrap migrates the ledger', async () => {
    const schema = `crossrole_doctor_${process.pid}_${Date.now()}`;
    const tmp = tempDir('crossrole-syaml-');
    const sYaml = join(tmp.dir, 's.yaml');
    writeFileSync(sYaml, [
      'edition: 3.0.0', 'name: oversized', 'vars:', '  env:', "    CROSSROLE_CONFIG: ${env('BIG_CATALOG', '')}", "    CROSSROLE_REGION: ${env('CROSSROLE_REGION', 'cn-hangzhou')}",
      'resources:', '  intake:', '    component: fc3@0.1.22', '    props:', '      functionName: crossrole-intake', '      environmentVariables: ${vars.env}',
    ].join('\n'));
    try {
      const [unmigrated, unreachable] = await Promise.all([
        doctor(['--as', 'owner-admin', '--database-url', PG_URL, '--database-schema', schema, '--function-prefix', 'nope-', '--s-yaml', sYaml], { BIG_CATALOG: 'x'.repeat(4100) }),
        doctor(['--as', 'owner-admin', '--database-url', 'postgres://postgres@127.0.0.1:1/none']),
      ]);
      expect(unmigrated.code).toBe(1);
      const fails = Object.fromEntries(unmigrated.report.checks.filter((c) => c.status === 'fail').map((c) => [c.check, c.detail]));
      expect(Object.keys(fails).sort()).toEqual(['function:nope-approval', 'function:nope-expiry', 'function:nope-intake', 'function:nope-notifier', 'function:nope-provisioning', 'function:nope-revocation', 'ledger', 's-yaml-env']);
      expect(fails['ledger']).toBe(`the ledger (schema ${schema}) is reachable but not migrated (no schema_migrations table)`);
      expect(fails['function:nope-intake']).toBe('function nope-intake does not exist');
      expect(fails['s-yaml-env']).toMatch(/^crossrole-intake: 4\d{3} bytes \(largest: CROSSROLE_CONFIG 4100.*over Function Compute's 4096 bytes/);
      expect(unmigrated.line('ledger')?.fix).toContain('crossrole bootstrap --database-url');
      expect(unreachable.code).toBe(1);
      expect(unreachable.line('ledger')).toMatchObject({ status: 'fail', detail: expect.stringMatching(/^cannot connect to the ledger database/) });

      const dry = json<Bootstrap>(await cli(['bootstrap', '--as', 'owner-admin', '--database-url', PG_URL, '--database-schema', schema, '--dry-run', '--json']));
      expect(dry.plan.find((s) => s.resource === `ledger schema ${schema}`)).toMatchObject({ action: 'create', changes: [`apply migrations ${VERSIONS}`] });
      const applied = json<Bootstrap>(await cli(['bootstrap', '--as', 'owner-admin', '--database-url', PG_URL, '--database-schema', schema, '--json']));
      expect(applied.applied).toEqual([{ resource: `ledger schema ${schema}`, action: 'create', result: `applied ${VERSIONS}` }]);
      const migrated = await doctor(['--as', 'owner-admin', '--database-url', PG_URL, '--database-schema', schema]);
      expect(migrated.line('ledger')).toMatchObject({ status: 'ok', detail: `the ledger (schema ${schema}) is reachable and migrated (${VERSIONS})` });
    } finally {
      tmp.cleanup();
      const pg = new Client({ connectionString: PG_URL });
      await pg.connect();
      await pg.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await pg.end();
    }
  }, 60_000);

  it('bootstraps a fresh account: the dry run changes nothing, one run creates all, the next finds all unchanged; catalog changes stay within RAM\'s five versions', async () => {
    const B = stack.contract.partnerAccountId;
    const tmp = tempDir('crossrole-bootstrap-');
    const catalogFile = join(tmp.dir, 'catalog.json');
    const writeCatalog = (extra: string[]): void => writeFileSync(catalogFile, JSON.stringify({
      ownerAccountId: B, approvers: [`acs:ram::${B}:user/partner-admin`, `acs:ram::${B}:root`, `acs:ram::${B}:user/ghost`], partners: 'open',
      profiles: [
        { name: 'ecs-readonly', maxDuration: '8h', policies: [{ type: 'System', name: 'AliyunECSReadOnlyAccess' }] },
        ...extra.map((name, k) => ({ name: `extra-${k}`, maxDuration: '1h', policies: [{ type: 'System', name }] })),
      ],
    }));
    const mnsB = mns('partner-admin', B);
    // One queue exists already, with MNS's default 4-day retention.
    await mnsB.createQueue('crossrole-revoke');
    try {
      writeCatalog([]);
      const boot = (...args: string[]): Promise<CliResult> => cli(['bootstrap', '--as', 'partner-admin', '--catalog', catalogFile, ...args]);
      const mismatch = await cli(['bootstrap', '--as', 'partner-admin']);
      expect(mismatch.code).toBe(1);
      expect(mismatch.stderr).toContain('CATALOG_OWNER_MISMATCH');

      const dry = json<Bootstrap>(await boot('--dry-run', '--json'));
      expect(dry.plan.map((s) => [s.resource, s.action])).toEqual([
        ['queue crossrole-approvals', 'create'], ['queue crossrole-provision', 'create'], ['queue crossrole-revoke', 'update'], ['queue crossrole-deadletter', 'create'], ['queue crossrole-notify', 'create'],
        ['role crossrole-fc-exec', 'create'], ['policy crossrole-fc-exec-policy', 'create'], ['policy crossrole-fc-exec-policy → role/crossrole-fc-exec', 'create'],
        ['policy crossrole-approvers', 'create'], ['policy crossrole-approvers → user/partner-admin', 'create'], [`approver acs:ram::${B}:root`, 'skip'],
        ['policy crossrole-approvers → user/ghost', 'skip'], ['ledger schema', 'skip'],
      ]);
      expect(dry.plan.find((s) => s.resource === 'policy crossrole-approvers → user/ghost')?.warning).toMatch(/RAM user ghost does not exist/);
      await expect(mnsB.getQueueAttributes('crossrole-approvals')).rejects.toMatchObject({ name: 'MNSQueueNotExistError' });
      await expect(ram('partner-admin').getRole(new R.GetRoleRequest({ roleName: 'crossrole-fc-exec' }))).rejects.toThrow(/EntityNotExist/);
      // FC serves no function in account B: the hand-out says what is missing instead of inventing URLs.
      expect(dry.handout.missing).toMatch(/cannot read function crossrole-intake/);

      const first = json<Bootstrap>(await boot('--json'));
      expect(first.applied.map((a) => [a.resource, a.result])).toEqual([
        ['queue crossrole-approvals', 'created'], ['queue crossrole-provision', 'created'], ['queue crossrole-revoke', 'updated'], ['queue crossrole-deadletter', 'created'], ['queue crossrole-notify', 'created'],
        ['role crossrole-fc-exec', 'created'], ['policy crossrole-fc-exec-policy', 'created (v1)'], ['policy crossrole-fc-exec-policy → role/crossrole-fc-exec', 'attached'],
        ['policy crossrole-approvers', 'created (v1)'], ['policy crossrole-approvers → user/partner-admin', 'attached'],
      ]);
      for (const q of ['crossrole-approvals', 'crossrole-revoke']) expect((await mnsB.getQueueAttributes(q)).body['MessageRetentionPeriod']).toBe('604800');
      const second = json<Bootstrap>(await boot('--json'));
      expect(second.plan.filter((s) => s.action !== 'unchanged').map((s) => s.action)).toEqual(['skip', 'skip', 'skip']);
      expect(second.applied).toEqual([]);
      const role = await ram('partner-admin').getRole(new R.GetRoleRequest({ roleName: 'crossrole-fc-exec' }));
      expect(role.body?.role?.assumeRolePolicyDocument).toContain('fc.aliyuncs.com');

      // Six catalog changes: six new default versions, and RAM's five-version quota is never exceeded.
      const added = ['AliyunOSSReadOnlyAccess', 'AliyunRDSReadOnlyAccess', 'AliyunSLBReadOnlyAccess', 'AliyunVPCReadOnlyAccess', 'AliyunLogReadOnlyAccess', 'AliyunMNSReadOnlyAccess'];
      const results: string[] = [];
      for (let i = 1; i <= added.length; i++) {
        writeCatalog(added.slice(0, i));
        const r = json<Bootstrap>(await boot('--json'));
        results.push(r.applied.map((a) => `${a.resource}: ${a.result}`).join(' | '));
        const versions = (await ram('partner-admin').listPolicyVersions(new R.ListPolicyVersionsRequest({ policyName: 'crossrole-fc-exec-policy', policyType: 'Custom' }))).body?.policyVersions?.policyVersion ?? [];
        expect(versions.length).toBeLessThanOrEqual(5);
      }
      expect(results).toEqual([
        'policy crossrole-fc-exec-policy: updated to v2 (was v1)', 'policy crossrole-fc-exec-policy: updated to v3 (was v2)', 'policy crossrole-fc-exec-policy: updated to v4 (was v3)',
        'policy crossrole-fc-exec-policy: updated to v5 (was v4)', 'policy crossrole-fc-exec-policy: updated to v6 (was v5; removed v1)', 'policy crossrole-fc-exec-policy: updated to v7 (was v6; removed v2)',
      ]);
      // The ledger's URL in a KMS secret: the role may read that one secret and decrypt with its key, nothing else in KMS.
      expect((await boot('--database-secret-key', 'key-1')).code).toBe(2);
      const withSecret = json<Bootstrap>(await boot('--database-secret', 'crossrole/ledger-url', '--database-secret-key', 'key-hzz6abc', '--json'));
      expect(withSecret.applied.map((a) => `${a.resource}: ${a.result}`)).toEqual(['policy crossrole-fc-exec-policy: updated to v8 (was v7; removed v3)']);
      const kmsDoc = JSON.parse((await ram('partner-admin').getPolicy(new R.GetPolicyRequest({ policyName: 'crossrole-fc-exec-policy', policyType: 'Custom' }))).body?.defaultPolicyVersion?.policyDocument ?? '{}') as { Statement: Array<{ Action: unknown; Resource: unknown }> };
      expect(kmsDoc.Statement.filter((st) => JSON.stringify(st.Action).includes('kms:'))).toEqual([
        { Effect: 'Allow', Action: 'kms:GetSecretValue', Resource: `acs:kms:cn-hangzhou:${B}:secret/crossrole/ledger-url` },
        { Effect: 'Allow', Action: 'kms:Decrypt', Resource: `acs:kms:cn-hangzhou:${B}:key/key-hzz6abc` },
      ]);
      // Bob is in account B too, without the rights to bootstrap it.
      const bob = await cli(['bootstrap', '--as', 'bob', '--catalog', catalogFile]);
      expect(bob.code).toBe(1);
      expect(bob.stderr).toMatch(/reading the account's current state failed/);
    } finally {
      tmp.cleanup();
    }
  }, 120_000);

  it('partners and approvers configure from the hand-out and then need no flag; the config is validated', async () => {
    const handout = json<Bootstrap>(await cli(['bootstrap', '--as', 'owner-admin', '--dry-run', '--json'])).handout;
    const home = tempDir('crossrole-partner-home-');
    try {
      const partnerCfg = join(home.dir, 'partner');
      const approverCfg = join(home.dir, 'approver');
      mkdirSync(partnerCfg);
      mkdirSync(approverCfg);
      // No local.json in the working directory and no --as: only the config file says where the API is.
      const as = (who: Who, cfg: string) => ({ CROSSROLE_DATA_DIR: undefined, CROSSROLE_CONFIG_DIR: cfg, HOME: home.dir, ALIBABA_CLOUD_ACCESS_KEY_ID: keys(who).accessKeyId, ALIBABA_CLOUD_ACCESS_KEY_SECRET: keys(who).accessKeySecret });
      const args = (command: string | undefined): string[] => (command ?? '').split(' ').slice(2);
      const [p, a] = await Promise.all([
        cli(['configure', ...args(handout.partnerCommand)], as('bob', partnerCfg), home.dir),
        cli(['configure', ...args(handout.approverCommand)], as('approver', approverCfg), home.dir),
      ]);
      expect([p.code, a.code]).toEqual([0, 0]);
      expect(p.stdout).toContain(`Wrote ${join(partnerCfg, 'config.json')}`);
      const [list, check, inbox, shown] = await Promise.all([
        cli(['list', '--json'], as('bob', partnerCfg), home.dir),
        doctor([], as('bob', partnerCfg), home.dir),
        cli(['inbox', '--json'], as('approver', approverCfg), home.dir),
        cli(['configure', '--show'], as('approver', approverCfg), home.dir),
      ]);
      expect(list.code).toBe(0);
      expect(json<{ items: unknown[] }>(list).items).toEqual(expect.any(Array));
      expect(check.code).toBe(0);
      expect(check.report.as).toBe('partner');
      expect(check.line('api:identity-proof')?.status).toBe('ok');
      expect({ code: inbox.code, stderr: inbox.stderr }).toEqual({ code: 0, stderr: '' });
      expect(shown.stdout).toContain(`MNS endpoint         http://${stack.contract.endpoint}`);

      const [bad, none] = await Promise.all([
        cli(['configure', '--intake-url', 'http://crossrole.example.com', '--approval-url', 'not a url'], as('bob', join(home.dir, 'bad')), home.dir),
        cli(['list'], as('bob', join(home.dir, 'nothing')), home.dir),
      ]);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain('intakeUrl must use https (http is only for the local stack');
      expect(bad.stderr).toContain('approvalUrl is not a URL');
      expect(none.code).toBe(1);
      expect(none.stderr).toContain('NO_ENDPOINT');
      expect(none.stderr).toContain('crossrole configure');
    } finally {
      home.cleanup();
    }
  }, 60_000);
  it('after `crossrole configure`, partner, approver and Bob play the tutorial with no endpoint flag and no --as', async () => {
    const handout = json<Bootstrap>(await cli(['bootstrap', '--as', 'owner-admin', '--dry-run', '--json'])).handout;
    const home = tempDir('crossrole-tutorial-home-');
    try {
      // Each person on their own machine: their config dir, their keys in the environment, no local.json
      // in reach (no CROSSROLE_DATA_DIR, the working directory has none).
      const cfg = (who: Who): string => join(home.dir, who);
      const as = (who: Who) => ({ CROSSROLE_DATA_DIR: undefined, CROSSROLE_CONFIG_DIR: cfg(who), HOME: home.dir, ALIBABA_CLOUD_ACCESS_KEY_ID: keys(who).accessKeyId, ALIBABA_CLOUD_ACCESS_KEY_SECRET: keys(who).accessKeySecret });
      const run = (who: Who, args: string[]): Promise<CliResult> => cli(args, as(who), home.dir);
      const handed = (command: string | undefined): string[] => (command ?? '').split(' ').slice(2);
      for (const who of ['partner-admin', 'bob', 'approver'] as const) mkdirSync(cfg(who));
      const configured = await Promise.all([
        run('partner-admin', ['configure', ...handed(handout.partnerCommand)]),
        run('bob', ['configure', ...handed(handout.partnerCommand)]),
        run('approver', ['configure', ...handed(handout.approverCommand)]),
      ]);
      expect(configured.map((r) => r.code)).toEqual([0, 0, 0]);
      const flagsUsed = (args: string[]): string[] => args.filter((a) => /^--(as|endpoint|api-intake|api-approval|sts-endpoint|data-dir)$/.test(a));

      // B's admin asks for the role, trusting Bob only; no --wait.
      const requestArgs = ['request', '--access-profile', 'ecs-readonly', '--duration', '2h', '--reason', 'Audit from the hand-out', '--role-name', 'Configured-Audit', '--principal', 'user/bob', '--json'];
      expect(flagsUsed(requestArgs)).toEqual([]);
      const asked = await run('partner-admin', requestArgs);
      expect({ code: asked.code, stderr: asked.stderr }).toEqual({ code: 0, stderr: '' });
      const request = json<{ request: { id: string; status: string; roleName: string; principals: string[] } }>(asked).request;
      expect(request).toMatchObject({ status: 'PENDING', roleName: 'crossrole-configured-audit', principals: [`acs:ram::${stack.contract.partnerAccountId}:user/bob`] });

      // A's approver approves and waits for the role.
      const approved = await run('approver', ['approve', request.id, '--reason', 'agreed with B', '--wait', '--json']);
      expect(approved.code).toBe(0);
      const active = json<{ request: { status: string; grant?: { roleArn: string } } }>(approved).request;
      const roleArn = `acs:ram::${stack.contract.ownerAccountId}:role/crossrole-configured-audit`;
      expect(active).toMatchObject({ status: 'ACTIVE', grant: { roleArn } });

      // Step 2: the partner policy, attached to Bob by B's admin with the RAM SDK, as the tutorial says.
      const pp = await run('partner-admin', ['partner-policy', request.id]);
      expect(pp.code).toBe(0);
      expect((JSON.parse(pp.stdout) as { Statement: unknown[] }).Statement).toEqual([expect.objectContaining({ Action: 'sts:AssumeRole', Resource: roleArn })]);
      const ramB = ram('partner-admin');
      await ramB.createPolicy(new R.CreatePolicyRequest({ policyName: 'AssumeConfiguredAudit', policyDocument: pp.stdout }));
      await ramB.attachPolicyToUser(new R.AttachPolicyToUserRequest({ policyType: 'Custom', policyName: 'AssumeConfiguredAudit', userName: 'bob' }));

      // Step 3: Bob assumes the role by the request id (the trust policy names him, so he may read it),
      // through the STS endpoint of his config, and reads A's ECS with the exported credentials.
      const assumed = await run('bob', ['assume', request.id]);
      expect(assumed.code).toBe(0);
      const exported = Object.fromEntries([...assumed.stdout.matchAll(/^export (ALIBABA_CLOUD_[A-Z_]+)=(\S+)$/gm)].map((m) => [m[1], m[2]]));
      expect(Object.keys(exported).sort()).toEqual(['ALIBABA_CLOUD_ACCESS_KEY_ID', 'ALIBABA_CLOUD_ACCESS_KEY_SECRET', 'ALIBABA_CLOUD_IGNORE_PROFILE', 'ALIBABA_CLOUD_SECURITY_TOKEN']);
      const token = { accessKeyId: exported['ALIBABA_CLOUD_ACCESS_KEY_ID'] ?? '', accessKeySecret: exported['ALIBABA_CLOUD_ACCESS_KEY_SECRET'] ?? '', securityToken: exported['ALIBABA_CLOUD_SECURITY_TOKEN'] ?? '' };
      const ecs = new Ecs(popConfig(token));
      const listed = await ecs.describeInstances(new E.DescribeInstancesRequest({ regionId: 'cn-hangzhou' }));
      expect(listed.body?.instances?.instance?.length).toBeGreaterThan(0);

      // B's admin revokes; the request ends REVOKED and Bob's token is cut off (locally at once).
      const revoked = await run('partner-admin', ['revoke', request.id, '--reason', 'audit done', '--wait']);
      expect(revoked.code).toBe(0);
      expect(revoked.stdout).toContain('REVOKED');
      await expect(ecs.describeInstances(new E.DescribeInstancesRequest({ regionId: 'cn-hangzhou' }))).rejects.toMatchObject({ code: 'Forbidden.RAM' });
      const again = await run('bob', ['assume', request.id]);
      expect(again.code).toBe(1);
      expect(again.stderr).toContain('NOT_ACTIVE');
    } finally {
      home.cleanup();
    }
  }, 120_000);
});

/**
 * The functions' execution-role policy derived from the catalog: what RAM would allow with it,
 * judged by the local cloud's own RAM engine (local/access/policy, written from Alibaba's docs and
 * independent of the product), for the calls the RAM adapter really makes.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CrossroleError } from '../../../shared/domain/errors';
import { parseCatalog, type CatalogInput } from '../../../shared/domain/catalog';
import { sharedPolicyName } from '../../../shared/domain/policy-names';
import { QueueName } from '../../../shared/domain/ports';
import { decide, parsePolicy, type Policy } from '../../../local/access/policy';
import { buildExecRolePolicy, EXEC_RAM_ACTIONS } from '../../../shared/policy/exec-role-policy';
import { MAX_POLICY_LENGTH } from '../../../shared/policy/limits';
import { parsePolicyDocument, type PolicyDocument } from '../../../shared/policy/policy-document';
import { EXEC_POLICY_NAME, EXEC_ROLE_NAME } from '../../../shared/domain/deployment';
import { asList } from '../../../shared/policy/policy-document';

const UID = '1511928242963727';
const REGION = 'cn-hangzhou';
const QUEUES = Object.values(QueueName);

/** 30 real System policy names, as a catalog offering read access to a whole estate would list them. */
const SYSTEM_30 = [
  'AliyunECSReadOnlyAccess', 'AliyunECSFullAccess', 'AliyunOSSReadOnlyAccess', 'AliyunOSSFullAccess', 'AliyunRDSReadOnlyAccess',
  'AliyunRDSFullAccess', 'AliyunSLBReadOnlyAccess', 'AliyunSLBFullAccess', 'AliyunVPCReadOnlyAccess', 'AliyunVPCFullAccess',
  'AliyunLogReadOnlyAccess', 'AliyunLogFullAccess', 'AliyunCloudMonitorReadOnlyAccess', 'AliyunCloudMonitorFullAccess', 'AliyunMNSReadOnlyAccess',
  'AliyunKvstoreReadOnlyAccess', 'AliyunKvstoreFullAccess', 'AliyunFCReadOnlyAccess', 'AliyunFCFullAccess', 'AliyunCSReadOnlyAccess',
  'AliyunContainerRegistryReadOnlyAccess', 'AliyunDNSReadOnlyAccess', 'AliyunCDNReadOnlyAccess', 'AliyunESSReadOnlyAccess', 'AliyunNASReadOnlyAccess',
  'AliyunPolardbReadOnlyAccess', 'AliyunMongoDBReadOnlyAccess', 'AliyunOTSReadOnlyAccess', 'AliyunElasticsearchReadOnlyAccess', 'AliyunActionTrailReadOnlyAccess',
];

function catalog(systemNames: string[], custom: Array<{ profile: string; name: string }> = []): CatalogInput {
  // Five policies per profile at most (the catalog schema), as a real catalog would split them.
  const profiles: CatalogInput['profiles'] = [];
  for (let i = 0; i < systemNames.length; i += 5) {
    profiles.push({ name: `read-${i / 5}`, maxDuration: '8h', policies: systemNames.slice(i, i + 5).map((name) => ({ type: 'System' as const, name })) });
  }
  for (const c of custom) {
    profiles.push({ name: c.profile, maxDuration: '1h', policies: [{ type: 'Custom', name: c.name, document: { Version: '1', Statement: [{ Effect: 'Allow', Action: 'ecs:RebootInstance', Resource: '*' }] } }] });
  }
  return { ownerAccountId: UID, approvers: [`acs:ram::${UID}:user/approver`], partners: 'open', profiles };
}

/** `doc`: the product's reading (for structure); `judged`: the witness's (for what RAM would allow). */
function build(input: CatalogInput): { text: string; doc: PolicyDocument; judged: Policy } {
  const text = buildExecRolePolicy({ ownerAccountId: UID, region: REGION, catalog: parseCatalog(input), queues: QUEUES });
  return { text, doc: parsePolicyDocument(text, 'execRolePolicy'), judged: parsePolicy(text, 'identity') };
}

const role = (name: string): string => `acs:ram:*:${UID}:role/${name}`;
const custom = (name: string): string => `acs:ram:*:${UID}:policy/${name}`;
const system = (name: string): string => `acs:ram:*:system:policy/${name}`;

/** RAM checks Attach/Detach on the role AND on the policy: both must be allowed. */
function mayAttach(policy: Policy, roleName: string, policyArn: string, action = 'ram:AttachPolicyToRole'): boolean {
  return allows(policy, action, role(roleName)) && allows(policy, action, policyArn);
}

const allows = (policy: Policy, action: string, resource: string): boolean => decide([policy], { action, resource, context: {} }) === 'Allow';

describe('buildExecRolePolicy', () => {
  const realistic = build(catalog(SYSTEM_30, [{ profile: 'ops', name: 'restart' }]));

  it('fits RAM\'s 6,144-character limit for a catalog of 30 System policies (and is valid policy grammar)', () => {
    expect(realistic.text.length).toBeLessThan(MAX_POLICY_LENGTH);
    expect(realistic.doc.Statement.length).toBeGreaterThan(0);
    expect(realistic.judged.statements).toHaveLength(realistic.doc.Statement.length);
  });

  it('lets the functions attach each of the catalog\'s policies, and the expiry guards, to the grants\' roles', () => {
    for (const name of SYSTEM_30) expect(mayAttach(realistic.judged, 'crossrole-0f8e4c1a2b3c', system(name))).toBe(true);
    expect(mayAttach(realistic.judged, 'crossrole-0f8e4c1a2b3c', custom(sharedPolicyName('ops', 'restart')))).toBe(true);
    expect(mayAttach(realistic.judged, 'crossrole-0f8e4c1a2b3c', custom('crossrole-guard-0f8e4c1a2b3c'))).toBe(true);
  });

  it('never lets them attach AdministratorAccess or any policy the catalog does not name', () => {
    for (const doc of [realistic.judged, build(catalog(['AliyunECSReadOnlyAccess'])).judged]) {
      expect(mayAttach(doc, 'crossrole-0f8e4c1a2b3c', system('AdministratorAccess'))).toBe(false);
      expect(mayAttach(doc, 'crossrole-0f8e4c1a2b3c', system('AliyunRAMFullAccess'))).toBe(false);
      expect(mayAttach(doc, 'crossrole-0f8e4c1a2b3c', custom(EXEC_POLICY_NAME))).toBe(false);
      expect(mayAttach(doc, 'crossrole-0f8e4c1a2b3c', custom('crossrole-approvers'))).toBe(false);
      expect(mayAttach(doc, 'crossrole-0f8e4c1a2b3c', custom('AnyOtherPolicy'))).toBe(false);
    }
    // AliyunECSReadOnlyAccess is in the catalog: the same role may get it, a role that is not ours may not.
    const small = build(catalog(['AliyunECSReadOnlyAccess'])).judged;
    expect(mayAttach(small, 'crossrole-0f8e4c1a2b3c', system('AliyunECSReadOnlyAccess'))).toBe(true);
    expect(mayAttach(small, 'AdminRole', system('AliyunECSReadOnlyAccess'))).toBe(false);
    expect(mayAttach(small, 'crossrole-0f8e4c1a2b3c', system('AliyunECSFullAccess'))).toBe(false);
  });

  it('lets revocation detach anything from the grants\' roles (also a policy the catalog dropped since), nothing elsewhere', () => {
    expect(mayAttach(realistic.judged, 'crossrole-0f8e4c1a2b3c', system('AliyunBSSFullAccess'), 'ram:DetachPolicyFromRole')).toBe(true);
    expect(mayAttach(realistic.judged, 'AdminRole', system('AliyunECSReadOnlyAccess'), 'ram:DetachPolicyFromRole')).toBe(false);
  });

  it('keeps its hands off its own role and policy', () => {
    for (const action of ['ram:UpdateRole', 'ram:DeleteRole', 'ram:GetRole']) expect(allows(realistic.judged, action, role(EXEC_ROLE_NAME))).toBe(false);
    expect(mayAttach(realistic.judged, EXEC_ROLE_NAME, system('AliyunECSReadOnlyAccess'))).toBe(false);
    expect(mayAttach(realistic.judged, EXEC_ROLE_NAME, custom('crossrole-guard-0f8e4c1a2b3c'), 'ram:DetachPolicyFromRole')).toBe(false);
    expect(allows(realistic.judged, 'ram:DeletePolicy', custom(EXEC_POLICY_NAME))).toBe(false);
  });

  it('creates, versions and deletes only the guards; creates and reads the catalog\'s shared custom policies', () => {
    expect(allows(realistic.judged, 'ram:CreatePolicy', custom('crossrole-guard-0f8e4c1a2b3c'))).toBe(true);
    expect(allows(realistic.judged, 'ram:DeletePolicy', custom('crossrole-guard-0f8e4c1a2b3c'))).toBe(true);
    expect(allows(realistic.judged, 'ram:CreatePolicy', custom(sharedPolicyName('ops', 'restart')))).toBe(true);
    expect(allows(realistic.judged, 'ram:GetPolicy', custom(sharedPolicyName('ops', 'restart')))).toBe(true);
    expect(allows(realistic.judged, 'ram:DeletePolicy', custom(sharedPolicyName('ops', 'restart')))).toBe(false);
    expect(allows(realistic.judged, 'ram:CreatePolicy', custom('crossrole-anything'))).toBe(false);
    // The reconciler re-writes a guard somebody edited; the shared policies are never versioned here.
    expect(allows(realistic.judged, 'ram:CreatePolicyVersion', custom('crossrole-guard-0f8e4c1a2b3c'))).toBe(true);
    expect(allows(realistic.judged, 'ram:CreatePolicyVersion', custom(sharedPolicyName('ops', 'restart')))).toBe(false);
    expect(allows(realistic.judged, 'ram:CreatePolicyVersion', custom(EXEC_POLICY_NAME))).toBe(false);
  });

  it('puts the tag APIs and ListRoles in their own statement on "*" (RAM authorizes them on all resources only)', () => {
    const anyResource = ['ram:ListRoles', 'ram:ListTagResources', 'ram:TagResources'];
    const tagStatements = realistic.doc.Statement.filter((s) => asList(s.Action).some((a) => anyResource.includes(a)));
    expect(tagStatements).toHaveLength(1);
    expect(tagStatements[0]).toEqual({ Effect: 'Allow', Action: anyResource, Resource: '*' });
    for (const action of anyResource) expect(allows(realistic.judged, action, '*')).toBe(true);
    expect(allows(realistic.judged, 'ram:UntagResources', '*')).toBe(false);
  });

  it('allows the four queues\' messages and nothing else in MNS', () => {
    for (const q of QUEUES) {
      for (const a of ['mns:SendMessage', 'mns:ReceiveMessage', 'mns:DeleteMessage', 'mns:ChangeMessageVisibility']) {
        expect(allows(realistic.judged, a, `acs:mns:${REGION}:${UID}:/queues/${q}/messages`)).toBe(true);
      }
    }
    expect(allows(realistic.judged, 'mns:SendMessage', `acs:mns:${REGION}:${UID}:/queues/other/messages`)).toBe(false);
    expect(allows(realistic.judged, 'mns:DeleteQueue', `acs:mns:${REGION}:${UID}:/queues/${QueueName.REVOKE}`)).toBe(false);
  });

  it('is deterministic: the same catalog, in any order, gives the same text', () => {
    const a = buildExecRolePolicy({ ownerAccountId: UID, region: REGION, catalog: parseCatalog(catalog(SYSTEM_30, [{ profile: 'ops', name: 'restart' }])), queues: QUEUES });
    const reversed = catalog([...SYSTEM_30].reverse(), [{ profile: 'ops', name: 'restart' }]);
    reversed.profiles.reverse();
    const b = buildExecRolePolicy({ ownerAccountId: UID, region: REGION, catalog: parseCatalog(reversed), queues: [...QUEUES].reverse() });
    expect(b).toBe(a);
    expect(a).toBe(realistic.text);
    // A policy named twice (by two profiles) is listed once.
    const twice = build({ ...catalog(['AliyunECSReadOnlyAccess']), profiles: [...catalog(['AliyunECSReadOnlyAccess']).profiles, { name: 'again', maxDuration: '1h', policies: [{ type: 'System', name: 'AliyunECSReadOnlyAccess' }] }] });
    expect(twice.text.split('AliyunECSReadOnlyAccess')).toHaveLength(2);
  });

  it('refuses, with a clear typed error, a catalog whose policy would not fit RAM\'s limit', () => {
    const many = Array.from({ length: 120 }, (_, i) => `AliyunSomeService${i}ReadOnlyAccess`);
    let err: unknown;
    try {
      build(catalog(many));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CrossroleError);
    expect(err).toMatchObject({ code: 'LIMIT_EXCEEDED', field: 'profiles', details: { limit: 6144, systemPolicies: 120 } });
    expect((err as Error).message).toMatch(/over RAM's limit of 6144/);
  });

  it('covers exactly the RAM actions the adapter\'s RamPort methods call (grep of shared/cloud/ram-adapter.ts)', () => {
    const source = readFileSync(join(__dirname, '..', '..', '..', 'shared', 'cloud', 'ram-adapter.ts'), 'utf8');
    const called = new Set([...source.matchAll(/runner\.run\('(\w+)'/g)].map((m) => `ram:${m[1]}`));
    // ListPolicyVersions serves both bootstrap's putPolicy and the functions' deleteOlderPolicyVersions
    // (a guard an extension moved is deleted after its older versions); TagResources moves a grant's
    // expiry tag. Every action the adapter calls is one the functions may make.
    const functions = [...called].sort();
    const allowed = new Set(realistic.doc.Statement.filter((s) => s.Effect === 'Allow').flatMap((s) => asList(s.Action)).filter((a) => a.startsWith('ram:')));
    expect([...allowed].sort()).toEqual(functions);
    expect(Object.values(EXEC_RAM_ACTIONS).flat().sort()).toEqual([...allowed].sort());
  });

  describe('the ledger\'s URL as a KMS secret (DATABASE_SECRET_NAME)', () => {
    const secretArn = (name: string): string => `acs:kms:${REGION}:${UID}:secret/${name}`;
    // Judged by the witness, like the rest of this file.
    const withSecret = (databaseSecret: { name: string; keyId?: string }): Policy =>
      parsePolicy(buildExecRolePolicy({ ownerAccountId: UID, region: REGION, catalog: parseCatalog(catalog(['AliyunECSReadOnlyAccess'])), queues: QUEUES, databaseSecret }), 'identity');

    it('grants nothing in KMS when no secret is configured', () => {
      expect(realistic.text).not.toContain('kms:');
      expect(allows(realistic.judged, 'kms:GetSecretValue', secretArn('crossrole/ledger'))).toBe(false);
    });

    it('lets the functions read that one secret, and decrypt with its key when one is named', () => {
      const doc = withSecret({ name: 'crossrole/ledger-url', keyId: 'key-hzz6a1b2c3d4e5f6' });
      expect(allows(doc, 'kms:GetSecretValue', secretArn('crossrole/ledger-url'))).toBe(true);
      expect(allows(doc, 'kms:GetSecretValue', secretArn('crossrole/other'))).toBe(false);
      expect(allows(doc, 'kms:GetSecretValue', `acs:kms:cn-shanghai:${UID}:secret/crossrole/ledger-url`)).toBe(false);
      expect(allows(doc, 'kms:Decrypt', `acs:kms:${REGION}:${UID}:key/key-hzz6a1b2c3d4e5f6`)).toBe(true);
      expect(allows(doc, 'kms:Decrypt', `acs:kms:${REGION}:${UID}:key/key-other`)).toBe(false);
      expect(allows(doc, 'kms:ListSecrets', `acs:kms:${REGION}:${UID}:secret`)).toBe(false);
      const noKey = withSecret({ name: 'crossrole/ledger-url' });
      expect(allows(noKey, 'kms:GetSecretValue', secretArn('crossrole/ledger-url'))).toBe(true);
      expect(allows(noKey, 'kms:Decrypt', `acs:kms:${REGION}:${UID}:key/key-hzz6a1b2c3d4e5f6`)).toBe(false);
    });

    it('takes the secret as an ARN too, as GetSecretValue does', () => {
      const arn = `acs:kms:${REGION}:${UID}:secret/ledger`;
      expect(allows(withSecret({ name: arn }), 'kms:GetSecretValue', arn)).toBe(true);
    });
  });
});

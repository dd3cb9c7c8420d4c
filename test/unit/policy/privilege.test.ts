import { parseCatalog, type CatalogInput, type CatalogProfile } from '../../../shared/domain/catalog';
import { checkCatalogGuardrails, type CatalogProblem } from '../../../shared/policy';
import { PRIVILEGED_MAX_DURATION_SECONDS, assessProfile, classifyPolicy, classifyStatements } from '../../../shared/policy/privilege';
import { SYSTEM_POLICIES, findSystemPolicy } from '../../../shared/policy/system-policies';
import { parsePolicyDocument } from '../../../shared/policy/policy-document';

const OWNER = '1111111111111111';
const custom = (name: string, ...Statement: unknown[]) => ({ type: 'Custom' as const, name, document: { Version: '1', Statement } });
const system = (name: string) => ({ type: 'System' as const, name });

function profile(p: CatalogInput['profiles'][number]): CatalogProfile {
  const c = parseCatalog({ ownerAccountId: OWNER, approvers: [`acs:ram::${OWNER}:user/alice`], partners: 'open', profiles: [p] });
  const first = c.profiles[0];
  if (first === undefined) throw new Error('no profile');
  return first;
}

const rules = (problems: CatalogProblem[]) => problems.map((p) => [p.severity, p.rule, p.field]);

describe('classifyPolicy: from action patterns, not names', () => {
  it('AdministratorAccess grants every action: privileged', () => {
    const c = classifyPolicy(system('AdministratorAccess'));
    expect(c.class).toBe('privileged');
    expect(c.matches[0]?.actions[0]).toBe('*');
  });

  it('AliyunRAMFullAccess reaches the RAM writes: privileged', () => {
    const c = classifyPolicy(system('AliyunRAMFullAccess'));
    expect(c.class).toBe('privileged');
    expect(c.matches[0]?.actions).toEqual(expect.arrayContaining(['ram:AttachPolicyToRole', 'ram:CreateAccessKey', 'ram:PassRole']));
    expect(c.matches[0]?.actions).not.toContain('*');
  });

  it('AliyunSTSAssumeRoleAccess: privileged through sts:AssumeRole alone', () => {
    expect(classifyPolicy(system('AliyunSTSAssumeRoleAccess'))).toMatchObject({ class: 'privileged', matches: [{ statement: 0, actions: ['sts:AssumeRole'] }] });
  });

  it('a Custom policy with ram:AttachPolicyToUser: privileged, naming the statement', () => {
    const c = classifyPolicy(custom('attach', { Effect: 'Allow', Action: 'ecs:Describe*', Resource: '*' }, { Effect: 'Allow', Action: 'ram:AttachPolicyToUser', Resource: 'acs:ram:*:*:user/bob' }));
    expect(c).toMatchObject({ class: 'privileged', matches: [{ statement: 1, actions: ['ram:AttachPolicyToUser'] }] });
    expect(c.reason).toBe('Statement[1] grants ram:AttachPolicyToUser');
  });

  it('a Custom policy with ram:Get* only: read-only, not privileged', () => {
    expect(classifyPolicy(custom('ram-read', { Effect: 'Allow', Action: ['ram:Get*', 'ram:List*'], Resource: '*' }))).toMatchObject({ class: 'read-only', matches: [] });
  });

  it('an unknown System name: unknown (possibly privileged)', () => {
    expect(classifyPolicy(system('AliyunSomethingNewFullAccess'))).toMatchObject({ class: 'unknown', system: { known: false } });
  });

  it('a System policy recorded but unconfirmed and harmless-looking: unknown; privileged-looking: privileged', () => {
    expect(findSystemPolicy('AliyunOSSFullAccess')?.status).toBe('unconfirmed');
    expect(classifyPolicy(system('AliyunOSSFullAccess'))).toMatchObject({ class: 'unknown', system: { known: true, status: 'unconfirmed' } });
    expect(findSystemPolicy('AliyunResourceManagerFullAccess')?.status).toBe('unconfirmed');
    expect(classifyPolicy(system('AliyunResourceManagerFullAccess')).class).toBe('privileged');
  });

  it('names are exact: a near-miss spelling is unknown, not guessed', () => {
    expect(classifyPolicy(system('aliyunecsreadonlyaccess')).class).toBe('unknown');
  });

  it.each<[string, string]>([
    ['AliyunECSReadOnlyAccess', 'read-only'],
    ['AliyunOSSReadOnlyAccess', 'read-only'],
    ['AliyunRAMReadOnlyAccess', 'read-only'],
    ['AliyunKMSReadOnlyAccess', 'read-only'],
    ['AliyunECSFullAccess', 'write'],
    ['AliyunVPCFullAccess', 'write'],
    ['AliyunLogFullAccess', 'write'],
    // PassRole to FC plus fc:* runs code as any role of the account.
    ['AliyunFCFullAccess', 'privileged'],
    ['AliyunKMSFullAccess', 'privileged'],
    ['AliyunActionTrailFullAccess', 'privileged'],
    ['PowerUserAccess', 'privileged'],
  ])('%s is %s', (name, cls) => {
    expect(classifyPolicy(system(name)).class).toBe(cls);
  });

  it('KMS: reading a secret is privileged, listing keys is not', () => {
    expect(classifyStatements([{ Effect: 'Allow', Action: 'kms:GetSecretValue' }]).class).toBe('privileged');
    expect(classifyStatements([{ Effect: 'Allow', Action: ['kms:List*', 'kms:Describe*'] }]).class).toBe('read-only');
  });

  it('ActionTrail: stopping the trail is privileged, looking up events is not', () => {
    expect(classifyStatements([{ Effect: 'Allow', Action: 'actiontrail:Stop*' }]).class).toBe('privileged');
    expect(classifyStatements([{ Effect: 'Allow', Action: 'actiontrail:LookupEvents' }]).class).toBe('read-only');
  });

  it('a write that does not escalate is "write"; a Deny-only document grants nothing', () => {
    expect(classifyStatements([{ Effect: 'Allow', Action: 'ecs:RebootInstance' }]).class).toBe('write');
    expect(classifyStatements([{ Effect: 'Deny', Action: '*' }]).class).toBe('read-only');
    // NotAction allows everything not listed: that is everything of every other service.
    expect(classifyStatements([{ Effect: 'Allow', NotAction: 'ram:*' }]).class).toBe('privileged');
  });
});

describe('the System policy table', () => {
  it('holds the policies the brief and the examples need, once each', () => {
    const names = SYSTEM_POLICIES.map((p) => p.name);
    expect(new Set(names).size).toBe(names.length);
    for (const n of ['AdministratorAccess', 'AliyunRAMFullAccess', 'AliyunSTSAssumeRoleAccess', 'AliyunResourceManagerFullAccess', 'AliyunActionTrailFullAccess', 'AliyunKMSFullAccess', 'AliyunECSReadOnlyAccess', 'AliyunOSSReadOnlyAccess', 'AliyunRAMReadOnlyAccess', 'AliyunECSFullAccess', 'AliyunOSSFullAccess', 'AliyunRDSFullAccess', 'AliyunVPCFullAccess', 'AliyunMNSFullAccess', 'AliyunFCFullAccess', 'AliyunLogFullAccess']) {
      expect(names).toContain(n);
    }
  });

  it.each(SYSTEM_POLICIES.map((p) => [p.name, p] as const))('%s is a valid policy document with a source when confirmed', (_name, p) => {
    expect(() => parsePolicyDocument({ Version: '1', Statement: p.statements })).not.toThrow();
    if (p.status !== 'unconfirmed') expect(p.source).toMatch(/^https:\/\/(www\.alibabacloud\.com|help\.aliyun\.com)\//);
    if (p.status !== 'confirmed') expect(p.note).toBeDefined();
  });
});

describe('assessProfile: the rules for privileged profiles', () => {
  const admin = system('AdministratorAccess');

  it('accepts a privileged profile that follows them: declared, approval required, at most 4h', () => {
    const a = assessProfile(profile({ name: 'admin', policies: [admin], maxDuration: '4h', privileged: true }), 'profiles[0]');
    expect(a.problems).toEqual([]);
    expect(a.class).toBe('privileged');
    expect(PRIVILEGED_MAX_DURATION_SECONDS).toBe(4 * 3600);
  });

  it('refuses a privileged policy on a profile not declared privileged, naming profile, policy and action', () => {
    const a = assessProfile(profile({ name: 'ops', policies: [custom('esc', { Effect: 'Allow', Action: 'ram:AttachPolicyToUser', Resource: '*' })], maxDuration: '1h' }), 'profiles[3]');
    expect(rules(a.problems)).toEqual([['error', 'privileged-not-declared', 'profiles[3].policies[0].document']]);
    expect(a.problems[0]).toMatchObject({ profile: 'ops', policy: 'esc', action: 'ram:AttachPolicyToUser' });
    expect(a.problems[0]?.message).toMatch(/profile "ops".*Custom policy "esc".*ram:AttachPolicyToUser/);
  });

  it('refuses auto-approval of a privileged profile', () => {
    const a = assessProfile(profile({ name: 'admin', policies: [admin], maxDuration: '1h', privileged: true, autoApprove: true }), 'profiles[0]');
    expect(rules(a.problems)).toEqual([['error', 'privileged-auto-approve', 'profiles[0].autoApprove']]);
    expect(a.problems[0]?.message).toMatch(/profile "admin".*AdministratorAccess.*every action \(\*\)/);
  });

  it('refuses a maximum over 4h on a privileged profile', () => {
    const a = assessProfile(profile({ name: 'ram-admin', policies: [system('AliyunRAMFullAccess')], maxDuration: 'PT4H1M', privileged: true }), 'profiles[1]');
    expect(rules(a.problems)).toEqual([['error', 'privileged-duration', 'profiles[1].maxDuration']]);
    expect(a.problems[0]).toMatchObject({ profile: 'ram-admin', policy: 'AliyunRAMFullAccess', action: 'ram:AttachPolicyToRole' });
    expect(a.problems[0]?.message).toContain('maxDuration PT4H1M is over the 4h');
  });

  it('applies the same rules to a profile declared privileged whose policies are not', () => {
    const a = assessProfile(profile({ name: 'glass', policies: [system('AliyunECSReadOnlyAccess')], maxDuration: '8h', privileged: true, autoApprove: true }), 'profiles[0]');
    expect(rules(a.problems)).toEqual([['error', 'privileged-auto-approve', 'profiles[0].autoApprove'], ['error', 'privileged-duration', 'profiles[0].maxDuration']]);
    expect(a.problems[0]?.message).toContain('is declared "privileged": true');
  });

  it('refuses autoExtend, and a maxTotalDuration over 4h, on a privileged profile', () => {
    const a = assessProfile(profile({ name: 'glass', policies: [system('AliyunECSReadOnlyAccess')], maxDuration: '1h', maxTotalDuration: '5h', autoExtend: '30m', privileged: true }), 'profiles[0]');
    expect(rules(a.problems)).toEqual([['error', 'privileged-auto-extend', 'profiles[0].autoExtend'], ['error', 'privileged-total-duration', 'profiles[0].maxTotalDuration']]);
    expect(rules(assessProfile(profile({ name: 'glass', policies: [system('AliyunECSReadOnlyAccess')], maxDuration: '1h', maxTotalDuration: '4h', privileged: true }), 'profiles[0]').problems)).toEqual([]);
  });

  it('reports every broken rule of one profile, not the first', () => {
    const a = assessProfile(profile({ name: 'admin', policies: [admin], maxDuration: '8h', autoApprove: true }), 'profiles[0]');
    expect(rules(a.problems).map((r) => r[1])).toEqual(['privileged-not-declared', 'privileged-auto-approve', 'privileged-duration']);
  });

  it('an unknown System policy: a warning, and an error when auto-approved or privileged', () => {
    const unknown = system('AliyunSomethingNewFullAccess');
    expect(rules(assessProfile(profile({ name: 'p', policies: [unknown], maxDuration: '8h' }), 'profiles[0]').problems)).toEqual([['warning', 'unknown-policy', 'profiles[0].policies[0].name']]);
    expect(rules(assessProfile(profile({ name: 'p', policies: [unknown], maxDuration: '1h', autoApprove: true }), 'profiles[0]').problems)).toEqual([
      ['warning', 'unknown-policy', 'profiles[0].policies[0].name'],
      ['error', 'unknown-policy-auto-approve', 'profiles[0].autoApprove'],
    ]);
    expect(rules(assessProfile(profile({ name: 'p', policies: [admin, unknown], maxDuration: '1h', privileged: true }), 'profiles[0]').problems)).toEqual([
      ['warning', 'unknown-policy', 'profiles[0].policies[1].name'],
      ['error', 'unknown-policy-privileged', 'profiles[0].policies[1].name'],
    ]);
  });

  it('a malformed Custom document is INVALID_POLICY at its path, and is not also called unknown', () => {
    const a = assessProfile(profile({ name: 'p', policies: [custom('bad', { Effect: 'Allow', Action: 'ecs:Describe*' })], maxDuration: '1h', autoApprove: true }), 'profiles[0]');
    expect(a.problems.map((p) => [p.code, p.field])).toEqual([['INVALID_POLICY', 'profiles[0].policies[0].document.Statement[0].Resource']]);
  });
});

describe('checkCatalogGuardrails (what loaders run) enforces each rule', () => {
  const load = (p: CatalogInput['profiles'][number]) => () => checkCatalogGuardrails(parseCatalog({ ownerAccountId: OWNER, approvers: [`acs:ram::${OWNER}:user/alice`], partners: 'open', profiles: [p] }));

  it.each<[string, CatalogInput['profiles'][number], string]>([
    ['auto-approved admin', { name: 'a', policies: [system('AdministratorAccess')], maxDuration: '1h', privileged: true, autoApprove: true }, 'privileged-auto-approve'],
    ['undeclared RAM full access', { name: 'a', policies: [system('AliyunRAMFullAccess')], maxDuration: '1h' }, 'privileged-not-declared'],
    ['a day of KMS full access', { name: 'a', policies: [system('AliyunKMSFullAccess')], maxDuration: '1d', privileged: true }, 'privileged-duration'],
    ['auto-approved unknown policy', { name: 'a', policies: [system('AliyunNewThingFullAccess')], maxDuration: '1h', autoApprove: true }, 'unknown-policy-auto-approve'],
  ])('refuses %s (POLICY_GUARDRAIL, rule %s)', (_name, p, rule) => {
    expect(load(p)).toThrow(expect.objectContaining({ code: 'POLICY_GUARDRAIL', details: expect.objectContaining({ rule }) }));
  });

  it('lets an unknown policy through on an ordinary profile (a warning is not a refusal)', () => {
    expect(load({ name: 'a', policies: [system('AliyunNewThingFullAccess')], maxDuration: '8h' })).not.toThrow();
  });
});

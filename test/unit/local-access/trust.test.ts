/**
 * Trust policies: which callers each documented Principal form admits, ExternalId, and the AssumeRole
 * decision combination. Sources: "Modify the trust policy of a RAM role"
 * (help.aliyun.com/en/ram/user-guide/edit-the-trust-policy-of-a-ram-role), CreateRole, "Use ExternalId
 * to prevent the confused deputy problem", "Policy evaluation process of assuming a RAM role".
 */
import { decide, decideTrust, parsePolicy, type Decision, type TrustCaller } from '../../../local/access/policy';
import { combineAssumeRole } from '../../../local/access/policy/evaluate';
import { BASE_CONTEXT, doc } from './helpers';

const A = '1511928242963727'; // the role's account
const B = '1879324520397241'; // the trusted partner
const C = '1333333333333333'; // a stranger
const ROLE = `acs:ram::${A}:role/crossrole-g1`;

const trust = (principal: unknown, extra: Record<string, unknown> = {}) =>
  doc([{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: principal, ...extra }], 'trust');
const decideFor = (policy: ReturnType<typeof trust>, caller: TrustCaller, context = BASE_CONTEXT): Decision =>
  decideTrust(policy, { roleArn: ROLE, caller, context });

const callers: Record<string, TrustCaller> = {
  'B root': { arn: `acs:ram::${B}:root` },
  'B user alice': { arn: `acs:ram::${B}:user/alice` },
  'B user bob': { arn: `acs:ram::${B}:user/bob` },
  'B role ops session': { arn: `acs:ram::${B}:assumed-role/ops/s1` },
  'B role ops session (2021 ARN form)': { arn: `acs:ram::${B}:role/ops/s1` },
  'B role dev session': { arn: `acs:ram::${B}:assumed-role/dev/s1` },
  'C user alice': { arn: `acs:ram::${C}:user/alice` },
  'C role ops session': { arn: `acs:ram::${C}:assumed-role/ops/s1` },
  'fc for A': { service: 'fc.aliyuncs.com', onBehalfOf: A },
  'fc for B': { service: 'fc.aliyuncs.com', onBehalfOf: B },
  'ecs for A': { service: 'ecs.aliyuncs.com', onBehalfOf: A },
  'a malformed ARN': { arn: `acs:ram::${B}:group/g` },
};

const admitted = (policy: ReturnType<typeof trust>): string[] =>
  Object.entries(callers).filter(([, c]) => decideFor(policy, c) === 'Allow').map(([name]) => name);

describe('who each Principal form admits', () => {
  it('acs:ram::<B>:root admits every RAM user and role of B (and nobody else)', () => {
    // "allows any RAM user or RAM role in the trusted Alibaba Cloud account"; the root identity itself is
    // refused by STS before the trust policy is read (AssumeRole: the caller "can only be a RAM user or RAM role").
    expect(admitted(trust({ RAM: [`acs:ram::${B}:root`] }))).toEqual(['B root', 'B user alice', 'B user bob', 'B role ops session', 'B role ops session (2021 ARN form)', 'B role dev session']);
  });

  it('acs:ram::<B>:user/alice admits only that user', () => {
    expect(admitted(trust({ RAM: `acs:ram::${B}:user/alice` }))).toEqual(['B user alice']);
  });

  it('acs:ram::<B>:role/ops admits only sessions of that role', () => {
    expect(admitted(trust({ RAM: [`acs:ram::${B}:role/ops`] }))).toEqual(['B role ops session', 'B role ops session (2021 ARN form)']);
  });

  it('Service admits that service acting for the role\'s own account only', () => {
    // "can be assumed by the ECS service of the current Alibaba Cloud account"; RAM users cannot assume it (CreateRole).
    expect(admitted(trust({ Service: ['fc.aliyuncs.com'] }))).toEqual(['fc for A']);
    expect(admitted(trust({ Service: 'ecs.aliyuncs.com' }))).toEqual(['ecs for A']);
  });

  it('Federated admits none of the callers the local cloud has (no SAML/OIDC sign-in)', () => {
    expect(admitted(trust({ Federated: [`acs:ram::${A}:saml-provider/idp`] }))).toEqual([]);
  });

  it('several principals in one statement: any of them', () => {
    expect(admitted(trust({ RAM: [`acs:ram::${B}:user/alice`, `acs:ram::${C}:root`], Service: ['fc.aliyuncs.com'] })))
      .toEqual(['B user alice', 'C user alice', 'C role ops session', 'fc for A']);
  });

  it('names compare in exact case for an Allow (silent)', () => {
    expect(admitted(trust({ RAM: [`acs:ram::${B}:user/Alice`] }))).toEqual([]);
  });

  it('a role ARN that is not acs:ram::<uid>:role/<name> is never trusted', () => {
    const p = trust({ RAM: [`acs:ram::${B}:root`] });
    expect(decideTrust(p, { roleArn: 'acs:ram:*:1:role/x', caller: callers['B user alice']!, context: BASE_CONTEXT })).toBe('ImplicitDeny');
  });
});

describe('Deny statements and conditions in a trust policy', () => {
  it('a Deny for one user inside a trusted account wins, in any case (silent)', () => {
    const p = doc([
      { Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { RAM: [`acs:ram::${B}:root`] } },
      { Effect: 'Deny', Action: 'sts:AssumeRole', Principal: { RAM: [`acs:ram::${B}:user/BOB`] } },
    ], 'trust');
    expect(decideFor(p, callers['B user alice']!)).toBe('Allow');
    expect(decideFor(p, callers['B user bob']!)).toBe('ExplicitDeny');
  });

  it('a statement for another action does not admit AssumeRole', () => {
    const p = doc([{ Effect: 'Allow', Action: 'sts:GetCallerIdentity', Principal: { RAM: [`acs:ram::${B}:root`] } }], 'trust');
    expect(decideFor(p, callers['B user alice']!)).toBe('ImplicitDeny');
  });

  it('actions ignore case in trust policies too', () => {
    const p = doc([{ Effect: 'Allow', Action: 'STS:assumerole', Principal: { RAM: [`acs:ram::${B}:root`] } }], 'trust');
    expect(decideFor(p, callers['B user alice']!)).toBe('Allow');
  });

  it('a Resource in a trust statement must cover the role', () => {
    const on = (resource: string) => doc([{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: resource, Principal: { RAM: [`acs:ram::${B}:root`] } }], 'trust');
    expect(decideFor(on(ROLE), callers['B user alice']!)).toBe('Allow');
    expect(decideFor(on(`acs:ram::${A}:role/other`), callers['B user alice']!)).toBe('ImplicitDeny');
  });

  // "第三方供应商通过调用AssumeRole接口扮演角色的时候,需要提供颁发给这个客户的ExternalId,不提供或者提供错误都会失败"
  // (use-externalid-to-prevent-the-confused-deputy-problem): missing or wrong ExternalId fails.
  describe('ExternalId', () => {
    const p = trust({ RAM: [`acs:ram::${B}:root`] }, { Condition: { StringEquals: { 'sts:ExternalId': 'abcd1234' } } });
    it.each([
      ['the right ExternalId', { 'sts:ExternalId': 'abcd1234' }, 'Allow'],
      ['no ExternalId', {}, 'ImplicitDeny'],
      ['a wrong ExternalId', { 'sts:ExternalId': 'abcd1235' }, 'ImplicitDeny'],
      ['the right ExternalId in another case (StringEquals is case-sensitive)', { 'sts:ExternalId': 'ABCD1234' }, 'ImplicitDeny'],
    ] as const)('%s', (_why, extra, expected) => {
      expect(decideFor(p, callers['B user alice']!, { ...BASE_CONTEXT, ...extra })).toBe(expected);
    });

    it('does not let the right ExternalId in through the wrong account', () => {
      expect(decideFor(p, callers['C user alice']!, { ...BASE_CONTEXT, 'sts:ExternalId': 'abcd1234' })).toBe('ImplicitDeny');
    });
  });

  it('a trust policy can expire by date', () => {
    const p = trust({ RAM: [`acs:ram::${B}:root`] }, { Condition: { DateLessThan: { 'acs:CurrentTime': '2026-03-01T12:00:00Z' } } });
    expect(decideFor(p, callers['B user alice']!, { 'acs:CurrentTime': '2026-03-01T11:59:59Z' })).toBe('Allow');
    expect(decideFor(p, callers['B user alice']!, { 'acs:CurrentTime': '2026-03-01T12:00:00Z' })).toBe('ImplicitDeny');
  });

  it('refuses a permission policy where a trust policy belongs', () => {
    expect(() => decideTrust(doc([{ Effect: 'Allow', Action: '*', Resource: '*' }]), { roleArn: ROLE, caller: callers['B user alice']!, context: {} })).toThrow(TypeError);
  });
});

describe('AssumeRole: the caller\'s own permission (A) combined with the trust policy (B)', () => {
  // "If an explicit deny exists, the final decision is Explicit Deny. If Decision A and Decision B are both
  // allowed, the final decision is Allow. ... the final decision is Implicit Deny."
  it.each([
    ['Allow', 'Allow', 'Allow'],
    ['Allow', 'ImplicitDeny', 'ImplicitDeny'],
    ['ImplicitDeny', 'Allow', 'ImplicitDeny'],
    ['ImplicitDeny', 'ImplicitDeny', 'ImplicitDeny'],
    ['ExplicitDeny', 'Allow', 'ExplicitDeny'],
    ['Allow', 'ExplicitDeny', 'ExplicitDeny'],
    ['ExplicitDeny', 'ImplicitDeny', 'ExplicitDeny'],
    ['ImplicitDeny', 'ExplicitDeny', 'ExplicitDeny'],
    ['ExplicitDeny', 'ExplicitDeny', 'ExplicitDeny'],
  ] as const)('A=%s, B=%s -> %s', (a, b, expected) => {
    expect(combineAssumeRole(a, b)).toBe(expected);
  });

  it('end to end: a partner user needs both sts:AssumeRole on the role and the trust', () => {
    // AliyunSTSAssumeRoleAccess: { "Action": "sts:AssumeRole", "Effect": "Allow", "Resource": "*" }
    const stsAccess = parsePolicy('{"Statement":[{"Action":"sts:AssumeRole","Effect":"Allow","Resource":"*"}],"Version":"1"}', 'identity');
    const trusted = trust({ RAM: [`acs:ram::${B}:root`] });
    const caller = callers['B user alice']!;
    const a = (policies: Parameters<typeof decide>[0]) => decide(policies, { action: 'sts:AssumeRole', resource: ROLE, context: BASE_CONTEXT });
    const b = decideFor(trusted, caller);
    expect(combineAssumeRole(a([stsAccess]), b)).toBe('Allow');
    expect(combineAssumeRole(a([]), b)).toBe('ImplicitDeny');
    expect(combineAssumeRole(a([stsAccess]), decideFor(trusted, callers['C user alice']!))).toBe('ImplicitDeny');
  });
});

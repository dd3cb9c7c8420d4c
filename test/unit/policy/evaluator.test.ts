import { evaluate, isAllowed, statementApplies, type Decision, type EvalRequest, type PolicyDocument, type Statement } from '../../../shared/policy';

const A = '1111111111111111';
const B = '2222222222222222';
const C = '3333333333333333';

const doc = (...Statement: Statement[]): PolicyDocument => ({ Version: '1', Statement });
const allow = (s: Omit<Statement, 'Effect'>): Statement => ({ Effect: 'Allow', ...s });
const deny = (s: Omit<Statement, 'Effect'>): Statement => ({ Effect: 'Deny', ...s });
const req = (action: string, extra: Partial<EvalRequest> = {}): EvalRequest => ({ action, context: {}, ...extra });
const bob = { arn: `acs:ram::${B}:user/bob`, accountId: B };
const bRoot = { arn: `acs:ram::${B}:root`, accountId: B };
const bRole = { arn: `acs:ram::${B}:role/ops`, accountId: B };
const bSession = { arn: `acs:ram::${B}:assumed-role/ops/alice-session`, accountId: B };
const cUser = { arn: `acs:ram::${C}:user/bob`, accountId: C };
const fcService = { arn: 'fc.aliyuncs.com', accountId: A, service: 'fc.aliyuncs.com' };
const trust = (principal: Statement['Principal'], extra: Partial<Statement> = {}): PolicyDocument =>
  doc({ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: principal, ...extra });
const assume = (principal: EvalRequest['principal'], context: EvalRequest['context'] = {}): EvalRequest => ({ action: 'sts:AssumeRole', principal, context });
const ecsRead = doc(allow({ Action: 'ecs:Describe*', Resource: '*' }));
const guard = doc(deny({ Action: '*', Resource: '*', Condition: { DateGreaterThan: { 'acs:CurrentTime': '2026-11-29T12:00:00Z' } } }));

interface Case {
  why: string;
  policies: PolicyDocument[];
  request: EvalRequest;
  expected: Decision;
}

const cases: Case[] = [
  // --- actions
  { why: 'no policies at all: nothing is allowed by default', policies: [], request: req('ecs:DescribeInstances'), expected: 'ImplicitDeny' },
  { why: 'prefix wildcard matches', policies: [ecsRead], request: req('ecs:DescribeInstances', { resource: 'acs:ecs:*:1:instance/i-1' }), expected: 'Allow' },
  { why: 'action names are case-insensitive', policies: [ecsRead], request: req('ECS:describeinstances'), expected: 'Allow' },
  { why: 'wildcard does not leak into another action', policies: [ecsRead], request: req('ecs:StartInstance'), expected: 'ImplicitDeny' },
  { why: 'service prefix must match too', policies: [ecsRead], request: req('rds:DescribeDBInstances'), expected: 'ImplicitDeny' },
  { why: '? matches exactly one character', policies: [doc(allow({ Action: 'ecs:Get?', Resource: '*' }))], request: req('ecs:GetX'), expected: 'Allow' },
  { why: '? does not match two characters', policies: [doc(allow({ Action: 'ecs:Get?', Resource: '*' }))], request: req('ecs:GetXY'), expected: 'ImplicitDeny' },
  { why: '? does not match zero characters', policies: [doc(allow({ Action: 'ecs:Get?', Resource: '*' }))], request: req('ecs:Get'), expected: 'ImplicitDeny' },
  { why: 'regex metacharacters in a pattern are literal', policies: [doc(allow({ Action: 'ecs:Describe.', Resource: '*' }))], request: req('ecs:DescribeX'), expected: 'ImplicitDeny' },
  { why: 'action list: any entry may match', policies: [doc(allow({ Action: ['oss:GetObject', 'ecs:Start*'], Resource: '*' }))], request: req('ecs:StartInstance'), expected: 'Allow' },
  { why: 'NotAction Allow grants every action not listed', policies: [doc(allow({ NotAction: 'ram:*', Resource: '*' }))], request: req('ecs:DeleteInstance'), expected: 'Allow' },
  { why: 'NotAction Allow does not grant the listed actions', policies: [doc(allow({ NotAction: 'ram:*', Resource: '*' }))], request: req('ram:CreateUser'), expected: 'ImplicitDeny' },
  { why: '"*" matches every action', policies: [doc(allow({ Action: '*', Resource: '*' }))], request: req('kms:Decrypt'), expected: 'Allow' },
  // --- resources
  { why: 'resource wildcard matches', policies: [doc(allow({ Action: 'oss:GetObject', Resource: 'acs:oss:*:*:bucket/*' }))], request: req('oss:GetObject', { resource: 'acs:oss:*:*:bucket/a/b.txt' }), expected: 'Allow' },
  { why: 'resources are case-sensitive', policies: [doc(allow({ Action: 'oss:GetObject', Resource: 'acs:oss:*:*:bucket/*' }))], request: req('oss:GetObject', { resource: 'acs:oss:*:*:BUCKET/a' }), expected: 'ImplicitDeny' },
  { why: 'resource outside the pattern', policies: [doc(allow({ Action: 'oss:GetObject', Resource: 'acs:oss:*:*:bucket/*' }))], request: req('oss:GetObject', { resource: 'acs:oss:*:*:other/a' }), expected: 'ImplicitDeny' },
  { why: 'NotResource allows everything else', policies: [doc(allow({ Action: 'oss:*', NotResource: 'acs:oss:*:*:secret*' }))], request: req('oss:GetObject', { resource: 'acs:oss:*:*:public/x' }), expected: 'Allow' },
  { why: 'NotResource excludes the listed resource', policies: [doc(allow({ Action: 'oss:*', NotResource: 'acs:oss:*:*:secret*' }))], request: req('oss:GetObject', { resource: 'acs:oss:*:*:secret/x' }), expected: 'ImplicitDeny' },
  // --- deny precedence
  { why: 'explicit Deny beats Allow in another policy', policies: [ecsRead, doc(deny({ Action: 'ecs:DescribeInstances', Resource: '*' }))], request: req('ecs:DescribeInstances'), expected: 'ExplicitDeny' },
  { why: 'explicit Deny beats Allow in the same policy, whatever the order', policies: [doc(deny({ Action: 'ecs:*', Resource: '*' }), allow({ Action: '*', Resource: '*' }))], request: req('ecs:DescribeInstances'), expected: 'ExplicitDeny' },
  { why: 'a Deny that does not match leaves the Allow', policies: [ecsRead, doc(deny({ Action: 'ecs:Delete*', Resource: '*' }))], request: req('ecs:DescribeInstances'), expected: 'Allow' },
  { why: 'a Deny alone still yields ExplicitDeny, not ImplicitDeny', policies: [doc(deny({ Action: '*', Resource: '*' }))], request: req('ecs:DescribeInstances'), expected: 'ExplicitDeny' },
  // --- expiry guard (Date conditions)
  { why: 'guard: before expiry the Deny does not apply', policies: [ecsRead, guard], request: req('ecs:DescribeInstances', { context: { 'acs:CurrentTime': '2026-11-29T11:59:59Z' } }), expected: 'Allow' },
  { why: 'guard: exactly at expiry is not "greater than"', policies: [ecsRead, guard], request: req('ecs:DescribeInstances', { context: { 'acs:CurrentTime': '2026-11-29T12:00:00Z' } }), expected: 'Allow' },
  { why: 'guard: one second after expiry denies', policies: [ecsRead, guard], request: req('ecs:DescribeInstances', { context: { 'acs:CurrentTime': '2026-11-29T12:00:01Z' } }), expected: 'ExplicitDeny' },
  { why: 'guard: offsets are honoured (20:00:01+08:00 is 12:00:01Z)', policies: [ecsRead, guard], request: req('ecs:DescribeInstances', { context: { 'acs:CurrentTime': '2026-11-29T20:00:01+08:00' } }), expected: 'ExplicitDeny' },
  { why: 'guard: context keys are case-insensitive', policies: [ecsRead, guard], request: req('ecs:DescribeInstances', { context: { 'ACS:currenttime': '2026-11-30T00:00:00Z' } }), expected: 'ExplicitDeny' },
  { why: 'guard: a positive condition on a missing key does not apply', policies: [ecsRead, guard], request: req('ecs:DescribeInstances'), expected: 'Allow' },
  { why: 'DateLessThanEquals holds at the boundary', policies: [doc(allow({ Action: '*', Resource: '*', Condition: { DateLessThanEquals: { 'acs:CurrentTime': '2026-01-01T00:00:00Z' } } }))], request: req('x:Y', { context: { 'acs:CurrentTime': '2026-01-01T00:00:00Z' } }), expected: 'Allow' },
  { why: 'DateLessThan fails at the boundary', policies: [doc(allow({ Action: '*', Resource: '*', Condition: { DateLessThan: { 'acs:CurrentTime': '2026-01-01T00:00:00Z' } } }))], request: req('x:Y', { context: { 'acs:CurrentTime': '2026-01-01T00:00:00Z' } }), expected: 'ImplicitDeny' },
  { why: 'an unparseable request date never matches a positive date operator', policies: [doc(allow({ Action: '*', Resource: '*', Condition: { DateLessThan: { 'acs:CurrentTime': '2030-01-01T00:00:00Z' } } }))], request: req('x:Y', { context: { 'acs:CurrentTime': 'yesterday' } }), expected: 'ImplicitDeny' },
  // --- string conditions
  { why: 'StringEquals is case-sensitive', policies: [trust({ RAM: `acs:ram::${B}:root` }, { Condition: { StringEquals: { 'sts:ExternalId': 'Abc' } } })], request: assume(bob, { 'sts:ExternalId': 'abc' }), expected: 'ImplicitDeny' },
  { why: 'StringEqualsIgnoreCase is not', policies: [doc(allow({ Action: '*', Resource: '*', Condition: { StringEqualsIgnoreCase: { 'acs:ResourceTag/team': 'Dev' } } }))], request: req('x:Y', { context: { 'acs:ResourceTag/team': 'DEV' } }), expected: 'Allow' },
  { why: 'multiple values in one key are ORed', policies: [doc(allow({ Action: '*', Resource: '*', Condition: { StringEquals: { 'acs:ResourceTag/team': ['dev', 'ops'] } } }))], request: req('x:Y', { context: { 'acs:ResourceTag/team': 'ops' } }), expected: 'Allow' },
  { why: 'a multi-valued request key matches if any value matches (positive operator)', policies: [doc(allow({ Action: '*', Resource: '*', Condition: { StringEquals: { 'acs:TagKeys': 'env' } } }))], request: req('x:Y', { context: { 'acs:TagKeys': ['owner', 'env'] } }), expected: 'Allow' },
  { why: 'negated operator: no request value may match', policies: [doc(allow({ Action: '*', Resource: '*', Condition: { StringNotEquals: { 'acs:TagKeys': 'env' } } }))], request: req('x:Y', { context: { 'acs:TagKeys': ['owner', 'env'] } }), expected: 'ImplicitDeny' },
  { why: 'negated operator holds when nothing matches', policies: [doc(allow({ Action: '*', Resource: '*', Condition: { StringNotEquals: { 'acs:TagKeys': 'env' } } }))], request: req('x:Y', { context: { 'acs:TagKeys': ['owner'] } }), expected: 'Allow' },
  { why: 'negated operator on a missing key holds', policies: [doc(allow({ Action: '*', Resource: '*', Condition: { StringNotLike: { 'acs:ResourceTag/env': 'prod*' } } }))], request: req('x:Y'), expected: 'Allow' },
  { why: 'StringLike with wildcard', policies: [doc(allow({ Action: 'oss:ListObjects', Resource: '*', Condition: { StringLike: { 'oss:Prefix': 'hangzhou/2015/*' } } }))], request: req('oss:ListObjects', { context: { 'oss:Prefix': 'hangzhou/2015/a' } }), expected: 'Allow' },
  { why: 'StringNotLike excludes a pattern', policies: [doc(allow({ Action: '*', Resource: '*', Condition: { StringNotLike: { 'acs:ResourceTag/env': 'prod*' } } }))], request: req('x:Y', { context: { 'acs:ResourceTag/env': 'production' } }), expected: 'ImplicitDeny' },
  { why: 'keys within an operator are ANDed', policies: [doc(allow({ Action: '*', Resource: '*', Condition: { StringEquals: { 'k:a': '1', 'k:b': '2' } } }))], request: req('x:Y', { context: { 'k:a': '1', 'k:b': '3' } }), expected: 'ImplicitDeny' },
  { why: 'operators are ANDed', policies: [doc(allow({ Action: '*', Resource: '*', Condition: { StringEquals: { 'k:a': '1' }, Bool: { 'acs:MFAPresent': true } } }))], request: req('x:Y', { context: { 'k:a': '1', 'acs:MFAPresent': 'false' } }), expected: 'ImplicitDeny' },
  { why: 'Bool matches "true" case-insensitively', policies: [doc(allow({ Action: '*', Resource: '*', Condition: { Bool: { 'acs:SecureTransport': 'true' } } }))], request: req('x:Y', { context: { 'acs:SecureTransport': 'TRUE' } }), expected: 'Allow' },
  // --- numeric and IP conditions
  { why: 'NumericLessThanEquals at the boundary', policies: [doc(allow({ Action: '*', Resource: '*', Condition: { NumericLessThanEquals: { 'k:n': 10 } } }))], request: req('x:Y', { context: { 'k:n': '10' } }), expected: 'Allow' },
  { why: 'NumericGreaterThan below the bound', policies: [doc(allow({ Action: '*', Resource: '*', Condition: { NumericGreaterThan: { 'k:n': '10' } } }))], request: req('x:Y', { context: { 'k:n': '9.5' } }), expected: 'ImplicitDeny' },
  { why: 'NumericEquals compares numbers, not text', policies: [doc(allow({ Action: '*', Resource: '*', Condition: { NumericEquals: { 'k:n': '1' } } }))], request: req('x:Y', { context: { 'k:n': '1.0' } }), expected: 'Allow' },
  { why: 'IpAddress inside the CIDR', policies: [doc(allow({ Action: '*', Resource: '*', Condition: { IpAddress: { 'acs:SourceIp': ['10.0.0.0/8', '192.168.1.1'] } } }))], request: req('x:Y', { context: { 'acs:SourceIp': '10.20.30.40' } }), expected: 'Allow' },
  { why: 'IpAddress outside the CIDR', policies: [doc(allow({ Action: '*', Resource: '*', Condition: { IpAddress: { 'acs:SourceIp': '10.0.0.0/8' } } }))], request: req('x:Y', { context: { 'acs:SourceIp': '11.0.0.1' } }), expected: 'ImplicitDeny' },
  { why: 'a bare IP in the policy is a /32', policies: [doc(allow({ Action: '*', Resource: '*', Condition: { IpAddress: { 'acs:SourceIp': '192.168.1.1' } } }))], request: req('x:Y', { context: { 'acs:SourceIp': '192.168.1.2' } }), expected: 'ImplicitDeny' },
  { why: 'NotIpAddress Deny blocks outside callers', policies: [ecsRead, doc(deny({ Action: '*', Resource: '*', Condition: { NotIpAddress: { 'acs:SourceIp': '203.0.113.0/24' } } }))], request: req('ecs:DescribeInstances', { context: { 'acs:SourceIp': '198.51.100.7' } }), expected: 'ExplicitDeny' },
  { why: 'NotIpAddress Deny lets inside callers through', policies: [ecsRead, doc(deny({ Action: '*', Resource: '*', Condition: { NotIpAddress: { 'acs:SourceIp': '203.0.113.0/24' } } }))], request: req('ecs:DescribeInstances', { context: { 'acs:SourceIp': '203.0.113.99' } }), expected: 'Allow' },
  { why: 'IPv6 CIDR', policies: [doc(allow({ Action: '*', Resource: '*', Condition: { IpAddress: { 'acs:SourceIp': '2001:db8::/32' } } }))], request: req('x:Y', { context: { 'acs:SourceIp': '2001:db8:1::5' } }), expected: 'Allow' },
  // --- principals (trust policies)
  { why: 'root ARN trusts a user of that account', policies: [trust({ RAM: [`acs:ram::${B}:root`] })], request: assume(bob), expected: 'Allow' },
  { why: 'root ARN trusts an assumed-role session of that account', policies: [trust({ RAM: [`acs:ram::${B}:root`] })], request: assume(bSession), expected: 'Allow' },
  { why: 'a bare account ID is the same as its root', policies: [trust({ RAM: B })], request: assume(bRole), expected: 'Allow' },
  { why: 'root of B does not trust a same-named user of C', policies: [trust({ RAM: [`acs:ram::${B}:root`] })], request: assume(cUser), expected: 'ImplicitDeny' },
  { why: 'a user ARN trusts exactly that user', policies: [trust({ RAM: `acs:ram::${B}:user/bob` })], request: assume(bob), expected: 'Allow' },
  { why: 'a user ARN does not trust the account root', policies: [trust({ RAM: `acs:ram::${B}:user/bob` })], request: assume(bRoot), expected: 'ImplicitDeny' },
  { why: 'a user ARN does not trust a user with the same name elsewhere', policies: [trust({ RAM: `acs:ram::${B}:user/bob` })], request: assume(cUser), expected: 'ImplicitDeny' },
  { why: 'a role ARN trusts sessions of that role (role names case-insensitive)', policies: [trust({ RAM: `acs:ram::${B}:role/OPS` })], request: assume(bSession), expected: 'Allow' },
  { why: 'a role ARN does not trust sessions of another role', policies: [trust({ RAM: `acs:ram::${B}:role/dev` })], request: assume(bSession), expected: 'ImplicitDeny' },
  { why: 'a role ARN does not trust a role whose name merely starts the same', policies: [trust({ RAM: `acs:ram::${B}:role/op` })], request: assume(bRole), expected: 'ImplicitDeny' },
  { why: 'a role ARN does not trust users of the account', policies: [trust({ RAM: `acs:ram::${B}:role/ops` })], request: assume(bob), expected: 'ImplicitDeny' },
  { why: 'a trust statement never applies without a caller', policies: [trust({ RAM: '*' })], request: req('sts:AssumeRole'), expected: 'ImplicitDeny' },
  { why: 'Service principal trusts that service', policies: [trust({ Service: ['fc.aliyuncs.com'] })], request: assume(fcService), expected: 'Allow' },
  { why: 'Service principal does not trust a RAM user', policies: [trust({ Service: ['fc.aliyuncs.com'] })], request: assume(bob), expected: 'ImplicitDeny' },
  { why: 'a RAM principal does not trust a service acting for that account', policies: [trust({ RAM: `acs:ram::${A}:root` })], request: assume(fcService), expected: 'ImplicitDeny' },
  { why: 'ExternalId: right id, trusted account', policies: [trust({ RAM: [`acs:ram::${B}:root`] }, { Condition: { StringEquals: { 'sts:ExternalId': 'ext-1' } } })], request: assume(bob, { 'sts:ExternalId': 'ext-1' }), expected: 'Allow' },
  { why: 'ExternalId: missing id fails (confused deputy)', policies: [trust({ RAM: [`acs:ram::${B}:root`] }, { Condition: { StringEquals: { 'sts:ExternalId': 'ext-1' } } })], request: assume(bob), expected: 'ImplicitDeny' },
  { why: 'ExternalId: wrong id fails', policies: [trust({ RAM: [`acs:ram::${B}:root`] }, { Condition: { StringEquals: { 'sts:ExternalId': 'ext-1' } } })], request: assume(bob, { 'sts:ExternalId': 'ext-2' }), expected: 'ImplicitDeny' },
  { why: 'a trust Deny for one user beats the account-wide Allow', policies: [doc({ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { RAM: B } }, { Effect: 'Deny', Action: 'sts:AssumeRole', Principal: { RAM: `acs:ram::${B}:user/bob` } })], request: assume(bob), expected: 'ExplicitDeny' },
  { why: 'identity statements (no Principal) ignore the caller', policies: [ecsRead], request: req('ecs:DescribeInstances', { principal: cUser }), expected: 'Allow' },
  // --- fail-closed for documents that were never parsed
  {
    why: 'an unknown operator never lets an Allow apply',
    policies: [doc(allow({ Action: '*', Resource: '*', Condition: { StringEqualsMaybe: { 'k:a': '1' } } as Statement['Condition'] }))],
    request: req('x:Y', { context: { 'k:a': '1' } }),
    expected: 'ImplicitDeny',
  },
  {
    why: 'an unknown operator always lets a Deny apply',
    policies: [ecsRead, doc(deny({ Action: '*', Resource: '*', Condition: { StringEqualsMaybe: { 'k:a': '1' } } as Statement['Condition'] }))],
    request: req('ecs:DescribeInstances'),
    expected: 'ExplicitDeny',
  },
];

describe('evaluate: truth table', () => {
  it('has at least 40 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
  });

  it.each(cases.map((c) => [c.why, c] as const))('%s', (_why, c) => {
    expect(evaluate(c.policies, c.request)).toBe(c.expected);
    expect(isAllowed(c.policies, c.request)).toBe(c.expected === 'Allow');
  });
});

describe('statementApplies', () => {
  it('reports applicability independently of the Effect', () => {
    const s = deny({ Action: 'ecs:*', Resource: '*' });
    expect(statementApplies(s, req('ecs:StopInstance'))).toBe(true);
    expect(statementApplies(s, req('oss:GetObject'))).toBe(false);
  });
});

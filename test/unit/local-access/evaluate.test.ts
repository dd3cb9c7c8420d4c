/**
 * decide() and decideWithSession(): the basic evaluation process ("Deny ... Explicit Deny is returned";
 * else Allow if an Allow statement applies; else Implicit Deny), Action/NotAction, Resource/NotResource,
 * and examples from Alibaba's docs, quoted with their pages.
 */
import { decide, parsePolicy } from '../../../local/access/policy';
import { decideAll, decideWithSession } from '../../../local/access/policy/evaluate';
import { BASE_CONTEXT, decision, doc } from './helpers';

const OWNER = '1511928242963727';
const role = (name: string) => `acs:ram:*:${OWNER}:role/${name}`;
const instance = 'acs:ecs:cn-hangzhou:1511928242963727:instance/i-1';

describe('the basic evaluation process', () => {
  const allowAll = doc([{ Effect: 'Allow', Action: '*', Resource: '*' }]);
  const denyRam = doc([{ Effect: 'Deny', Action: 'ram:*', Resource: '*' }]);

  it.each([
    ['no policies at all: implicit deny', [], 'ecs:DescribeInstances', instance, 'ImplicitDeny'],
    ['an Allow that applies', [allowAll], 'ecs:DescribeInstances', instance, 'Allow'],
    ['a Deny that applies wins over an Allow in another policy', [allowAll, denyRam], 'ram:CreateRole', role('x'), 'ExplicitDeny'],
    ['the order of policies does not matter', [denyRam, allowAll], 'ram:CreateRole', role('x'), 'ExplicitDeny'],
    ['a Deny that does not apply leaves the Allow', [allowAll, denyRam], 'ecs:DescribeInstances', instance, 'Allow'],
    ['a Deny alone is explicit', [denyRam], 'ram:CreateRole', role('x'), 'ExplicitDeny'],
    ['nothing applies: implicit deny', [denyRam], 'ecs:DescribeInstances', instance, 'ImplicitDeny'],
  ] as const)('%s', (_why, policies, action, resource, expected) => {
    expect(decision(policies, action, resource)).toBe(expected);
  });

  it('a Deny statement wins inside one policy too, whatever its position', () => {
    const p1 = doc([{ Effect: 'Allow', Action: 'ecs:*', Resource: '*' }, { Effect: 'Deny', Action: 'ecs:Delete*', Resource: '*' }]);
    const p2 = doc([{ Effect: 'Deny', Action: 'ecs:Delete*', Resource: '*' }, { Effect: 'Allow', Action: 'ecs:*', Resource: '*' }]);
    for (const p of [p1, p2]) {
      expect(decision([p], 'ecs:DeleteInstance', instance)).toBe('ExplicitDeny');
      expect(decision([p], 'ecs:StartInstance', instance)).toBe('Allow');
    }
  });

  it('refuses to evaluate a trust policy as a permission policy', () => {
    const trust = doc([{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { RAM: 'acs:ram::1879324520397241:root' } }], 'trust');
    expect(() => decision([trust], 'sts:AssumeRole', role('x'))).toThrow(TypeError);
  });
});

describe('Action and NotAction', () => {
  it.each([
    ['an exact action', 'ecs:DescribeInstances', 'ecs:DescribeInstances', 'Allow'],
    ['actions ignore case ("not case-sensitive" in most cases)', 'ECS:describeinstances', 'ecs:DescribeInstances', 'Allow'],
    ['a service wildcard', 'ecs:*', 'ecs:StopInstance', 'Allow'],
    ['a service wildcard covers no other service', 'ecs:*', 'ecsx:StopInstance', 'ImplicitDeny'],
    ['a prefix wildcard', 'ecs:Describe*', 'ecs:DescribeRegions', 'Allow'],
    ['a prefix wildcard, other verb', 'ecs:Describe*', 'ecs:DeleteInstance', 'ImplicitDeny'],
    ['"*" covers every action', '*', 'mns:SendMessage', 'Allow'],
    ['a service wildcard on the left', '*:Describe*', 'rds:DescribeDBInstances', 'Allow'],
    ['? is one character', 'ecs:?tartInstance', 'ecs:StartInstance', 'Allow'],
  ] as const)('%s', (_why, pattern, action, expected) => {
    expect(decision([doc([{ Effect: 'Allow', Action: pattern, Resource: '*' }])], action, '*')).toBe(expected);
  });

  it('a Deny on actions ignores case as well', () => {
    const p = doc([{ Effect: 'Allow', Action: '*', Resource: '*' }, { Effect: 'Deny', Action: 'RAM:*', Resource: '*' }]);
    expect(decision([p], 'ram:CreateRole', role('x'))).toBe('ExplicitDeny');
  });

  // Policy elements (tc): "以下樣本表示允許除RAM之外的所有操作" - { "Effect": "Allow", "NotAction": "ram:*", "Resource": "*" }
  it('the documented NotAction example allows everything but RAM', () => {
    const p = parsePolicy('{"Version":"1","Statement":[{"Effect":"Allow","NotAction":"ram:*","Resource":"*"}]}', 'identity');
    expect(decision([p], 'ecs:DeleteInstance', instance)).toBe('Allow');
    expect(decision([p], 'ram:CreateUser', '*')).toBe('ImplicitDeny');
    expect(decision([p], 'RAM:CreateUser', '*')).toBe('ImplicitDeny');
  });

  it('NotAction with Deny denies everything but the listed actions', () => {
    const p = doc([{ Effect: 'Allow', Action: '*', Resource: '*' }, { Effect: 'Deny', NotAction: ['ecs:Describe*', 'ecs:List*'], Resource: '*' }]);
    expect(decision([p], 'ecs:DescribeInstances', instance)).toBe('Allow');
    expect(decision([p], 'ecs:DeleteInstance', instance)).toBe('ExplicitDeny');
    expect(decision([p], 'mns:SendMessage', '*')).toBe('ExplicitDeny');
  });
});

describe('Resource and NotResource', () => {
  const allowOn = (resource: string | string[]) => doc([{ Effect: 'Allow', Action: 'ram:*', Resource: resource }]);

  it.each([
    ['an exact ARN', role('crossrole-a'), role('crossrole-a'), 'Allow'],
    ['a name wildcard', role('crossrole-*'), role('crossrole-grant-7'), 'Allow'],
    ['a name wildcard, other name', role('crossrole-*'), role('admin'), 'ImplicitDeny'],
    ['another account', role('crossrole-*'), 'acs:ram:*:1879324520397241:role/crossrole-a', 'ImplicitDeny'],
    ['* crosses "/" inside the resource id', 'acs:ram:*:*:role/*', `acs:ram:*:${OWNER}:role/a/b`, 'Allow'],
    ['* in the region field matches a named region and ":" within the id', 'acs:oss:*:*:bucket/*', 'acs:oss:cn-hangzhou:1:bucket/a:b', 'Allow'],
    ['a region wildcard', 'acs:mns:*:1511928242963727:/queues/q/messages', 'acs:mns:cn-hangzhou:1511928242963727:/queues/q/messages', 'Allow'],
    ['"*" covers every resource', '*', 'acs:oss:*:*:anything/at/all', 'Allow'],
    ['a list: any entry will do', [role('a'), role('b')], role('b'), 'Allow'],
    ['an Allow matches the resource in exact case only (silent)', role('Admin'), role('admin'), 'ImplicitDeny'],
  ] as const)('%s', (_why, pattern, resource, expected) => {
    expect(decision([allowOn(pattern as string | string[])], 'ram:GetRole', resource)).toBe(expected);
  });

  it('a Deny matches the resource in any case (silent: the broad reading)', () => {
    const p = doc([{ Effect: 'Allow', Action: 'ram:*', Resource: '*' }, { Effect: 'Deny', Action: 'ram:*', Resource: role('Admin') }]);
    expect(decision([p], 'ram:DeleteRole', role('admin'))).toBe('ExplicitDeny');
  });

  it('NotResource in an Allow covers what matches no entry, in any case (silent: narrow Allow)', () => {
    const p = doc([{ Effect: 'Allow', Action: 'oss:*', NotResource: 'acs:oss:*:*:secret/*' }]);
    expect(decision([p], 'oss:GetObject', 'acs:oss:cn-hangzhou:1:public/a')).toBe('Allow');
    expect(decision([p], 'oss:GetObject', 'acs:oss:cn-hangzhou:1:secret/a')).toBe('ImplicitDeny');
    expect(decision([p], 'oss:GetObject', 'acs:oss:cn-hangzhou:1:SECRET/a')).toBe('ImplicitDeny');
  });

  it('NotResource in a Deny covers what matches no entry in exact case (silent: broad Deny)', () => {
    const p = doc([{ Effect: 'Allow', Action: 'oss:*', Resource: '*' }, { Effect: 'Deny', Action: 'oss:*', NotResource: 'acs:oss:*:*:public/*' }]);
    expect(decision([p], 'oss:GetObject', 'acs:oss:cn-hangzhou:1:public/a')).toBe('Allow');
    expect(decision([p], 'oss:GetObject', 'acs:oss:cn-hangzhou:1:private/a')).toBe('ExplicitDeny');
    expect(decision([p], 'oss:GetObject', 'acs:oss:cn-hangzhou:1:PUBLIC/a')).toBe('ExplicitDeny');
  });

  describe('decideAll: one action on several resources, or several spellings of one', () => {
    const bare = `acs:ram::${OWNER}:role/crossrole-a`;
    const starred = role('crossrole-a');
    it.each([
      ['a "*" region in the policy covers both spellings', [{ Effect: 'Allow', Action: 'ram:*', Resource: role('crossrole-*') }], 'Allow'],
      ['an empty region in the policy covers only the bare spelling: not every spelling is allowed', [{ Effect: 'Allow', Action: 'ram:*', Resource: `acs:ram::${OWNER}:role/crossrole-*` }], 'ImplicitDeny'],
      ['a Deny on either spelling denies', [{ Effect: 'Allow', Action: 'ram:*', Resource: '*' }, { Effect: 'Deny', Action: 'ram:*', Resource: bare }], 'ExplicitDeny'],
      ['nothing applies', [{ Effect: 'Allow', Action: 'ecs:*', Resource: '*' }], 'ImplicitDeny'],
    ] as const)('%s', (_why, statements, expected) => {
      expect(decideAll([doc(statements)], 'ram:GetRole', [bare, starred], BASE_CONTEXT)).toBe(expected);
    });

    it('needs at least one resource', () => {
      expect(() => decideAll([], 'ram:GetRole', [], BASE_CONTEXT)).toThrow(TypeError);
    });
  });

  it('one request is one resource: an action on several resources is decided once per resource', () => {
    const p = allowOn(role('crossrole-*'));
    const resources = [role('crossrole-a'), `acs:ram:*:${OWNER}:policy/crossrole-a`];
    expect(resources.map((r) => decision([p], 'ram:AttachPolicyToRole', r))).toEqual(['Allow', 'ImplicitDeny']);
  });
});

describe('examples from the docs', () => {
  // help.aliyun.com/en/ram/access-alibaba-cloud-resources-by-using-a-specific-ip-address-or-cidr-block:
  // "The first statement allows all ECS actions. The second statement explicitly denies the same actions
  // if the request originates from an IP address that is not in the specified list."
  const ipPolicy = parsePolicy(JSON.stringify({
    Statement: [
      { Action: 'ecs:*', Effect: 'Allow', Resource: '*' },
      { Action: 'ecs:*', Effect: 'Deny', Resource: '*', Condition: { NotIpAddress: { 'acs:SourceIp': ['192.0.2.0/24', '203.0.113.2'] } } },
    ],
    Version: '1',
  }), 'identity');

  it.each([
    ['192.0.2.10', 'Allow'],
    ['203.0.113.2', 'Allow'],
    ['203.0.113.3', 'ExplicitDeny'],
    ['2001:db8::1', 'ExplicitDeny'],
  ])('IP deny example: a request from %s -> %s', (ip, expected) => {
    expect(decision([ipPolicy], 'ecs:DescribeInstances', instance, { ...BASE_CONTEXT, 'acs:SourceIp': ip })).toBe(expected);
  });

  // Time of day: "the authorized RAM user can only access Alibaba Cloud ECS before 17:00 on August 12, 2019 (UTC+8)"
  const timePolicy = parsePolicy('{"Statement":[{"Action":"ecs:*","Effect":"Allow","Resource":"*","Condition":{"DateLessThan":{"acs:CurrentTime":"2019-08-12T17:00:00+08:00"}}}],"Version":"1"}', 'identity');

  it.each([
    ['2019-08-12T08:59:59Z', 'Allow'],
    ['2019-08-12T09:00:00Z', 'ImplicitDeny'],
    ['2019-08-12T16:59:59+08:00', 'Allow'],
  ])('time example: at %s -> %s', (now, expected) => {
    expect(decision([timePolicy], 'ecs:StartInstance', instance, { 'acs:CurrentTime': now })).toBe(expected);
  });

  // Conditional operators, StringLike: "only objects with the hangzhou/2015/ prefix are listed"
  const ossPolicy = parsePolicy(JSON.stringify({
    Version: '1',
    Statement: [
      { Effect: 'Allow', Action: ['oss:GetObject'], Resource: ['acs:oss:*:*:myphotos/hangzhou/2015/*'] },
      { Effect: 'Allow', Action: ['oss:ListObjects'], Resource: ['acs:oss:*:*:myphotos'], Condition: { StringLike: { 'oss:Prefix': 'hangzhou/2015/*' } } },
    ],
  }), 'identity');

  it.each([
    ['oss:GetObject', 'acs:oss:cn-hangzhou:1:myphotos/hangzhou/2015/a.jpg', {}, 'Allow'],
    ['oss:GetObject', 'acs:oss:cn-hangzhou:1:myphotos/hangzhou/2016/a.jpg', {}, 'ImplicitDeny'],
    ['oss:ListObjects', 'acs:oss:cn-hangzhou:1:myphotos', { 'oss:Prefix': 'hangzhou/2015/' }, 'Allow'],
    ['oss:ListObjects', 'acs:oss:cn-hangzhou:1:myphotos', { 'oss:Prefix': 'hangzhou/' }, 'ImplicitDeny'],
    ['oss:ListObjects', 'acs:oss:cn-hangzhou:1:myphotos', {}, 'ImplicitDeny'],
  ] as const)('OSS prefix example: %s on %s with %j -> %s', (action, resource, context, expected) => {
    expect(decision([ossPolicy], action, resource, context)).toBe(expected);
  });

  // Access by a specified method: "can only access Alibaba Cloud ECS through HTTPS"
  it('HTTPS-only example', () => {
    const p = parsePolicy('{"Statement":[{"Action":"ecs:*","Effect":"Allow","Resource":"*","Condition":{"Bool":{"acs:SecureTransport":"true"}}}],"Version":"1"}', 'identity');
    expect(decision([p], 'ecs:StartInstance', instance, { 'acs:SecureTransport': 'true' })).toBe('Allow');
    expect(decision([p], 'ecs:StartInstance', instance, { 'acs:SecureTransport': 'false' })).toBe('ImplicitDeny');
  });

  it('a time-boxed guard: Deny everything once acs:CurrentTime is past the expiry', () => {
    const grant = doc([{ Effect: 'Allow', Action: 'ecs:Describe*', Resource: '*' }]);
    const guard = doc([{ Effect: 'Deny', Action: '*', Resource: '*', Condition: { DateGreaterThan: { 'acs:CurrentTime': '2026-03-01T12:00:00Z' } } }]);
    expect(decision([grant, guard], 'ecs:DescribeInstances', instance, { 'acs:CurrentTime': '2026-03-01T12:00:00Z' })).toBe('Allow');
    expect(decision([grant, guard], 'ecs:DescribeInstances', instance, { 'acs:CurrentTime': '2026-03-01T12:00:01Z' })).toBe('ExplicitDeny');
    // Without a clock the guard's Deny does not apply (a positive operator on a missing key), so callers must always send acs:CurrentTime.
    expect(decision([grant, guard], 'ecs:DescribeInstances', instance, {})).toBe('Allow');
  });
});

describe('session policies (AssumeRole Policy)', () => {
  const rolePolicies = [doc([{ Effect: 'Allow', Action: ['ecs:*', 'oss:*'], Resource: '*' }]), doc([{ Effect: 'Deny', Action: 'ecs:Delete*', Resource: '*' }])];
  const session = doc([{ Effect: 'Allow', Action: ['ecs:*', 'rds:*'], Resource: '*' }], 'session');
  const req = (action: string) => ({ action, resource: '*', context: BASE_CONTEXT });

  it.each([
    ['allowed by both', 'ecs:DescribeInstances', 'Allow'],
    ['allowed by the role only: the session narrows it away', 'oss:GetObject', 'ImplicitDeny'],
    ['allowed by the session only: a session policy grants nothing the role lacks', 'rds:DescribeDBInstances', 'ImplicitDeny'],
    ['allowed by the session, denied by the role', 'ecs:DeleteInstance', 'ExplicitDeny'],
  ] as const)('%s', (_why, action, expected) => {
    expect(decideWithSession(rolePolicies, session, req(action))).toBe(expected);
  });

  it('a Deny in the session policy is final', () => {
    const s = doc([{ Effect: 'Allow', Action: '*', Resource: '*' }, { Effect: 'Deny', Action: 'oss:*', Resource: '*' }], 'session');
    expect(decideWithSession(rolePolicies, s, req('oss:GetObject'))).toBe('ExplicitDeny');
  });

  it('the session policy is evaluated first: its implicit deny ends the evaluation', () => {
    // "If Explicit Deny or Implicit Deny is returned, the evaluation ends" (session policy step).
    const narrow = doc([{ Effect: 'Allow', Action: 'oss:*', Resource: '*' }], 'session');
    expect(decideWithSession(rolePolicies, narrow, req('ecs:DeleteInstance'))).toBe('ImplicitDeny');
  });

  it('without a session policy the role policies decide alone', () => {
    expect(decideWithSession(rolePolicies, undefined, req('oss:GetObject'))).toBe('Allow');
    expect(decideWithSession(rolePolicies, undefined, req('oss:GetObject'))).toBe(decide(rolePolicies, req('oss:GetObject')));
  });
});

/**
 * The guardrails' matcher: could a document grant an action (on a resource)? It reads Allow
 * statements only, ignores conditions, and matches actions as RAM's wildcards do.
 */
import { grants } from '../../../shared/policy/matcher';
import type { PolicyDocument, Statement } from '../../../shared/policy/policy-document';

const doc = (...Statement: Statement[]): PolicyDocument => ({ Version: '1', Statement });
const allow = (s: Omit<Statement, 'Effect'>): Statement => ({ Effect: 'Allow', ...s });
const deny = (s: Omit<Statement, 'Effect'>): Statement => ({ Effect: 'Deny', ...s });
const ecsRead = doc(allow({ Action: 'ecs:Describe*', Resource: '*' }));

describe('grants: actions', () => {
  it.each<[string, PolicyDocument, string, boolean]>([
    ['nothing in an empty statement list', doc(), 'ecs:DescribeInstances', false],
    ['a prefix wildcard', ecsRead, 'ecs:DescribeInstances', true],
    ['action names in any case', ecsRead, 'ECS:describeinstances', true],
    ['not another action of the service', ecsRead, 'ecs:StartInstance', false],
    ['not the same action name in another service', ecsRead, 'rds:DescribeDBInstances', false],
    ['? as exactly one character', doc(allow({ Action: 'ecs:Get?', Resource: '*' })), 'ecs:GetX', true],
    ['? not as two characters', doc(allow({ Action: 'ecs:Get?', Resource: '*' })), 'ecs:GetXY', false],
    ['? not as zero characters', doc(allow({ Action: 'ecs:Get?', Resource: '*' })), 'ecs:Get', false],
    ['? as one code point, not one UTF-16 unit', doc(allow({ Action: 'x:a?', Resource: '*' })), 'x:a😀', true],
    ['regex metacharacters literally', doc(allow({ Action: 'ecs:Describe.', Resource: '*' })), 'ecs:DescribeX', false],
    ['parentheses and plus literally', doc(allow({ Action: 'x:a(b)+', Resource: '*' })), 'x:a(b)+', true],
    ['any entry of an action list', doc(allow({ Action: ['oss:GetObject', 'ecs:Start*'], Resource: '*' })), 'ecs:StartInstance', true],
    ['"*" as every action', doc(allow({ Action: '*', Resource: '*' })), 'kms:Decrypt', true],
    ['"*:*" as every action', doc(allow({ Action: '*:*', Resource: '*' })), 'kms:Decrypt', true],
    ['NotAction: every action not listed', doc(allow({ NotAction: 'ram:*', Resource: '*' })), 'ecs:DeleteInstance', true],
    ['NotAction: not the listed ones', doc(allow({ NotAction: 'ram:*', Resource: '*' })), 'ram:CreateUser', false],
    ['NotAction: not the listed ones in another case', doc(allow({ NotAction: 'RAM:*', Resource: '*' })), 'ram:CreateUser', false],
  ])('%s', (_why, document, action, expected) => {
    expect(grants(document, action)).toBe(expected);
  });
});

describe('grants: resources', () => {
  const bucket = doc(allow({ Action: 'oss:GetObject', Resource: 'acs:oss:*:*:bucket/*' }));
  const notSecret = doc(allow({ Action: 'oss:*', NotResource: 'acs:oss:*:*:secret*' }));

  it.each<[string, PolicyDocument, string, boolean]>([
    ['a matching resource pattern', bucket, 'acs:oss:*:*:bucket/a/b.txt', true],
    ['a resource outside the pattern', bucket, 'acs:oss:*:*:other/a', false],
    ['a resource in another case (stricter: RAM\'s case rules are undocumented)', bucket, 'acs:oss:*:*:BUCKET/a', true],
    ['any resource when none is named: the grant reaches some resource', bucket, '*', true],
    ['NotResource: everything else', notSecret, 'acs:oss:*:*:public/x', true],
    ['NotResource: not the listed resource', notSecret, 'acs:oss:*:*:secret/x', false],
    ['NotResource: the listed resource in another case is not excluded (stricter)', notSecret, 'acs:oss:*:*:SECRET/x', true],
    ['NotResource "*": no resource at all', doc(allow({ Action: 'oss:*', NotResource: '*' })), '*', false],
  ])('%s', (_why, document, resource, expected) => {
    expect(grants(document, 'oss:GetObject', resource)).toBe(expected);
  });

  it('a statement without Resource (a trust statement) reaches its role', () => {
    const trust = doc({ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { RAM: 'acs:ram::2222222222222222:root' } });
    expect(grants(trust, 'sts:AssumeRole', 'acs:ram::1111111111111111:role/x')).toBe(true);
    expect(grants(trust, 'sts:AssumeRole')).toBe(true);
  });
});

describe('grants: what it ignores, on the stricter side', () => {
  it('a conditional Allow is still a grant (a condition can be met)', () => {
    const conditional = doc(allow({ Action: 'ram:CreateAccessKey', Resource: '*', Condition: { IpAddress: { 'acs:SourceIp': '10.0.0.0/8' } } }));
    expect(grants(conditional, 'ram:CreateAccessKey')).toBe(true);
  });

  it('a Deny never takes a grant away (it may not apply when it matters)', () => {
    const allowedThenDenied = doc(allow({ Action: '*', Resource: '*' }), deny({ Action: 'ram:*', Resource: '*' }));
    expect(grants(allowedThenDenied, 'ram:AttachPolicyToRole')).toBe(true);
  });

  it('a Deny alone grants nothing', () => {
    expect(grants(doc(deny({ Action: '*', Resource: '*' })), 'ecs:DescribeInstances')).toBe(false);
  });
});

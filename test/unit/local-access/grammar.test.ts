/**
 * The grammar check. Accepted documents come from Alibaba's own examples where the docs give them
 * (quoted, with the page); refused ones are the faults the docs rule out, plus the places where the
 * docs are silent and the local cloud is stricter (marked "stricter").
 */
import { parsePolicy, PolicyGrammarError } from '../../../local/access/policy';
import { POLICY_LIMITS } from '../../../local/access/policy/limits';
import { CONDITION_OPERATORS } from '../../../local/access/policy/conditions';
import { verdict } from './helpers';

const stmt = (extra: Record<string, unknown>): string => JSON.stringify({ Version: '1', Statement: [{ Effect: 'Allow', Action: 'ecs:*', Resource: '*', ...extra }] });
const withStatement = (s: unknown): string => JSON.stringify({ Version: '1', Statement: [s] });
const trustStmt = (extra: Record<string, unknown>): string =>
  JSON.stringify({ Version: '1', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { RAM: ['acs:ram::1879324520397241:root'] }, ...extra }] });

describe('documents the docs show are accepted', () => {
  it.each([
    // www.alibabacloud.com/help/en/ram/policy-structure-and-syntax: "The following example shows the basic structure"
    ['the syntax page\'s skeleton keeps its placeholder "resource_arn", which is no ARN (stricter: refused)', '{"Version":"1","Statement":[{"Effect":"Allow","Action":"service:ActionName","Resource":"resource_arn"}]}', 'refused'],
    ['the same skeleton with a real ARN', '{"Version":"1","Statement":[{"Effect":"Allow","Action":"service:ActionName","Resource":"acs:ecs:*:*:instance/i-1"}]}', 'accepted'],
    ['policy elements: "Action": ["oss:ListBuckets","ecs:Describe*","rds:Describe*"] with the documented Resource list',
      '{"Version":"1","Statement":[{"Effect":"Allow","Action":["oss:ListBuckets","ecs:Describe*","rds:Describe*"],"Resource":["acs:ecs:*:*:instance/inst-001","acs:ecs:*:*:instance/inst-002","acs:oss:*:*:mybucket","acs:oss:*:*:mybucket/*"]}]}', 'accepted'],
    // policy elements (tc/zh): NotAction 样本 { "Effect": "Allow", "NotAction": "ram:*", "Resource": "*" }
    ['policy elements: NotAction example', '{"Version":"1","Statement":[{"Effect":"Allow","NotAction":"ram:*","Resource":"*"}]}', 'accepted'],
    // AssumeRole API reference, Policy parameter example
    ['AssumeRole: Policy parameter example', '{"Statement": [{"Action": ["*"],"Effect": "Allow","Resource": ["*"]}],"Version":"1"}', 'accepted'],
    // FAQ about RAM roles and STS tokens: "Can I specify the RAM role that a RAM user can assume?"
    ['FAQ: the role a RAM user may assume', '{"Statement":[{"Action":"sts:AssumeRole","Effect":"Allow","Resource":"acs:ram:*:1234567890123456:role/roleName"}],"Version":"1"}', 'accepted'],
    // Time of day: DateLessThan acs:CurrentTime "2019-08-12T17:00:00+08:00"
    ['time of day example', '{"Statement":[{"Action":"ecs:*","Effect":"Allow","Resource":"*","Condition":{"DateLessThan":{"acs:CurrentTime":"2019-08-12T17:00:00+08:00"}}}],"Version":"1"}', 'accepted'],
    // Access by a specified method: Bool acs:SecureTransport "true"
    ['HTTPS only example', '{"Statement":[{"Action":"ecs:*","Effect":"Allow","Resource":"*","Condition":{"Bool":{"acs:SecureTransport":"true"}}}],"Version":"1"}', 'accepted'],
    // IP example: IpAddress acs:SourceIp ["192.0.2.0/24","203.0.113.2"]
    ['IP allow-list example', '{"Statement":[{"Action":"ecs:*","Effect":"Allow","Resource":"*","Condition":{"IpAddress":{"acs:SourceIp":["192.0.2.0/24","203.0.113.2"]}}}],"Version":"1"}', 'accepted'],
    // Conditional operators: StringLike oss:Prefix "hangzhou/2015/*"
    ['StringLike example', '{"Version":"1","Statement":[{"Effect":"Allow","Action":["oss:GetObject"],"Resource":["acs:oss:*:*:myphotos/hangzhou/2015/*"]},{"Effect":"Allow","Action":["oss:ListObjects"],"Resource":["acs:oss:*:*:myphotos"],"Condition":{"StringLike":{"oss:Prefix":"hangzhou/2015/*"}}}]}', 'accepted'],
    // Conditional operators: StringEquals acs:ResourceTag/team ["dev"]
    ['StringEquals tag example', '{"Version":"1","Statement":[{"Effect":"Allow","Action":"ecs:*","Resource":"*","Condition":{"StringEquals":{"acs:ResourceTag/team":["dev"]}}}]}', 'accepted'],
  ])('%s', (_why, text, expected) => {
    const v = verdict(text);
    if (expected === 'accepted') expect(v).toBe('accepted');
    else expect(v).not.toBe('accepted');
  });

  it.each([
    // Modify the trust policy of a RAM role, example 1 (account), and the user/role variants
    ['account', '{"Statement":[{"Action":"sts:AssumeRole","Effect":"Allow","Principal":{"RAM":["acs:ram::1234567890123456:root"]}}],"Version":"1"}'],
    ['RAM user', '{"Statement":[{"Action":"sts:AssumeRole","Effect":"Allow","Principal":{"RAM":["acs:ram::1234567890123456:user/testuser"]}}],"Version":"1"}'],
    ['RAM role', '{"Statement":[{"Action":"sts:AssumeRole","Effect":"Allow","Principal":{"RAM":["acs:ram::1234567890123456:role/testrole"]}}],"Version":"1"}'],
    // Example 2: "Service": ["ecs.aliyuncs.com"]
    ['service', '{"Statement":[{"Action":"sts:AssumeRole","Effect":"Allow","Principal":{"Service":["ecs.aliyuncs.com"]}}],"Version":"1"}'],
    // Example 3: Federated saml-provider with a saml:recipient condition
    ['IdP', '{"Statement":[{"Action":"sts:AssumeRole","Effect":"Allow","Principal":{"Federated":["acs:ram::1234567890123456:saml-provider/testprovider"]},"Condition":{"StringEquals":{"saml:recipient":"https://signin.alibabacloud.com/saml-role/sso"}}}],"Version":"1"}'],
    // CreateRole: "Principal":{"RAM":"acs:ram::123456789012****:root"} (a single string)
    ['CreateRole: RAM as a single string', '{"Statement":[{"Action":"sts:AssumeRole","Effect":"Allow","Principal":{"RAM":"acs:ram::1234567890123456:root"}}],"Version":"1"}'],
    ['ExternalId condition', '{"Statement":[{"Action":"sts:AssumeRole","Effect":"Allow","Principal":{"RAM":["acs:ram::1234567890123456:root"]},"Condition":{"StringEquals":{"sts:ExternalId":"abcd1234"}}}],"Version":"1"}'],
  ])('trust policy from the docs: %s', (_why, text) => {
    expect(verdict(text, 'trust')).toBe('accepted');
  });
});

describe('faults are refused with a reason and a path', () => {
  it.each([
    ['not JSON', '{"Version": "1",', 'not valid JSON'],
    ['trailing text', '{"Version":"1","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]} x', 'trailing text'],
    ['a duplicate key (stricter)', '{"Version":"1","Statement":[{"Effect":"Deny","Effect":"Allow","Action":"*","Resource":"*"}]}', 'duplicate key "Effect"'],
    ['a JSON array document', '[]', 'a JSON object'],
    ['empty text', '', 'not valid JSON'],
    ['no Version', '{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}', 'Version: Version is required'],
    ['Version "2"', '{"Version":"2","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}', 'Version'],
    ['Version as the number 1', '{"Version":1,"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}', 'must be the string "1"'],
    ['no Statement', '{"Version":"1"}', 'Statement is required'],
    ['an empty Statement', '{"Version":"1","Statement":[]}', 'at least one statement'],
    ['Statement as one object (stricter: the grammar shows an array)', '{"Version":"1","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}', 'must be an array'],
    ['an unknown top-level element', '{"Version":"1","Id":"x","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}', 'Id: unknown top-level element'],
    ['a statement that is not an object', '{"Version":"1","Statement":["x"]}', 'Statement[0]: a statement must be an object'],
  ])('%s', (_why, text, reason) => {
    expect(verdict(text)).toContain(reason);
  });

  it.each([
    ['no Effect', { Action: '*', Resource: '*' }, 'Statement[0].Effect'],
    ['Effect "allow" (values are case-sensitive)', { Effect: 'allow', Action: '*', Resource: '*' }, 'Statement[0].Effect'],
    ['element names are case-sensitive', { effect: 'Allow', Action: '*', Resource: '*' }, 'Statement[0].effect: unknown statement element'],
    ['Sid is not a documented RAM element (stricter)', { Sid: 's1', Effect: 'Allow', Action: '*', Resource: '*' }, 'Statement[0].Sid'],
    ['neither Action nor NotAction', { Effect: 'Allow', Resource: '*' }, 'Action or NotAction is required'],
    ['both Action and NotAction', { Effect: 'Allow', Action: '*', NotAction: 'ram:*', Resource: '*' }, 'not both'],
    ['neither Resource nor NotResource', { Effect: 'Allow', Action: '*' }, 'Resource or NotResource is required'],
    ['both Resource and NotResource', { Effect: 'Allow', Action: '*', Resource: '*', NotResource: 'acs:oss:*:*:b' }, 'not both'],
    ['an empty Action array', { Effect: 'Allow', Action: [], Resource: '*' }, 'Statement[0].Action: must not be empty'],
    ['an empty Resource array', { Effect: 'Allow', Action: '*', Resource: [] }, 'Statement[0].Resource: must not be empty'],
    ['a number as Action', { Effect: 'Allow', Action: 7, Resource: '*' }, 'Statement[0].Action'],
    ['a number inside Action', { Effect: 'Allow', Action: ['ecs:*', 7], Resource: '*' }, 'Statement[0].Action[1]'],
    ['an action without a service prefix (stricter)', { Effect: 'Allow', Action: 'DescribeInstances', Resource: '*' }, 'Statement[0].Action[0]'],
    ['an empty action', { Effect: 'Allow', Action: '', Resource: '*' }, 'Statement[0].Action[0]'],
    ['an action with a space', { Effect: 'Allow', Action: 'ecs: Describe*', Resource: '*' }, 'Statement[0].Action[0]'],
    ['a resource that is not an acs ARN (stricter)', { Effect: 'Allow', Action: '*', Resource: 'arn:aws:s3:::b' }, 'Statement[0].Resource[0]'],
    ['a resource with too few fields (stricter)', { Effect: 'Allow', Action: '*', Resource: 'acs:ecs:*' }, 'Statement[0].Resource[0]'],
    ['a resource with a control character', { Effect: 'Allow', Action: '*', Resource: 'acs:oss:*:*:b/\u0001' }, 'Statement[0].Resource[0]'],
    ['Principal in an identity policy', { Effect: 'Allow', Action: '*', Resource: '*', Principal: { RAM: ['acs:ram::1234567890123456:root'] } }, 'Principal belongs only in a trust policy'],
  ])('%s', (_why, s, reason) => {
    expect(verdict(withStatement(s))).toContain(reason);
  });

  it('the error carries the reason and the path separately', () => {
    try {
      parsePolicy(stmt({ Condition: { DateLessThan: { 'acs:CurrentTime': 'tomorrow' } } }), 'identity');
      throw new Error('accepted');
    } catch (e) {
      expect(e).toBeInstanceOf(PolicyGrammarError);
      const g = e as PolicyGrammarError;
      expect(g.path).toBe('Statement[0].Condition.DateLessThan.acs:CurrentTime[0]');
      expect(g.reason).toContain('ISO 8601');
    }
  });
});

describe('Condition blocks', () => {
  it.each([
    ['an empty Condition (stricter)', {}, 'at least one operator'],
    ['a Condition that is an array', [], 'must be an object'],
    ['an unknown operator', { StringMatches: { 'acs:SourceIp': 'x' } }, 'Condition.StringMatches: unknown condition operator'],
    ['operators are case-sensitive', { stringequals: { 'oss:Prefix': 'x' } }, 'unknown condition operator'],
    ['Null is not documented for RAM (stricter)', { Null: { 'oss:Prefix': 'true' } }, 'unknown condition operator'],
    ['ForAnyValue is not documented for RAM (stricter)', { 'ForAnyValue:StringEquals': { 'oss:Prefix': 'x' } }, 'unknown condition operator'],
    ['ArnLike is not documented for RAM (stricter)', { ArnLike: { 'acs:SourceArn': 'x' } }, 'unknown condition operator'],
    ['StringEqualsIfExists: IfExists is documented only for Date operators (stricter)', { StringEqualsIfExists: { 'oss:Prefix': 'x' } }, 'unknown condition operator'],
    ['BoolIfExists (stricter)', { BoolIfExists: { 'acs:MFAPresent': 'true' } }, 'unknown condition operator'],
    ['an empty operator block', { StringEquals: {} }, 'at least one condition key'],
    ['an operator block that is a string', { StringEquals: 'x' }, 'must be an object'],
    ['an empty value list', { StringEquals: { 'oss:Prefix': [] } }, 'must not be empty'],
    ['a JSON boolean value (values are quoted strings)', { Bool: { 'acs:SecureTransport': true } }, 'condition values are strings'],
    ['a JSON number value', { NumericLessThan: { 'oss:max-keys': 10 } }, 'condition values are strings'],
    ['a key without a service prefix', { StringEquals: { CurrentTime: 'x' } }, 'the form <service>:<name>'],
    ['Bool "True" (stricter: lowercase only)', { Bool: { 'acs:SecureTransport': 'True' } }, 'Bool needs "true" or "false"'],
    ['Bool "yes"', { Bool: { 'acs:MFAPresent': 'yes' } }, 'Bool needs'],
    ['a date without a zone', { DateLessThan: { 'acs:CurrentTime': '2019-08-12T17:00:00' } }, 'ISO 8601'],
    ['a date without a time (stricter)', { DateLessThan: { 'acs:CurrentTime': '2019-08-12' } }, 'ISO 8601'],
    ['a date on February 30th', { DateGreaterThan: { 'acs:CurrentTime': '2019-02-30T00:00:00Z' } }, 'ISO 8601'],
    ['a date at hour 24', { DateGreaterThan: { 'acs:CurrentTime': '2019-02-01T24:00:00Z' } }, 'ISO 8601'],
    ['an epoch number as a date (stricter)', { DateLessThan: { 'acs:CurrentTime': '1565600400' } }, 'ISO 8601'],
    ['a zone offset of 25 hours', { DateLessThan: { 'acs:CurrentTime': '2019-08-12T17:00:00+25:00' } }, 'ISO 8601'],
    ['IfExists on a date checks its value too', { DateLessThanIfExists: { 'acs:CurrentTime': 'soon' } }, 'DateLessThanIfExists needs'],
    ['a numeric value with letters', { NumericEquals: { 'oss:max-keys': '10a' } }, 'decimal number'],
    ['a numeric value in exponent form (stricter)', { NumericEquals: { 'oss:max-keys': '1e3' } }, 'decimal number'],
    ['an IP with an octet over 255', { IpAddress: { 'acs:SourceIp': '192.0.2.256' } }, 'IP address or CIDR'],
    ['a CIDR prefix over 32', { IpAddress: { 'acs:SourceIp': '192.0.2.0/33' } }, 'IP address or CIDR'],
    ['an IPv6 CIDR prefix over 128', { NotIpAddress: { 'acs:SourceIp': '2001:db8::/129' } }, 'IP address or CIDR'],
    ['a host name as an IP', { IpAddress: { 'acs:SourceIp': 'example.com' } }, 'IP address or CIDR'],
    ['a leading-zero octet (stricter)', { IpAddress: { 'acs:SourceIp': '10.0.0.01' } }, 'IP address or CIDR'],
  ])('refuses %s', (_why, condition, reason) => {
    expect(verdict(stmt({ Condition: condition }))).toContain(reason);
  });

  it('accepts every documented operator with a well-typed value', () => {
    const sample: Record<string, string> = { String: 'x', Numeric: '10', Date: '2026-01-01T00:00:00Z', Bool: 'true', IpAddress: '10.0.0.0/8', NotIpAddress: '2001:db8::/32' };
    for (const op of CONDITION_OPERATORS) {
      const family = Object.keys(sample).find((f) => op.startsWith(f)) ?? 'String';
      const text = stmt({ Condition: { [op]: { 'acs:SomeKey': sample[family] } } });
      expect([op, verdict(text)]).toEqual([op, 'accepted']);
    }
    expect(CONDITION_OPERATORS).toHaveLength(21 + 6);
  });
});

describe('trust policies', () => {
  it.each([
    ['no Principal', { Effect: 'Allow', Action: 'sts:AssumeRole' }, 'needs a Principal'],
    ['an empty Principal', { Effect: 'Allow', Action: 'sts:AssumeRole', Principal: {} }, 'at least one principal'],
    ['Principal "*" (stricter: not documented)', { Effect: 'Allow', Action: 'sts:AssumeRole', Principal: '*' }, 'must be an object'],
    ['an unknown principal type', { Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { AWS: ['x'] } }, 'Principal.AWS: unknown principal type'],
    ['a bare account id (stricter: not documented)', { Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { RAM: ['1879324520397241'] } }, 'Principal.RAM[0]'],
    ['a wildcard account', { Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { RAM: ['acs:ram::*:root'] } }, 'Principal.RAM[0]'],
    ['a wildcard user', { Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { RAM: ['acs:ram::1879324520397241:user/*'] } }, 'Principal.RAM[0]'],
    ['a group (not a documented principal)', { Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { RAM: ['acs:ram::1879324520397241:group/g'] } }, 'Principal.RAM[0]'],
    ['a region in the ARN', { Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { RAM: ['acs:ram:cn-hangzhou:1879324520397241:root'] } }, 'Principal.RAM[0]'],
    ['an empty RAM list', { Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { RAM: [] } }, 'must not be empty'],
    ['a service that is not *.aliyuncs.com', { Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { Service: ['lambda.amazonaws.com'] } }, 'Principal.Service[0]'],
    ['an upper-case service name (stricter)', { Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { Service: ['FC.aliyuncs.com'] } }, 'Principal.Service[0]'],
    ['an OIDC provider (stricter: not in the pages consulted)', { Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { Federated: ['acs:ram::1879324520397241:oidc-provider/p'] } }, 'Principal.Federated[0]'],
  ])('refuses %s', (_why, s, reason) => {
    expect(verdict(withStatement(s), 'trust')).toContain(reason);
  });

  it('allows a trust statement without Resource, but checks one if present', () => {
    expect(verdict(trustStmt({}), 'trust')).toBe('accepted');
    expect(verdict(trustStmt({ Resource: 'acs:ram::1511928242963727:role/r' }), 'trust')).toBe('accepted');
    expect(verdict(trustStmt({ Resource: 'role/r' }), 'trust')).toContain('Statement[0].Resource[0]');
  });

  it('a session policy follows the identity grammar', () => {
    expect(verdict('{"Version":"1","Statement":[{"Effect":"Allow","Action":"ecs:Describe*","Resource":"*"}]}', 'session')).toBe('accepted');
    expect(verdict(trustStmt({}), 'session')).toContain('Principal belongs only in a trust policy');
  });
});

describe('limits are exported for the callers to enforce', () => {
  it('has the documented numbers', () => {
    expect(POLICY_LIMITS).toEqual({ customPolicyChars: 6144, sessionPolicyChars: 2048, trustPolicyChars: 2048 });
  });

  it('the engine itself does not enforce them', () => {
    const long = JSON.stringify({ Version: '1', Statement: [{ Effect: 'Allow', Action: Array.from({ length: 700 }, (_, i) => `ecs:Describe${i}`), Resource: '*' }] });
    expect(long.length).toBeGreaterThan(POLICY_LIMITS.customPolicyChars);
    expect(verdict(long)).toBe('accepted');
  });
});

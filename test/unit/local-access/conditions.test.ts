/**
 * Condition operators, one truth table per family, each row decided both in an Allow statement and in
 * a Deny statement. Where the docs settle a row the two columns agree; where they are silent the Allow
 * column takes the narrow reading and the Deny column the broad one (marked "silent").
 * Sources: www.alibabacloud.com/help/en/ram/conditional-operator; Policy elements (Condition: "If the
 * value in a request matches any of the values, the condition is met"; keys ANDed; conditions ANDed).
 */
import type { ConditionContext } from '../../../local/access/policy';
import { allowHolds, BASE_CONTEXT, denyHolds } from './helpers';

type Row = [why: string, condition: Record<string, Record<string, string | string[]>>, context: ConditionContext, inAllow: boolean, inDeny: boolean];

const ctx = (extra: ConditionContext): ConditionContext => ({ ...BASE_CONTEXT, ...extra });

function table(rows: Row[]): void {
  it.each(rows)('%s', (_why, condition, context, inAllow, inDeny) => {
    expect({ allow: allowHolds(condition, context), deny: denyHolds(condition, context) }).toEqual({ allow: inAllow, deny: inDeny });
  });
}

describe('string operators', () => {
  table([
    ['StringEquals matches exactly', { StringEquals: { 'acs:ResourceTag/team': 'dev' } }, ctx({ 'acs:ResourceTag/team': 'dev' }), true, true],
    ['StringEquals is case-sensitive', { StringEquals: { 'acs:ResourceTag/team': 'dev' } }, ctx({ 'acs:ResourceTag/team': 'Dev' }), false, false],
    ['StringEquals: any listed value will do (OR)', { StringEquals: { 'acs:ResourceTag/team': ['ops', 'dev'] } }, ctx({ 'acs:ResourceTag/team': 'dev' }), true, true],
    ['StringEquals: a missing key matches nothing', { StringEquals: { 'acs:ResourceTag/team': 'dev' } }, ctx({}), false, false],
    ['StringEquals: an empty string is a value', { StringEquals: { 'oss:Prefix': '' } }, ctx({ 'oss:Prefix': '' }), true, true],
    ['StringNotEquals: a different value', { StringNotEquals: { 'acs:ResourceTag/team': 'dev' } }, ctx({ 'acs:ResourceTag/team': 'ops' }), true, true],
    ['StringNotEquals: the same value', { StringNotEquals: { 'acs:ResourceTag/team': 'dev' } }, ctx({ 'acs:ResourceTag/team': 'dev' }), false, false],
    ['StringNotEquals holds only if no listed value matches (NOR)', { StringNotEquals: { 'acs:ResourceTag/team': ['dev', 'ops'] } }, ctx({ 'acs:ResourceTag/team': 'ops' }), false, false],
    ['StringNotEquals on a missing key (silent)', { StringNotEquals: { 'acs:ResourceTag/team': 'dev' } }, ctx({}), false, true],
    ['StringEqualsIgnoreCase ignores case', { StringEqualsIgnoreCase: { 'acs:ResourceTag/team': 'DEV' } }, ctx({ 'acs:ResourceTag/team': 'dev' }), true, true],
    ['StringEqualsIgnoreCase still compares the letters', { StringEqualsIgnoreCase: { 'acs:ResourceTag/team': 'dev' } }, ctx({ 'acs:ResourceTag/team': 'devs' }), false, false],
    ['StringNotEqualsIgnoreCase: same letters, other case', { StringNotEqualsIgnoreCase: { 'acs:ResourceTag/team': 'DEV' } }, ctx({ 'acs:ResourceTag/team': 'dev' }), false, false],
    ['StringNotEqualsIgnoreCase: other letters', { StringNotEqualsIgnoreCase: { 'acs:ResourceTag/team': 'dev' } }, ctx({ 'acs:ResourceTag/team': 'ops' }), true, true],
    ['StringNotEqualsIgnoreCase on a missing key (silent)', { StringNotEqualsIgnoreCase: { 'acs:ResourceTag/team': 'dev' } }, ctx({}), false, true],
    ['StringLike: the documented oss:Prefix "hangzhou/2015/*"', { StringLike: { 'oss:Prefix': 'hangzhou/2015/*' } }, ctx({ 'oss:Prefix': 'hangzhou/2015/06/' }), true, true],
    ['StringLike: outside the prefix', { StringLike: { 'oss:Prefix': 'hangzhou/2015/*' } }, ctx({ 'oss:Prefix': 'hangzhou/2016/' }), false, false],
    ['StringLike is case-sensitive', { StringLike: { 'oss:Prefix': 'hangzhou/*' } }, ctx({ 'oss:Prefix': 'Hangzhou/x' }), false, false],
    ['StringLike: ? is one character', { StringLike: { 'oss:Prefix': 'v?' } }, ctx({ 'oss:Prefix': 'v1' }), true, true],
    ['StringLike: ? is not two', { StringLike: { 'oss:Prefix': 'v?' } }, ctx({ 'oss:Prefix': 'v12' }), false, false],
    ['StringLike: a missing key', { StringLike: { 'oss:Prefix': '*' } }, ctx({}), false, false],
    ['StringNotLike: no pattern matches', { StringNotLike: { 'oss:Prefix': ['secret/*', 'private/*'] } }, ctx({ 'oss:Prefix': 'public/a' }), true, true],
    ['StringNotLike: one pattern matches', { StringNotLike: { 'oss:Prefix': ['secret/*', 'private/*'] } }, ctx({ 'oss:Prefix': 'private/a' }), false, false],
    ['StringNotLike on a missing key (silent)', { StringNotLike: { 'oss:Prefix': 'secret/*' } }, ctx({}), false, true],
  ]);
});

describe('numeric operators', () => {
  const n = (op: string, policy: string, request: string | undefined): [Record<string, Record<string, string>>, ConditionContext] =>
    [{ [op]: { 'oss:max-keys': policy } }, ctx(request === undefined ? {} : { 'oss:max-keys': request })];
  const rows: Row[] = [
    ['NumericEquals 10 = 10', ...n('NumericEquals', '10', '10'), true, true],
    ['NumericEquals compares values, not text: 10 = 10.0', ...n('NumericEquals', '10', '10.0'), true, true],
    ['NumericEquals 10 vs 11', ...n('NumericEquals', '10', '11'), false, false],
    ['NumericNotEquals 10 vs 11', ...n('NumericNotEquals', '10', '11'), true, true],
    ['NumericNotEquals 10 vs 10', ...n('NumericNotEquals', '10', '10'), false, false],
    ['NumericNotEquals on a missing key (silent)', ...n('NumericNotEquals', '10', undefined), false, true],
    ['NumericLessThan 9 < 10', ...n('NumericLessThan', '10', '9'), true, true],
    ['NumericLessThan 10 < 10', ...n('NumericLessThan', '10', '10'), false, false],
    ['NumericLessThanEquals 10 <= 10', ...n('NumericLessThanEquals', '10', '10'), true, true],
    ['NumericLessThanEquals 10.5 <= 10', ...n('NumericLessThanEquals', '10', '10.5'), false, false],
    ['NumericGreaterThan 11 > 10', ...n('NumericGreaterThan', '10', '11'), true, true],
    ['NumericGreaterThan -1 > 0', ...n('NumericGreaterThan', '0', '-1'), false, false],
    ['NumericGreaterThanEquals 10 >= 10', ...n('NumericGreaterThanEquals', '10', '10'), true, true],
    ['NumericGreaterThanEquals 9.99 >= 10', ...n('NumericGreaterThanEquals', '10', '9.99'), false, false],
    ['NumericLessThan on a missing key', ...n('NumericLessThan', '10', undefined), false, false],
    ['a request value that is no number (silent)', ...n('NumericLessThan', '10', 'ten'), false, true],
    ['NumericNotEquals on a request value that is no number (silent)', ...n('NumericNotEquals', '10', 'ten'), false, true],
  ];
  table(rows);
});

describe('date operators (acs:CurrentTime is 2026-03-01T12:00:00Z)', () => {
  const d = (op: string, policy: string): [Record<string, Record<string, string>>, ConditionContext] => [{ [op]: { 'acs:CurrentTime': policy } }, BASE_CONTEXT];
  const rows: Row[] = [
    ['DateLessThan a later time', ...d('DateLessThan', '2026-03-01T12:00:01Z'), true, true],
    ['DateLessThan the same time', ...d('DateLessThan', '2026-03-01T12:00:00Z'), false, false],
    ['DateLessThan honours the zone: 20:00+08:00 is 12:00Z', ...d('DateLessThan', '2026-03-01T20:00:00+08:00'), false, false],
    ['DateLessThan honours the zone: 20:00:01+08:00', ...d('DateLessThan', '2026-03-01T20:00:01+08:00'), true, true],
    ['DateLessThanEquals the same time', ...d('DateLessThanEquals', '2026-03-01T12:00:00Z'), true, true],
    ['DateGreaterThan an earlier time', ...d('DateGreaterThan', '2026-03-01T11:59:59Z'), true, true],
    ['DateGreaterThan the same time', ...d('DateGreaterThan', '2026-03-01T12:00:00Z'), false, false],
    ['DateGreaterThanEquals the same time', ...d('DateGreaterThanEquals', '2026-03-01T12:00:00Z'), true, true],
    ['DateEquals the same instant written in another zone', ...d('DateEquals', '2026-03-01T07:00:00-05:00'), true, true],
    ['DateEquals another instant', ...d('DateEquals', '2026-03-01T12:00:00.001Z'), false, false],
    ['DateNotEquals another instant', ...d('DateNotEquals', '2026-03-01T12:00:00.001Z'), true, true],
    ['DateNotEquals the same instant', ...d('DateNotEquals', '2026-03-01T12:00:00Z'), false, false],
    ['DateLessThan with several values: any one will do', { DateLessThan: { 'acs:CurrentTime': ['2020-01-01T00:00:00Z', '2030-01-01T00:00:00Z'] } }, BASE_CONTEXT, true, true],
    ['DateLessThan with no acs:CurrentTime in the request', { DateLessThan: { 'acs:CurrentTime': '2030-01-01T00:00:00Z' } }, {}, false, false],
    ['DateNotEquals with no acs:CurrentTime (silent)', { DateNotEquals: { 'acs:CurrentTime': '2030-01-01T00:00:00Z' } }, {}, false, true],
    ['a request time that is no ISO 8601 instant (silent)', { DateLessThan: { 'acs:CurrentTime': '2030-01-01T00:00:00Z' } }, { 'acs:CurrentTime': 'Sun, 01 Mar 2026 12:00:00 GMT' }, false, true],
    ['DateLessThanIfExists: the key is present and the test fails', ...d('DateLessThanIfExists', '2020-01-01T00:00:00Z'), false, false],
    ['DateLessThanIfExists: the key is present and the test holds', ...d('DateLessThanIfExists', '2030-01-01T00:00:00Z'), true, true],
    ['DateLessThanIfExists: the key is missing', { DateLessThanIfExists: { 'acs:CurrentTime': '2020-01-01T00:00:00Z' } }, {}, true, true],
    ['DateGreaterThanIfExists: the key is missing', { DateGreaterThanIfExists: { 'acs:CurrentTime': '2030-01-01T00:00:00Z' } }, {}, true, true],
    ['DateNotEqualsIfExists: the key is missing', { DateNotEqualsIfExists: { 'acs:CurrentTime': '2030-01-01T00:00:00Z' } }, {}, true, true],
    ['DateEqualsIfExists: present and equal', ...d('DateEqualsIfExists', '2026-03-01T12:00:00Z'), true, true],
    ['DateLessThanEqualsIfExists and DateGreaterThanEqualsIfExists bracket the instant', { DateLessThanEqualsIfExists: { 'acs:CurrentTime': '2026-03-01T12:00:00Z' }, DateGreaterThanEqualsIfExists: { 'acs:CurrentTime': '2026-03-01T12:00:00Z' } }, BASE_CONTEXT, true, true],
  ];
  table(rows);
});

describe('Bool', () => {
  table([
    ['Bool acs:SecureTransport "true" over HTTPS', { Bool: { 'acs:SecureTransport': 'true' } }, ctx({ 'acs:SecureTransport': 'true' }), true, true],
    ['Bool acs:SecureTransport "true" over HTTP', { Bool: { 'acs:SecureTransport': 'true' } }, ctx({ 'acs:SecureTransport': 'false' }), false, false],
    ['Bool acs:SecureTransport "false" over HTTP', { Bool: { 'acs:SecureTransport': 'false' } }, ctx({ 'acs:SecureTransport': 'false' }), true, true],
    ['Bool acs:MFAPresent with no MFA information', { Bool: { 'acs:MFAPresent': 'true' } }, ctx({}), false, false],
    ['Bool "false" with no MFA information: a missing key is not "false"', { Bool: { 'acs:MFAPresent': 'false' } }, ctx({}), false, false],
    ['Bool on a request value "TRUE" (silent: not a boolean)', { Bool: { 'acs:MFAPresent': 'true' } }, ctx({ 'acs:MFAPresent': 'TRUE' }), false, true],
  ]);
});

describe('IP address operators', () => {
  const docList = ['192.0.2.0/24', '203.0.113.2'];
  table([
    ['IpAddress: inside the documented block', { IpAddress: { 'acs:SourceIp': docList } }, ctx({ 'acs:SourceIp': '192.0.2.44' }), true, true],
    ['IpAddress: the documented single address', { IpAddress: { 'acs:SourceIp': docList } }, ctx({ 'acs:SourceIp': '203.0.113.2' }), true, true],
    ['IpAddress: elsewhere', { IpAddress: { 'acs:SourceIp': docList } }, ctx({ 'acs:SourceIp': '198.51.100.1' }), false, false],
    ['IpAddress: an IPv6 client against an IPv6 block', { IpAddress: { 'acs:SourceIp': '2001:db8::/32' } }, ctx({ 'acs:SourceIp': '2001:db8::7' }), true, true],
    ['IpAddress: an IPv4-mapped client address', { IpAddress: { 'acs:SourceIp': '127.0.0.1' } }, ctx({ 'acs:SourceIp': '::ffff:127.0.0.1' }), true, true],
    ['IpAddress: no source address', { IpAddress: { 'acs:SourceIp': docList } }, {}, false, false],
    ['IpAddress: a source that is no address (silent)', { IpAddress: { 'acs:SourceIp': '0.0.0.0/0' } }, ctx({ 'acs:SourceIp': 'unknown' }), false, true],
    ['NotIpAddress: elsewhere', { NotIpAddress: { 'acs:SourceIp': docList } }, ctx({ 'acs:SourceIp': '198.51.100.1' }), true, true],
    ['NotIpAddress: inside one of the listed blocks (NOR, per the documented Deny example)', { NotIpAddress: { 'acs:SourceIp': docList } }, ctx({ 'acs:SourceIp': '203.0.113.2' }), false, false],
    ['NotIpAddress: no source address (silent)', { NotIpAddress: { 'acs:SourceIp': docList } }, {}, false, true],
  ]);
});

describe('combining conditions', () => {
  table([
    ['two keys under one operator: both hold (AND)', { StringEquals: { 'acs:ResourceTag/team': 'dev', 'acs:ResourceTag/env': 'test' } }, ctx({ 'acs:ResourceTag/team': 'dev', 'acs:ResourceTag/env': 'test' }), true, true],
    ['two keys under one operator: one fails', { StringEquals: { 'acs:ResourceTag/team': 'dev', 'acs:ResourceTag/env': 'test' } }, ctx({ 'acs:ResourceTag/team': 'dev', 'acs:ResourceTag/env': 'prod' }), false, false],
    ['two operators: both hold (AND)', { Bool: { 'acs:SecureTransport': 'true' }, IpAddress: { 'acs:SourceIp': '203.0.113.0/24' } }, BASE_CONTEXT, true, true],
    ['two operators: one fails', { Bool: { 'acs:SecureTransport': 'true' }, IpAddress: { 'acs:SourceIp': '192.0.2.0/24' } }, BASE_CONTEXT, false, false],
    ['a request key with several values, all acceptable', { StringEquals: { 'acs:TagKeys': ['team', 'env'] } }, ctx({ 'acs:TagKeys': ['team', 'env'] }), true, true],
    ['a request key with several values, one not listed (silent)', { StringEquals: { 'acs:TagKeys': ['team', 'env'] } }, ctx({ 'acs:TagKeys': ['team', 'owner'] }), false, true],
    ['a request key given as an empty list is missing', { StringEquals: { 'acs:TagKeys': 'team' } }, ctx({ 'acs:TagKeys': [] }), false, false],
    ['a request key given as undefined is missing', { StringNotEquals: { 'acs:TagKeys': 'team' } }, ctx({ 'acs:TagKeys': undefined }), false, true],
  ]);
});

describe('condition key names', () => {
  table([
    ['the canonical spelling', { DateLessThan: { 'acs:CurrentTime': '2030-01-01T00:00:00Z' } }, BASE_CONTEXT, true, true],
    ['another case in the policy (silent): only a Deny reaches the key', { DateLessThan: { 'ACS:currenttime': '2030-01-01T00:00:00Z' } }, BASE_CONTEXT, false, true],
    ['another case in the request (silent)', { StringEquals: { 'sts:ExternalId': 'abcd1234' } }, { 'STS:EXTERNALID': 'abcd1234' }, false, true],
    ['the exact spelling wins over another case in the request', { StringEquals: { 'sts:ExternalId': 'abcd1234' } }, { 'sts:ExternalId': 'abcd1234', 'STS:EXTERNALID': 'other' }, true, true],
    ['a key of another prefix is another key', { StringEquals: { 'oss:ExternalId': 'abcd1234' } }, { 'sts:ExternalId': 'abcd1234' }, false, false],
  ]);
});

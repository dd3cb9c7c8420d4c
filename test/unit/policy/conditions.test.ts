/**
 * Condition values as `config check` sees them: parsePolicyDocument refuses a value its operator
 * cannot compare, at the value's path, so a malformed Custom policy fails before any approval
 * instead of at CreatePolicy during provisioning.
 *
 * The documented grammar (sources in shared/policy/conditions.ts):
 * - Policy structure and syntax, www.alibabacloud.com/help/doc-detail/28664.htm: "If an element value
 *   is a number or Boolean, it must be enclosed by using double quotation marks" (so 3 and true are refused);
 * - the time-of-day use case: "ISO 8601 format (such as YYYY-MM-DDThh:mm:ssZ or YYYY-MM-DDThh:mm:ss+hh:mm)"
 *   and the Date operators' "IfExists" variants;
 * - Validate policies, help.aliyun.com/en/ram/permission-policy-check: keys are <ram-code>:<condition-key>.
 */
import { ValidationError } from '../../../shared/domain/errors';
import { parsePolicyDocument } from '../../../shared/policy/policy-document';

const withCondition = (operator: string, value: unknown): unknown => ({
  Version: '1',
  Statement: [{ Effect: 'Deny', Action: '*', Resource: '*', Condition: { [operator]: { 'k:v': value } } }],
});

/** The field of the INVALID_POLICY error, or undefined if the document is accepted. */
function refusedAt(operator: string, value: unknown): string | undefined {
  try {
    parsePolicyDocument(withCondition(operator, value));
    return undefined;
  } catch (e) {
    expect(e).toBeInstanceOf(ValidationError);
    expect((e as ValidationError).code).toBe('INVALID_POLICY');
    return (e as ValidationError).field;
  }
}

const AT = 'policyDocument.Statement[0].Condition';

describe('Date values', () => {
  it.each([
    '2026-11-29T12:00:00Z', '2026-11-29T20:00:00+08:00', '2026-11-29T07:30:00-04:30', '2024-02-29T00:00:00Z', '2019-08-12T17:00:00+08:00',
  ])('accepts %s', (text) => {
    expect(refusedAt('DateGreaterThan', text)).toBeUndefined();
  });

  it.each([
    // Without a time or a zone: not the documented YYYY-MM-DDThh:mm:ssZ / +hh:mm forms.
    '2026-11-29', '2026-11-29T12:00', '2026-11-29T12:00:00', '2026-11-29T07:30:00-0430', '2026-11-29T12:00:00.5Z',
    '2026-02-29T00:00:00Z', '2026-11-31T00:00:00Z', '2026-11-29T24:00:00Z', '2026-11-29T12:60:00Z', '2026-11-29 12:00:00Z',
    'Sun, 29 Nov 2026 12:00:00 GMT', '1764417600', '', '2026-11-29T12:00:00+25:00', '2026-13-01T00:00:00Z', '2026-11-29t12:00:00z',
  ])('refuses %j', (text) => {
    expect(refusedAt('DateLessThan', text)).toBe(`${AT}.DateLessThan.k:v`);
  });

  it.each(['DateEqualsIfExists', 'DateNotEqualsIfExists', 'DateLessThanIfExists', 'DateLessThanEqualsIfExists', 'DateGreaterThanIfExists', 'DateGreaterThanEqualsIfExists'])(
    'accepts the documented IfExists variant %s, with the same value check',
    (op) => {
      expect(refusedAt(op, '2019-08-12T17:00:00+08:00')).toBeUndefined();
      expect(refusedAt(op, '2019-08-12')).toBe(`${AT}.${op}.k:v`);
    },
  );
});

describe('IP values', () => {
  it.each(['10.0.0.0/8', '192.168.1.7', '0.0.0.0/0', '2001:db8::/32', '::ffff:0:0/96', '::ffff:10.0.0.1', '::1.2.3.4', '::', '1:2:3:4:5:6:7:8'])('accepts %s', (text) => {
    expect(refusedAt('IpAddress', text)).toBeUndefined();
  });

  it.each(['10.0.0.0/33', '256.0.0.1', '1.2.3', '010.0.0.1', '1::2::3', '2001:db8::/129', '10.0.0.0/8/1', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7::8', '::ffff:10.0.0.256', 'not-an-ip', ' 10.0.0.1', '10.0.0.0/8 ', '10.0.0.0/08'])('refuses %s', (text) => {
    expect(refusedAt('NotIpAddress', text)).toBe(`${AT}.NotIpAddress.k:v`);
  });

  it('names the offending entry of a list', () => {
    expect(refusedAt('IpAddress', ['10.0.0.0/8', '10.0.0.0/33'])).toBe(`${AT}.IpAddress.k:v[1]`);
  });
});

describe('Numeric, Bool and String values', () => {
  it.each([['NumericLessThan', '10'], ['NumericEquals', '2.5'], ['NumericEquals', '-0.5'], ['NumericEquals', '0'], ['Bool', 'true'], ['Bool', 'false'], ['Bool', ['true']], ['StringLike', 'a*?'], ['StringEquals', '']])('accepts %s %j', (op, value) => {
    expect(refusedAt(op, value)).toBeUndefined();
  });

  it.each([
    ['NumericLessThan', 'ten'], ['NumericEquals', '1e3'], ['NumericEquals', '0x10'], ['NumericEquals', '.5'], ['NumericEquals', '5.'], ['NumericEquals', '007'], ['NumericEquals', '+1'], ['NumericEquals', ' 3'],
    ['Bool', 'yes'], ['Bool', 'TRUE'], ['Bool', 'False'],
  ])('refuses %s %j', (op, value) => {
    expect(refusedAt(op, value)).toBe(`${AT}.${String(op)}.k:v`);
  });

  // Policy structure and syntax (doc-detail/28664): numbers and Booleans "must be enclosed by using double quotation marks".
  it.each([['NumericEquals', 3], ['NumericLessThan', 2.5], ['Bool', true], ['Bool', false], ['Bool', 1], ['StringEquals', 7], ['DateLessThan', 1764417600]])('refuses the unquoted %s %j', (op, value) => {
    expect(refusedAt(op, value)).toBe(`${AT}.${String(op)}.k:v`);
  });

  it('refuses an unquoted value inside a list at its index', () => {
    expect(refusedAt('NumericEquals', ['1', 2])).toBe(`${AT}.NumericEquals.k:v[1]`);
  });

  it('refuses null and objects as values', () => {
    expect(refusedAt('StringEquals', null)).toBe(`${AT}.StringEquals.k:v`);
    expect(refusedAt('StringEquals', [{}])).toBe(`${AT}.StringEquals.k:v[0]`);
  });

  // Validate policies: "Invalid condition multiple Boolean".
  it('refuses two Boolean values for one key', () => {
    expect(refusedAt('Bool', ['true', 'false'])).toBe(`${AT}.Bool.k:v`);
  });
});

describe('condition keys', () => {
  const keyed = (key: string): string | undefined => {
    try {
      parsePolicyDocument({ Version: '1', Statement: [{ Effect: 'Deny', Action: '*', Resource: '*', Condition: { StringEquals: { [key]: 'x' } } }] });
      return undefined;
    } catch (e) {
      return (e as ValidationError).field;
    }
  };

  it.each(['acs:CurrentTime', 'sts:ExternalId', 'oss:Prefix', 'acs:ResourceTag/team', 'yundun-sas:Tag'])('accepts %s', (key) => {
    expect(keyed(key)).toBeUndefined();
  });

  // Validate policies: "Invalid condition key format" — <ram-code>:<condition-key>.
  it.each(['ExternalId', 'CurrentTime', ':CurrentTime', 'acs:', 'acs: Current', 'a c s:x', ''])('refuses %j', (key) => {
    expect(keyed(key)).toBe(`${AT}.StringEquals.${key}`);
  });
});

describe('operator names', () => {
  it.each(['StringMaybe', 'toString', 'constructor', '__proto__', 'stringequals'])('refuses %s', (op) => {
    const text = `{"Version":"1","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"${op}":{"k:v":"x"}}}]}`;
    expect(() => parsePolicyDocument(text)).toThrow(ValidationError);
  });
});

/**
 * Condition values as `config check` sees them: parsePolicyDocument refuses a value its operator
 * cannot compare, at the value's path, so a malformed Custom policy fails before any approval
 * instead of at CreatePolicy during provisioning.
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
    '2026-11-29T12:00:00Z', '2026-11-29T20:00:00+08:00', '2026-11-29T07:30:00-0430', '2026-11-29T12:00:00.5Z',
    '2026-11-29T12:00', '2026-11-29', '2024-02-29T00:00:00Z',
  ])('accepts %s', (text) => {
    expect(refusedAt('DateGreaterThan', text)).toBeUndefined();
  });

  it.each([
    '2026-02-29', '2026-11-31T00:00:00Z', '2026-11-29T24:00:00Z', '2026-11-29T12:60:00Z', '2026-11-29 12:00:00Z',
    'Sun, 29 Nov 2026 12:00:00 GMT', '1764417600', '', '2026-11-29T12:00:00+25:00', '2026-13-01T00:00:00Z',
  ])('refuses %j', (text) => {
    expect(refusedAt('DateLessThan', text)).toBe(`${AT}.DateLessThan.k:v`);
  });
});

describe('IP values', () => {
  it.each(['10.0.0.0/8', '192.168.1.7', '0.0.0.0/0', '2001:db8::/32', '::ffff:0:0/96', '::ffff:10.0.0.1', '::1.2.3.4', '::', '1:2:3:4:5:6:7:8'])('accepts %s', (text) => {
    expect(refusedAt('IpAddress', text)).toBeUndefined();
  });

  it.each(['10.0.0.0/33', '256.0.0.1', '1.2.3', '010.0.0.1', '1::2::3', '2001:db8::/129', '10.0.0.0/8/1', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7::8', '::ffff:10.0.0.256', 'not-an-ip'])('refuses %s', (text) => {
    expect(refusedAt('NotIpAddress', text)).toBe(`${AT}.NotIpAddress.k:v`);
  });

  it('names the offending entry of a list', () => {
    expect(refusedAt('IpAddress', ['10.0.0.0/8', '10.0.0.0/33'])).toBe(`${AT}.IpAddress.k:v[1]`);
  });
});

describe('Numeric, Bool and String values', () => {
  it.each([['NumericLessThan', '10'], ['NumericEquals', 2.5], ['NumericEquals', '-0.5'], ['Bool', true], ['Bool', 'FALSE'], ['StringLike', 'a*?'], ['StringEquals', '']])('accepts %s %j', (op, value) => {
    expect(refusedAt(op, value)).toBeUndefined();
  });

  it.each([['NumericLessThan', 'ten'], ['NumericEquals', '1e3'], ['NumericEquals', '0x10'], ['Bool', 'yes'], ['Bool', 1]])('refuses %s %j', (op, value) => {
    expect(refusedAt(op, value)).toBe(`${AT}.${String(op)}.k:v`);
  });
});

describe('operator names', () => {
  it.each(['StringMaybe', 'toString', 'constructor', '__proto__', 'stringequals'])('refuses %s', (op) => {
    const text = `{"Version":"1","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"${op}":{"k:v":"x"}}}]}`;
    expect(() => parsePolicyDocument(text)).toThrow(ValidationError);
  });
});

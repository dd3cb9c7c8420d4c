import { conditionValueProblem, ipInCidr, matchesWildcard, parseCidr, parseIsoDate, testCondition } from '../../../shared/policy';

describe('parseIsoDate', () => {
  it.each([
    ['2026-11-29T12:00:00Z', Date.UTC(2026, 10, 29, 12)],
    ['2026-11-29T20:00:00+08:00', Date.UTC(2026, 10, 29, 12)],
    ['2026-11-29T07:30:00-0430', Date.UTC(2026, 10, 29, 12)],
    ['2026-11-29T12:00:00.5Z', Date.UTC(2026, 10, 29, 12, 0, 0, 500)],
    // No offset: UTC, never the host's zone.
    ['2026-11-29T12:00', Date.UTC(2026, 10, 29, 12)],
    ['2026-11-29', Date.UTC(2026, 10, 29)],
    ['2024-02-29T00:00:00Z', Date.UTC(2024, 1, 29)],
  ])('%s', (text, ms) => {
    expect(parseIsoDate(text)).toBe(ms);
  });

  it.each(['2026-02-29', '2026-11-31T00:00:00Z', '2026-11-29T24:00:00Z', '2026-11-29 12:00:00Z', 'Sun, 29 Nov 2026 12:00:00 GMT', '1764417600', '', '2026-11-29T12:00:00+25:00'])('rejects %j', (text) => {
    expect(parseIsoDate(text)).toBeUndefined();
  });
});

describe('IP addresses', () => {
  it.each([
    ['10.1.2.3', '10.0.0.0/8', true],
    ['10.1.2.3', '10.1.2.3', true],
    ['10.1.2.4', '10.1.2.3/32', false],
    ['1.2.3.4', '0.0.0.0/0', true],
    ['2001:db8::1', '2001:db8::/32', true],
    ['2001:db9::1', '2001:db8::/32', false],
    ['::ffff:10.0.0.1', '::ffff:0:0/96', true],
    // An IPv4 request never matches an IPv6 block and vice versa.
    ['10.0.0.1', '::/0', false],
    ['010.0.0.1', '10.0.0.0/8', false],
    ['10.0.0.0/8', '10.0.0.0/8', false],
    ['not-an-ip', '0.0.0.0/0', false],
  ])('%s in %s → %s', (ip, cidr, expected) => {
    expect(ipInCidr(ip, cidr)).toBe(expected);
  });

  it.each(['10.0.0.0/33', '256.0.0.1', '1.2.3', '1::2::3', '2001:db8::/129', '10.0.0.0/8/1'])('rejects CIDR %s', (text) => {
    expect(parseCidr(text)).toBeUndefined();
  });
});

describe('matchesWildcard', () => {
  it('treats regex syntax literally and spans any characters with *', () => {
    expect(matchesWildcard('a.b', 'axb')).toBe(false);
    expect(matchesWildcard('a(b)+', 'a(b)+')).toBe(true);
    expect(matchesWildcard('a*z', 'a\nz')).toBe(true);
    expect(matchesWildcard('ab?', 'abé')).toBe(true);
    expect(matchesWildcard('ECS:*', 'ecs:x', true)).toBe(true);
    expect(matchesWildcard('ECS:*', 'ecs:x')).toBe(false);
  });
});

describe('testCondition and conditionValueProblem', () => {
  it('missing key: positive fails, negated holds', () => {
    expect(testCondition('StringEquals', ['a'], undefined)).toBe(false);
    expect(testCondition('StringNotEquals', ['a'], undefined)).toBe(true);
    expect(testCondition('NotIpAddress', ['10.0.0.0/8'], [])).toBe(true);
  });

  it('unknown operators never hold and are reported', () => {
    expect(testCondition('StringMaybe', ['a'], ['a'])).toBe(false);
    // Names inherited from Object.prototype are not operators either.
    expect(testCondition('toString', ['a'], ['a'])).toBe(false);
    expect(conditionValueProblem('constructor', 'a')).toMatch(/unknown/);
    expect(conditionValueProblem('StringMaybe', 'a')).toMatch(/unknown/);
    expect(conditionValueProblem('NumericEquals', '1e3')).toMatch(/not a number/);
    expect(conditionValueProblem('DateEquals', '2026-11-29')).toBeUndefined();
  });
});

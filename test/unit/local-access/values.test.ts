/** Typed condition values: ISO 8601 instants, decimal numbers, booleans, IPv4/IPv6 addresses and blocks. */
import { blockContains, compareInstants, parseBool, parseInstant, parseIpAddress, parseIpBlock, parseNumber } from '../../../local/access/policy/values';

const at = (s: string) => {
  const v = parseInstant(s);
  if (v === undefined) throw new Error(`not an instant: ${s}`);
  return v;
};

describe('instants', () => {
  it('reads the documented forms: ...Z and ...+hh:mm', () => {
    // "2019-08-12T17:00:00+08:00" (time-of-day page) is 09:00 UTC the same day.
    expect(compareInstants(at('2019-08-12T17:00:00+08:00'), at('2019-08-12T09:00:00Z'))).toBe(0);
    expect(compareInstants(at('2012-11-11T23:59:59Z'), at('2012-11-12T00:00:00Z'))).toBeLessThan(0);
  });

  it('matches Date.parse for ordinary dates', () => {
    for (const s of ['1970-01-01T00:00:00Z', '2000-02-29T12:34:56Z', '2026-12-31T23:59:59-05:30', '1999-01-01T00:00:00+14:00']) {
      expect(at(s).seconds).toBe(Date.parse(s) / 1000);
    }
  });

  it('keeps fractions exact, beyond milliseconds', () => {
    expect(compareInstants(at('2026-01-01T00:00:00.0000001Z'), at('2026-01-01T00:00:00Z'))).toBeGreaterThan(0);
    expect(compareInstants(at('2026-01-01T00:00:00.5Z'), at('2026-01-01T00:00:00.500Z'))).toBe(0);
  });

  it.each(['2019-08-12', '2019-08-12T17:00:00', '2019-8-12T17:00:00Z', '2019-08-12 17:00:00Z', '2019-08-12t17:00:00z', '2019-13-01T00:00:00Z',
    '2019-00-01T00:00:00Z', '2019-02-29T00:00:00Z', '2019-04-31T00:00:00Z', '2019-01-01T24:00:00Z', '2019-01-01T00:60:00Z', '2019-01-01T00:00:60Z',
    '2019-01-01T00:00:00+2400', '2019-01-01T00:00:00+24:00', '2019-01-01T00:00:00.Z', '1565600400', '', 'now'])('refuses %j', (s) => {
    expect(parseInstant(s)).toBeUndefined();
  });

  it('knows leap years', () => {
    expect(parseInstant('2024-02-29T00:00:00Z')).toBeDefined();
    expect(parseInstant('2000-02-29T00:00:00Z')).toBeDefined();
    expect(parseInstant('1900-02-29T00:00:00Z')).toBeUndefined();
  });
});

describe('numbers and booleans', () => {
  it.each([['10', 10], ['-3', -3], ['2.5', 2.5], ['0', 0], ['0.25', 0.25]])('reads %j', (s, n) => expect(parseNumber(s)).toBe(n));
  it.each(['', '+1', '1e3', '01', '1.', '.5', ' 1', '0x10', 'NaN', 'Infinity', '1,000'])('refuses %j', (s) => expect(parseNumber(s)).toBeUndefined());
  it('booleans are lowercase true/false only', () => {
    expect(parseBool('true')).toBe(true);
    expect(parseBool('false')).toBe(false);
    for (const s of ['True', 'FALSE', '1', '0', 'yes', '']) expect(parseBool(s)).toBeUndefined();
  });
});

describe('IP addresses and blocks', () => {
  const ip = (s: string) => {
    const v = parseIpAddress(s);
    if (v === undefined) throw new Error(`not an address: ${s}`);
    return v;
  };
  const block = (s: string) => {
    const v = parseIpBlock(s);
    if (v === undefined) throw new Error(`not a block: ${s}`);
    return v;
  };

  it.each([
    ['192.0.2.0/24', '192.0.2.0', true],
    ['192.0.2.0/24', '192.0.2.255', true],
    ['192.0.2.0/24', '192.0.3.0', false],
    ['203.0.113.2', '203.0.113.2', true],
    ['203.0.113.2', '203.0.113.3', false],
    ['10.0.0.1/32', '10.0.0.1', true],
    ['0.0.0.0/0', '198.51.100.9', true],
    ['192.0.2.77/24', '192.0.2.1', true], // host bits in the block are masked off
    ['2001:db8::/32', '2001:db8:ffff::1', true],
    ['2001:db8::/32', '2001:db9::1', false],
    ['::1', '::1', true],
    ['::/0', '2001:db8::1', true],
    ['::/0', '192.0.2.1', false], // families never mix
    ['0.0.0.0/0', '2001:db8::1', false],
    ['127.0.0.1', '::ffff:127.0.0.1', true], // a dual-stack socket's view of an IPv4 peer
    ['10.0.0.0/8', '::ffff:10.1.2.3', true],
    ['2001:0db8:85a3:0000:0000:8a2e:0370:7334', '2001:db8:85a3::8a2e:370:7334', true],
  ])('%s contains %s: %s', (b, a, expected) => {
    expect(blockContains(block(b), ip(a))).toBe(expected);
  });

  it.each(['', '1.2.3', '1.2.3.4.5', '256.0.0.1', '01.2.3.4', '1.2.3.-1', '1.2.3.4/8', ':::', '1::2::3', '2001:db8::g', '12345::', '1:2:3:4:5:6:7:8:9',
    '1:2:3:4:5:6:7', 'fe80::1%eth0', '1.2.3.4::', 'localhost'])('refuses the address %j', (s) => {
    expect(parseIpAddress(s)).toBeUndefined();
  });

  it.each(['1.2.3.4/', '1.2.3.4/33', '1.2.3.4/-1', '1.2.3.4/08', '::/129', '1.2.3.4/8/8', '/8'])('refuses the block %j', (s) => {
    expect(parseIpBlock(s)).toBeUndefined();
  });

  it('reads IPv6 forms with :: anywhere and an IPv4 tail', () => {
    expect(ip('::').bits).toBe(0n);
    expect(ip('1::').bits).toBe(1n << 112n);
    expect(ip('::ffff:1.2.3.4')).toEqual({ family: 4, bits: 0x01020304n, prefix: 32 });
    expect(ip('64:ff9b::192.0.2.33').family).toBe(6);
  });
});

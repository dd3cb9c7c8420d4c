/**
 * The typed values that condition operators compare: numbers, ISO-8601 instants, booleans and
 * IP addresses / CIDR blocks. Each parser returns undefined for anything it does not accept, so
 * the grammar check can refuse bad policy values and the evaluator can spot bad request values.
 *
 * Sources (conditional operators, and the examples that use them):
 * - www.alibabacloud.com/help/en/ram/conditional-operator: five families (string, number,
 *   date and time, Boolean, IP address).
 * - www.alibabacloud.com/help/en/ram/use-cases/use-ram-to-limit-the-period-of-time-in-which-users-are-allowed-to-access-alibaba-cloud-resources:
 *   "The time must be specified in ISO 8601 format (such as YYYY-MM-DDThh:mm:ssZ or YYYY-MM-DDThh:mm:ss+hh:mm)".
 * - Policy elements (AlibabaCloudDocs/ram, intl.en-US/Policy Management/Policy language/Policy elements.md):
 *   acs:CurrentTime "in the ISO 8601 standard, for example, 2012-11-11T23:59:59Z".
 * - help.aliyun.com/en/ram/access-alibaba-cloud-resources-by-using-a-specific-ip-address-or-cidr-block
 *   and the KMS condition-key page (IPv6 client addresses): IP addresses and CIDR blocks.
 *
 * Where the docs are silent the parsers are narrow (stricter): no date without a time or a zone,
 * no epoch numbers, no exponent or leading '+' on numbers, booleans only as lowercase "true"/"false",
 * no leading zeros in IPv4 octets (they read as octal elsewhere), no IPv6 zone ids.
 */

/** An instant as whole seconds since the epoch plus nanoseconds, so fractions compare exactly. */
interface Instant {
  readonly seconds: number;
  readonly nanos: number;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:(Z)|([+-])(\d{2}):(\d{2}))$/;

/** Days from 1970-01-01 to a proleptic Gregorian date (H. Hinnant's days_from_civil). */
function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(m) ? 30 : 31;
}

export function parseInstant(s: string): Instant | undefined {
  const m = DATE.exec(s);
  if (!m) return undefined;
  const [y, mo, d, h, mi, se] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number) as [number, number, number, number, number, number];
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h > 23 || mi > 59 || se > 59) return undefined;
  let offset = 0;
  if (m[8] === undefined) {
    const oh = Number(m[10]);
    const om = Number(m[11]);
    if (oh > 23 || om > 59) return undefined;
    offset = (oh * 3600 + om * 60) * (m[9] === '-' ? -1 : 1);
  }
  const seconds = daysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se - offset;
  return { seconds, nanos: Number((m[7] ?? '').padEnd(9, '0')) };
}

export function compareInstants(a: Instant, b: Instant): number {
  return a.seconds !== b.seconds ? a.seconds - b.seconds : a.nanos - b.nanos;
}

const NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?$/;

export function parseNumber(s: string): number | undefined {
  return NUMBER.test(s) ? Number(s) : undefined;
}

export function parseBool(s: string): boolean | undefined {
  return s === 'true' ? true : s === 'false' ? false : undefined;
}

/** An address or a block: `bits` are the network bits, `prefix` how many of them count. */
interface IpBlock {
  readonly family: 4 | 6;
  readonly bits: bigint;
  readonly prefix: number;
}

const OCTET = /^(?:0|[1-9]\d{0,2})$/;
const HEXTET = /^[0-9a-fA-F]{1,4}$/;

function parseIpv4(s: string): bigint | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  let v = 0n;
  for (const p of parts) {
    if (!OCTET.test(p) || Number(p) > 255) return undefined;
    v = (v << 8n) | BigInt(p);
  }
  return v;
}

function parseIpv6(s: string): bigint | undefined {
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  // An embedded IPv4 tail ("::ffff:192.0.2.1") may only end the whole address.
  const groups = (part: string, last: boolean): bigint[] | undefined => {
    if (part === '') return [];
    const out: bigint[] = [];
    const items = part.split(':');
    for (const [idx, g] of items.entries()) {
      if (last && idx === items.length - 1 && g.includes('.')) {
        const v4 = parseIpv4(g);
        if (v4 === undefined) return undefined;
        out.push(v4 >> 16n, v4 & 0xffffn);
      } else if (HEXTET.test(g)) {
        out.push(BigInt(parseInt(g, 16)));
      } else {
        return undefined;
      }
    }
    return out;
  };
  const head = groups(halves[0] ?? '', halves.length === 1);
  const tail = halves.length === 2 ? groups(halves[1] ?? '', true) : [];
  if (head === undefined || tail === undefined) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  let v = 0n;
  for (const g of [...head, ...Array<bigint>(halves.length === 2 ? missing : 0).fill(0n), ...tail]) v = (v << 16n) | g;
  return v;
}

/**
 * One address (no prefix). An IPv4-mapped IPv6 address (`::ffff:10.0.0.1`, what a dual-stack
 * socket reports for an IPv4 peer) is the IPv4 address it carries.
 */
export function parseIpAddress(s: string): IpBlock | undefined {
  const v4 = parseIpv4(s);
  if (v4 !== undefined) return { family: 4, bits: v4, prefix: 32 };
  if (!s.includes(':')) return undefined;
  const v6 = parseIpv6(s);
  if (v6 === undefined) return undefined;
  if (v6 >> 32n === 0xffffn) return { family: 4, bits: v6 & 0xffffffffn, prefix: 32 };
  return { family: 6, bits: v6, prefix: 128 };
}

/** An address or a CIDR block (`192.0.2.0/24`, `2001:db8::/32`); host bits are masked off. */
export function parseIpBlock(s: string): IpBlock | undefined {
  const slash = s.indexOf('/');
  if (slash < 0) return parseIpAddress(s);
  const addr = s.slice(0, slash);
  const len = s.slice(slash + 1);
  if (!/^(?:0|[1-9]\d{0,2})$/.test(len)) return undefined;
  const prefix = Number(len);
  const v4 = parseIpv4(addr);
  if (v4 !== undefined) return prefix > 32 ? undefined : { family: 4, bits: mask(v4, 32, prefix), prefix };
  const v6 = addr.includes(':') ? parseIpv6(addr) : undefined;
  if (v6 === undefined || prefix > 128) return undefined;
  return { family: 6, bits: mask(v6, 128, prefix), prefix };
}

function mask(v: bigint, width: number, prefix: number): bigint {
  const host = BigInt(width - prefix);
  return (v >> host) << host;
}

export function blockContains(block: IpBlock, addr: IpBlock): boolean {
  if (block.family !== addr.family) return false;
  const width = block.family === 4 ? 32 : 128;
  return mask(addr.bits, width, block.prefix) === block.bits;
}

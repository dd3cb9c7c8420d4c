/**
 * RAM condition operators: which exist, how their policy values are validated, and how a request
 * value is compared. Used by the parser (to reject unknown operators and malformed values up front)
 * and by the evaluator (to decide). Operator names are RAM's (reference: RAM "Conditional operators").
 */
import { matchesWildcard } from './wildcard';

export type ConditionScalar = string | number | boolean;
export type ConditionValue = ConditionScalar | ConditionScalar[];

type Kind = 'string' | 'numeric' | 'date' | 'bool' | 'ip';

interface OperatorSpec {
  kind: Kind;
  /** A negated operator holds when NO request value matches any policy value (and so when the key is missing). */
  negated: boolean;
  /** The positive comparison of one request value with one policy value (both already textual). */
  test: (requestValue: string, policyValue: string) => boolean;
}

const str = (negated: boolean, test: OperatorSpec['test']): OperatorSpec => ({ kind: 'string', negated, test });
const num = (negated: boolean, cmp: (a: number, b: number) => boolean): OperatorSpec => ({
  kind: 'numeric',
  negated,
  test: (r, p) => {
    const a = parseNumber(r);
    const b = parseNumber(p);
    return a !== undefined && b !== undefined && cmp(a, b);
  },
});
const date = (negated: boolean, cmp: (a: number, b: number) => boolean): OperatorSpec => ({
  kind: 'date',
  negated,
  test: (r, p) => {
    const a = parseIsoDate(r);
    const b = parseIsoDate(p);
    return a !== undefined && b !== undefined && cmp(a, b);
  },
});
const ip = (negated: boolean): OperatorSpec => ({ kind: 'ip', negated, test: (r, p) => ipInCidr(r, p) });

const eq = (a: number, b: number): boolean => a === b;
const lt = (a: number, b: number): boolean => a < b;
const le = (a: number, b: number): boolean => a <= b;
const gt = (a: number, b: number): boolean => a > b;
const ge = (a: number, b: number): boolean => a >= b;

export const CONDITION_OPERATORS: Readonly<Record<string, OperatorSpec>> = {
  StringEquals: str(false, (r, p) => r === p),
  StringNotEquals: str(true, (r, p) => r === p),
  StringEqualsIgnoreCase: str(false, (r, p) => r.toLowerCase() === p.toLowerCase()),
  StringNotEqualsIgnoreCase: str(true, (r, p) => r.toLowerCase() === p.toLowerCase()),
  StringLike: str(false, (r, p) => matchesWildcard(p, r)),
  StringNotLike: str(true, (r, p) => matchesWildcard(p, r)),
  NumericEquals: num(false, eq),
  NumericNotEquals: num(true, eq),
  NumericLessThan: num(false, lt),
  NumericLessThanEquals: num(false, le),
  NumericGreaterThan: num(false, gt),
  NumericGreaterThanEquals: num(false, ge),
  DateEquals: date(false, eq),
  DateNotEquals: date(true, eq),
  DateLessThan: date(false, lt),
  DateLessThanEquals: date(false, le),
  DateGreaterThan: date(false, gt),
  DateGreaterThanEquals: date(false, ge),
  Bool: { kind: 'bool', negated: false, test: (r, p) => r.toLowerCase() === p.toLowerCase() },
  IpAddress: ip(false),
  NotIpAddress: ip(true),
};

export type ConditionOperator = keyof typeof CONDITION_OPERATORS;

export function isConditionOperator(name: string): boolean {
  return Object.prototype.hasOwnProperty.call(CONDITION_OPERATORS, name);
}

/** Own entries only: `toString` or `__proto__` in a policy must not reach Object.prototype. */
function specOf(operator: string): OperatorSpec | undefined {
  return isConditionOperator(operator) ? CONDITION_OPERATORS[operator] : undefined;
}

/** Policy values as the text they are compared as (`true` → "true", `5` → "5"). */
export function conditionValues(value: ConditionValue): string[] {
  return (Array.isArray(value) ? value : [value]).map((v) => String(v));
}

/** Why `value` is not acceptable for `operator`, or undefined if it is. */
export function conditionValueProblem(operator: string, value: string): string | undefined {
  const spec = specOf(operator);
  if (!spec) return `unknown condition operator "${operator}"`;
  switch (spec.kind) {
    case 'string':
      return undefined;
    case 'numeric':
      return parseNumber(value) === undefined ? `"${value}" is not a number` : undefined;
    case 'date':
      return parseIsoDate(value) === undefined ? `"${value}" is not an ISO 8601 date-time` : undefined;
    case 'bool':
      return /^(true|false)$/i.test(value) ? undefined : `"${value}" is not true or false`;
    case 'ip':
      return parseCidr(value) === undefined ? `"${value}" is not an IP address or CIDR block` : undefined;
  }
}

/**
 * Evaluate one operator/key pair. `requestValues` undefined or empty means the key is absent:
 * positive operators then fail, negated ones hold (nothing matches).
 */
export function testCondition(operator: string, policyValues: readonly string[], requestValues: readonly string[] | undefined): boolean {
  const spec = specOf(operator);
  // Unknown operators never hold; the evaluator decides what that means for Allow vs Deny.
  if (!spec) return false;
  const anyMatch = (requestValues ?? []).some((r) => policyValues.some((p) => spec.test(r, p)));
  return spec.negated ? !anyMatch : anyMatch;
}

export function parseNumber(text: string): number | undefined {
  if (!/^-?(\d+(\.\d*)?|\.\d+)$/.test(text.trim())) return undefined;
  const n = Number(text);
  return Number.isFinite(n) ? n : undefined;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * Strict ISO 8601 (`2026-11-29`, `2026-11-29T12:00:00Z`, `…+08:00`, fractions) to epoch ms.
 * A date-time without an offset is read as UTC: `Date.parse` would use the host's zone, which
 * would make the same policy mean different instants on different machines.
 */
export function parseIsoDate(text: string): number | undefined {
  const m = ISO_DATE.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', zone] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return undefined;
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day > daysInMonth) return undefined;
  let offsetMinutes = 0;
  if (zone !== undefined && zone !== 'Z') {
    const z = /^([+-])(\d{2}):?(\d{2})$/.exec(zone);
    if (!z) return undefined;
    const oh = Number(z[2]);
    const om = Number(z[3]);
    if (oh > 23 || om > 59) return undefined;
    offsetMinutes = (z[1] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  const ms = frac === '' ? 0 : Math.floor(Number(`0.${frac}`) * 1000);
  const utc = new Date(0);
  utc.setUTCFullYear(year, month - 1, day);
  utc.setUTCHours(hour, minute, second, ms);
  return utc.getTime() - offsetMinutes * 60_000;
}

interface Cidr {
  version: 4 | 6;
  network: bigint;
  prefix: number;
}

function parseIpv4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let v = 0n;
  for (const p of parts) {
    // No leading zeros: "010" is octal to some parsers and decimal to others.
    if (!/^(0|[1-9]\d{0,2})$/.test(p) || Number(p) > 255) return undefined;
    v = (v << 8n) | BigInt(p);
  }
  return v;
}

function parseIpv6(text: string): bigint | undefined {
  let head = text;
  let tailV4: bigint | undefined;
  const lastColon = text.lastIndexOf(':');
  if (lastColon >= 0 && text.slice(lastColon + 1).includes('.')) {
    tailV4 = parseIpv4(text.slice(lastColon + 1));
    if (tailV4 === undefined) return undefined;
    // Keep the colon(s) so that "::1.2.3.4" still splits around the "::".
    head = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const halves = head.split('::');
  if (halves.length > 2) return undefined;
  const groups = (s: string): string[] | undefined => {
    if (s === '') return [];
    const g = s.split(':');
    return g.every((x) => /^[0-9a-fA-F]{1,4}$/.test(x)) ? g : undefined;
  };
  const left = groups(halves[0] ?? '');
  const right = halves.length === 2 ? groups(halves[1] ?? '') : [];
  if (!left || !right) return undefined;
  const missing = 8 - left.length - right.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const all = [...left, ...Array<string>(missing).fill('0'), ...right];
  let v = 0n;
  for (const g of all) v = (v << 16n) | BigInt(parseInt(g, 16));
  if (tailV4 !== undefined) v = (v & ~0xffffffffn) | tailV4;
  return v;
}

/** `10.0.0.0/8`, `192.168.1.7` (= /32), `2001:db8::/32`. */
export function parseCidr(text: string): Cidr | undefined {
  const [addr = '', prefixText, extra] = text.trim().split('/');
  if (extra !== undefined) return undefined;
  const version: 4 | 6 = addr.includes(':') ? 6 : 4;
  const value = version === 4 ? parseIpv4(addr) : parseIpv6(addr);
  if (value === undefined) return undefined;
  const bits = version === 4 ? 32 : 128;
  let prefix = bits;
  if (prefixText !== undefined) {
    if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > bits) return undefined;
    prefix = Number(prefixText);
  }
  const mask = prefix === 0 ? 0n : ((1n << BigInt(prefix)) - 1n) << BigInt(bits - prefix);
  return { version, network: value & mask, prefix };
}

/** Is the address `ipText` inside `cidrText`? Malformed input on either side never matches. */
export function ipInCidr(ipText: string, cidrText: string): boolean {
  const cidr = parseCidr(cidrText);
  const addr = parseCidr(ipText);
  if (!cidr || !addr || addr.version !== cidr.version) return false;
  const bits = cidr.version === 4 ? 32 : 128;
  // The request side must be a single address, not a block.
  if (addr.prefix !== bits) return false;
  const mask = cidr.prefix === 0 ? 0n : ((1n << BigInt(cidr.prefix)) - 1n) << BigInt(bits - cidr.prefix);
  return (addr.network & mask) === cidr.network;
}

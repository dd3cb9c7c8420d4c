/**
 * The grammar of RAM condition blocks as the product checks it: which operators exist, and whether a
 * policy value has the shape its operator compares (a number, an ISO 8601 date, true/false, an IP
 * address or CIDR block). Nothing here decides a request: RAM does that, and the guardrails ignore
 * conditions (matcher.ts). The value check exists so that `crossrole config check` refuses a malformed
 * Custom policy up front, instead of provisioning failing at CreatePolicy after an approval.
 * Operator names are RAM's (www.alibabacloud.com/help/en/ram/conditional-operator).
 */

type ConditionScalar = string | number | boolean;
export type ConditionValue = ConditionScalar | ConditionScalar[];

type Kind = 'string' | 'numeric' | 'date' | 'bool' | 'ip';

const OPERATOR_KINDS: ReadonlyMap<string, Kind> = new Map<string, Kind>([
  ...['StringEquals', 'StringNotEquals', 'StringEqualsIgnoreCase', 'StringNotEqualsIgnoreCase', 'StringLike', 'StringNotLike'].map((op) => [op, 'string'] as const),
  ...['NumericEquals', 'NumericNotEquals', 'NumericLessThan', 'NumericLessThanEquals', 'NumericGreaterThan', 'NumericGreaterThanEquals'].map((op) => [op, 'numeric'] as const),
  ...['DateEquals', 'DateNotEquals', 'DateLessThan', 'DateLessThanEquals', 'DateGreaterThan', 'DateGreaterThanEquals'].map((op) => [op, 'date'] as const),
  ['Bool', 'bool'],
  ['IpAddress', 'ip'],
  ['NotIpAddress', 'ip'],
]);

/** A Map, not an object: `toString` or `__proto__` in a policy must not pass for an operator. */
export function isConditionOperator(name: string): boolean {
  return OPERATOR_KINDS.has(name);
}

const NUMBER = /^-?(\d+(\.\d*)?|\.\d+)$/;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-](\d{2}):?(\d{2}))?)?$/;

/** `2026-11-29`, `2026-11-29T12:00:00Z`, `…+08:00`, fractions; a real calendar day and time of day. */
function isIsoDate(text: string): boolean {
  const m = ISO_DATE.exec(text);
  if (!m) return false;
  const [, y, mo, d, h = '0', mi = '0', s = '0', , oh = '0', om = '0'] = m;
  const month = Number(mo);
  const day = Number(d);
  const daysInMonth = new Date(Date.UTC(Number(y), month, 0)).getUTCDate();
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth
    && Number(h) <= 23 && Number(mi) <= 59 && Number(s) <= 59 && Number(oh) <= 23 && Number(om) <= 59;
}

function isIpv4(text: string): boolean {
  const parts = text.split('.');
  // No leading zeros: "010" is octal to some parsers and decimal to others.
  return parts.length === 4 && parts.every((p) => /^(0|[1-9]\d{0,2})$/.test(p) && Number(p) <= 255);
}

function isIpv6(text: string): boolean {
  let head = text;
  const lastColon = text.lastIndexOf(':');
  if (lastColon >= 0 && text.slice(lastColon + 1).includes('.')) {
    if (!isIpv4(text.slice(lastColon + 1))) return false;
    // An embedded IPv4 tail (`::ffff:10.0.0.1`) stands for the last two groups; keep the colon(s)
    // so that `::1.2.3.4` still splits around the `::`.
    head = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const halves = head.split('::');
  if (halves.length > 2) return false;
  const count = (part: string): number | undefined => {
    if (part === '') return 0;
    const g = part.split(':');
    return g.every((x) => /^[0-9a-fA-F]{1,4}$/.test(x)) ? g.length : undefined;
  };
  const left = count(halves[0] ?? '');
  const right = halves.length === 2 ? count(halves[1] ?? '') : 0;
  if (left === undefined || right === undefined) return false;
  return halves.length === 2 ? left + right < 8 : left === 8;
}

/** `10.0.0.0/8`, `192.168.1.7` (a single address), `2001:db8::/32`. */
function isIpOrCidr(text: string): boolean {
  const [addr = '', prefix, extra] = text.trim().split('/');
  if (extra !== undefined) return false;
  const v6 = addr.includes(':');
  if (!(v6 ? isIpv6(addr) : isIpv4(addr))) return false;
  return prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (v6 ? 128 : 32));
}

const VALUE_CHECKS: Readonly<Record<Kind, (value: string) => string | undefined>> = {
  string: () => undefined,
  numeric: (v) => (NUMBER.test(v.trim()) ? undefined : `"${v}" is not a number`),
  date: (v) => (isIsoDate(v) ? undefined : `"${v}" is not an ISO 8601 date-time`),
  bool: (v) => (/^(true|false)$/i.test(v) ? undefined : `"${v}" is not true or false`),
  ip: (v) => (isIpOrCidr(v) ? undefined : `"${v}" is not an IP address or CIDR block`),
};

/** Why `value` is not acceptable for `operator`, or undefined if it is. */
export function conditionValueProblem(operator: string, value: string): string | undefined {
  const kind = OPERATOR_KINDS.get(operator);
  if (kind === undefined) return `unknown condition operator "${operator}"`;
  return VALUE_CHECKS[kind](value);
}

/**
 * The grammar of RAM condition blocks as the product checks it: which operators exist, the form of a
 * condition key, and whether a policy value has the shape its operator compares. Nothing here decides a
 * request: RAM does that, and the guardrails ignore conditions (matcher.ts). The check exists so that
 * `crossrole config check` refuses a Custom policy that RAM's CreatePolicy would refuse, up front,
 * instead of provisioning failing after an approval.
 *
 * Written from Alibaba Cloud's documentation (never from the local cloud's engine):
 * - Policy structure and syntax, www.alibabacloud.com/help/doc-detail/28664.htm ("Element value: If an
 *   element value is a number or Boolean, it must be enclosed by using double quotation marks"; the
 *   current revision, www.alibabacloud.com/help/en/ram/policy-structure-and-syntax, writes the condition
 *   as `{ "Operator": { "ConditionKey": "ConditionValue" } }`): every condition value is a JSON string,
 *   so `3` and `true` are refused, `"3"` and `"true"` accepted.
 * - Conditional operators, www.alibabacloud.com/help/en/ram/conditional-operator: the five families
 *   (string, number, date and time, Boolean, IP address) and their operator names.
 * - Control access based on time of day, www.alibabacloud.com/help/en/ram/use-cases/use-ram-to-limit-the-period-of-time-in-which-users-are-allowed-to-access-alibaba-cloud-resources:
 *   "DateLessThan, DateGreaterThan, DateEquals, and their "IfExists" variants"; "The time must be
 *   specified in ISO 8601 format (such as YYYY-MM-DDThh:mm:ssZ or YYYY-MM-DDThh:mm:ss+hh:mm)".
 * - Validate policies, help.aliyun.com/en/ram/permission-policy-check: "Invalid condition key format"
 *   (a key is `<ram-code>:<condition-key>`), "Invalid condition multiple Boolean" (one Boolean value
 *   per key), "Invalid condition operator".
 *
 * Where the docs are silent the check is strict (a refusal here costs an edit; a pass that RAM refuses
 * costs a failed grant after its approval): a date needs seconds and a zone, `Z` or `±hh:mm`, and no
 * fraction (the docs show none, and `acs:CurrentTime` has whole seconds); IfExists only on the Date
 * operators (the only ones the docs name it for); a number is plain decimal (`10`, `-2.5`: no exponent,
 * no `+`, no leading zeros); a Boolean is `true` or `false` in lower case; an IP address has no
 * leading zeros in its octets and no surrounding spaces.
 */

type Kind = 'string' | 'numeric' | 'date' | 'bool' | 'ip';

const DATE_OPERATORS = ['DateEquals', 'DateNotEquals', 'DateLessThan', 'DateLessThanEquals', 'DateGreaterThan', 'DateGreaterThanEquals'];

const OPERATOR_KINDS: ReadonlyMap<string, Kind> = new Map<string, Kind>([
  ...['StringEquals', 'StringNotEquals', 'StringEqualsIgnoreCase', 'StringNotEqualsIgnoreCase', 'StringLike', 'StringNotLike'].map((op) => [op, 'string'] as const),
  ...['NumericEquals', 'NumericNotEquals', 'NumericLessThan', 'NumericLessThanEquals', 'NumericGreaterThan', 'NumericGreaterThanEquals'].map((op) => [op, 'numeric'] as const),
  ...DATE_OPERATORS.map((op) => [op, 'date'] as const),
  ...DATE_OPERATORS.map((op) => [`${op}IfExists`, 'date'] as const),
  ['Bool', 'bool'],
  ['IpAddress', 'ip'],
  ['NotIpAddress', 'ip'],
]);

/** A Map, not an object: `toString` or `__proto__` in a policy must not pass for an operator. */
export function isConditionOperator(name: string): boolean {
  return OPERATOR_KINDS.has(name);
}

/** `<ram-code>:<condition-key>`: acs:CurrentTime, sts:ExternalId, oss:Prefix, acs:ResourceTag/team. */
const CONDITION_KEY = /^[A-Za-z0-9-]+:\S+$/;

/** Why `key` is not a condition key RAM accepts, or undefined if it is. */
export function conditionKeyProblem(key: string): string | undefined {
  return CONDITION_KEY.test(key) ? undefined : `"${key}" is not a condition key of the form <service>:<name> (e.g. acs:CurrentTime)`;
}

const NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?$/;
const ISO_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:Z|[+-](\d{2}):(\d{2}))$/;

/** `2026-11-29T12:00:00Z` or `2026-11-29T20:00:00+08:00`: a real calendar day, time of day and offset. */
function isIsoDateTime(text: string): boolean {
  const m = ISO_DATE_TIME.exec(text);
  if (!m) return false;
  const [, y, mo, d, h, mi, s, oh = '0', om = '0'] = m;
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
  const [addr = '', prefix, extra] = text.split('/');
  if (extra !== undefined) return false;
  const v6 = addr.includes(':');
  if (!(v6 ? isIpv6(addr) : isIpv4(addr))) return false;
  return prefix === undefined || (/^(0|[1-9]\d{0,2})$/.test(prefix) && Number(prefix) <= (v6 ? 128 : 32));
}

const VALUE_CHECKS: Readonly<Record<Kind, (value: string) => string | undefined>> = {
  string: () => undefined,
  numeric: (v) => (NUMBER.test(v) ? undefined : `"${v}" is not a decimal number such as "10" or "2.5"`),
  date: (v) => (isIsoDateTime(v) ? undefined : `"${v}" is not an ISO 8601 date and time with a zone, such as "2019-08-12T17:00:00+08:00" or "2019-08-12T09:00:00Z"`),
  bool: (v) => (v === 'true' || v === 'false' ? undefined : `"${v}" is not "true" or "false"`),
  ip: (v) => (isIpOrCidr(v) ? undefined : `"${v}" is not an IP address or CIDR block`),
};

/** Why `value` is not acceptable for `operator`, or undefined if it is. */
export function conditionValueProblem(operator: string, value: string): string | undefined {
  const kind = OPERATOR_KINDS.get(operator);
  if (kind === undefined) return `unknown condition operator "${operator}"`;
  return VALUE_CHECKS[kind](value);
}

/** Validate policies: "Invalid condition multiple Boolean" — a Bool key takes one value. */
export function allowsOneValueOnly(operator: string): boolean {
  return OPERATOR_KINDS.get(operator) === 'bool';
}

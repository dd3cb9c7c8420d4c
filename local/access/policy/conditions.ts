/**
 * The Condition element: operators, their value types, and how a condition block is decided.
 *
 * Sources:
 * - Conditional operators, www.alibabacloud.com/help/en/ram/conditional-operator: the operator list
 *   (String*, Numeric*, Date*, Bool, IpAddress/NotIpAddress) and the string semantics (case-sensitive
 *   except the IgnoreCase pair; StringLike with * and ?).
 * - Policy elements (AlibabaCloudDocs/ram intl.en-US/Policy Management/Policy language/Policy elements.md):
 *   "If the value in a request matches any of the values, the condition is met"; several keys under one
 *   operator: "met only if all the requirements for the keys are met"; "A condition block is met only if
 *   all of its conditions are met"; the global keys acs:CurrentTime, acs:SecureTransport, acs:SourceIp,
 *   acs:MFAPresent.
 * - Policy structure and syntax (www.alibabacloud.com/help/en/ram/policy-structure-and-syntax):
 *   "operators ... are case-sensitive"; condition values "must be enclosed in double quotation marks"
 *   (2021 copy: "If an element value is a string, number, date, time, Boolean value, or an IP address").
 * - Time of day (www.alibabacloud.com/help/en/ram/use-cases/use-ram-to-limit-the-period-of-time-in-which-users-are-allowed-to-access-alibaba-cloud-resources):
 *   "DateLessThan, DateGreaterThan, DateEquals, and their "IfExists" variants".
 * - IP example (help.aliyun.com/en/ram/access-alibaba-cloud-resources-by-using-a-specific-ip-address-or-cidr-block):
 *   a Deny with NotIpAddress [192.0.2.0/24, 203.0.113.2] denies only addresses in neither block,
 *   so a negated operator holds when the request value matches none of the listed values.
 *
 * Where the docs are silent this module is stricter, and it is stricter per effect, so the local cloud
 * never allows what the real one might deny: an Allow statement's condition takes the narrower reading,
 * a Deny statement's the broader one. Concretely, when the docs do not settle it:
 * - condition key names: an Allow matches the request key only in the exact case; a Deny in any case;
 * - a negated operator (StringNotEquals, NotIpAddress ...) on a key the request lacks: false in an
 *   Allow, true in a Deny (a present-key operator on a missing key is false: nothing "matches");
 * - a request value that is not of the operator's type (a date operator on "yesterday"): false in an
 *   Allow, true in a Deny;
 * - a key with several request values: an Allow needs every value to satisfy the condition, a Deny any.
 * IfExists is only accepted on the Date operators (the only ones the docs name it for); it holds when the
 * key is missing, which is what the suffix says. Null, ForAnyValue/ForAllValues, Arn* and Binary* are not
 * documented for RAM and are refused.
 */
import { PolicyGrammarError } from './errors';
import { isJsonArray, isJsonObject, type JsonValue } from './json';
import { blockContains, compareInstants, parseBool, parseInstant, parseIpAddress, parseIpBlock, parseNumber } from './values';
import { wildcardMatch } from './wildcard';

export type Effect = 'Allow' | 'Deny';

/** Request context: condition key -> value(s). A missing key, undefined and [] all mean "absent". */
export type ConditionContext = Readonly<Record<string, string | readonly string[] | undefined>>;

type Family = 'string' | 'numeric' | 'date' | 'bool' | 'ip';

interface OperatorSpec {
  readonly family: Family;
  /** The operator denies its positive counterpart: it holds when no listed value matches. */
  readonly negated: boolean;
  /** Positive test of one policy value against one request value; undefined if the request value is not of the type. */
  readonly test: (policyValue: string, requestValue: string) => boolean | undefined;
}

const num = (cmp: (d: number) => boolean) => (p: string, r: string): boolean | undefined => {
  const a = parseNumber(r);
  const b = parseNumber(p);
  return a === undefined || b === undefined ? undefined : cmp(a - b);
};
const date = (cmp: (d: number) => boolean) => (p: string, r: string): boolean | undefined => {
  const a = parseInstant(r);
  const b = parseInstant(p);
  return a === undefined || b === undefined ? undefined : cmp(compareInstants(a, b));
};
const eq = (d: number): boolean => d === 0;
const lt = (d: number): boolean => d < 0;
const le = (d: number): boolean => d <= 0;
const gt = (d: number): boolean => d > 0;
const ge = (d: number): boolean => d >= 0;

const stringEquals = (p: string, r: string): boolean => p === r;
const stringEqualsIgnoreCase = (p: string, r: string): boolean => p.toLowerCase() === r.toLowerCase();
const stringLike = (p: string, r: string): boolean => wildcardMatch(p, r, false);
const ipIn = (p: string, r: string): boolean | undefined => {
  const addr = parseIpAddress(r);
  const block = parseIpBlock(p);
  return addr === undefined || block === undefined ? undefined : blockContains(block, addr);
};
const bool = (p: string, r: string): boolean | undefined => {
  const v = parseBool(r);
  return v === undefined ? undefined : v === parseBool(p);
};

const spec = (family: Family, negated: boolean, test: OperatorSpec['test']): OperatorSpec => ({ family, negated, test });

const OPERATORS: ReadonlyMap<string, OperatorSpec> = new Map([
  ['StringEquals', spec('string', false, stringEquals)],
  ['StringNotEquals', spec('string', true, stringEquals)],
  ['StringEqualsIgnoreCase', spec('string', false, stringEqualsIgnoreCase)],
  ['StringNotEqualsIgnoreCase', spec('string', true, stringEqualsIgnoreCase)],
  ['StringLike', spec('string', false, stringLike)],
  ['StringNotLike', spec('string', true, stringLike)],
  ['NumericEquals', spec('numeric', false, num(eq))],
  ['NumericNotEquals', spec('numeric', true, num(eq))],
  ['NumericLessThan', spec('numeric', false, num(lt))],
  ['NumericLessThanEquals', spec('numeric', false, num(le))],
  ['NumericGreaterThan', spec('numeric', false, num(gt))],
  ['NumericGreaterThanEquals', spec('numeric', false, num(ge))],
  ['DateEquals', spec('date', false, date(eq))],
  ['DateNotEquals', spec('date', true, date(eq))],
  ['DateLessThan', spec('date', false, date(lt))],
  ['DateLessThanEquals', spec('date', false, date(le))],
  ['DateGreaterThan', spec('date', false, date(gt))],
  ['DateGreaterThanEquals', spec('date', false, date(ge))],
  ['Bool', spec('bool', false, bool)],
  ['IpAddress', spec('ip', false, ipIn)],
  ['NotIpAddress', spec('ip', true, ipIn)],
]);

/** The operator names the grammar accepts, IfExists forms included (for docs and tests). */
export const CONDITION_OPERATORS: readonly string[] = [
  ...OPERATORS.keys(),
  ...[...OPERATORS].filter(([, s]) => s.family === 'date').map(([name]) => `${name}IfExists`),
];

const VALUE_CHECK: Readonly<Record<Family, { ok: (v: string) => boolean; expect: string }>> = {
  string: { ok: () => true, expect: 'a string' },
  numeric: { ok: (v) => parseNumber(v) !== undefined, expect: 'a decimal number such as "10" or "2.5"' },
  date: { ok: (v) => parseInstant(v) !== undefined, expect: 'an ISO 8601 date and time with a zone, such as "2019-08-12T17:00:00+08:00"' },
  bool: { ok: (v) => parseBool(v) !== undefined, expect: '"true" or "false"' },
  ip: { ok: (v) => parseIpBlock(v) !== undefined, expect: 'an IP address or CIDR block' },
};

/** `<service>:<name>`, e.g. acs:CurrentTime, oss:Prefix, acs:ResourceTag/team, sts:ExternalId. */
const CONDITION_KEY = /^[A-Za-z0-9-]+:[^\s:][^\s]*$/;

export interface ConditionClause {
  readonly operator: string;
  readonly spec: OperatorSpec;
  readonly ifExists: boolean;
  readonly key: string;
  readonly values: readonly string[];
}

export function parseConditionBlock(value: JsonValue | undefined, path: string): readonly ConditionClause[] {
  if (!isJsonObject(value)) throw new PolicyGrammarError('must be an object of operator -> { key: value(s) }', path);
  if (value.size === 0) throw new PolicyGrammarError('must hold at least one operator', path);
  const clauses: ConditionClause[] = [];
  for (const [operator, keys] of value) {
    const at = `${path}.${operator}`;
    const ifExists = operator.endsWith('IfExists');
    const base = OPERATORS.get(ifExists ? operator.slice(0, -'IfExists'.length) : operator);
    if (base === undefined || (ifExists && base.family !== 'date')) throw new PolicyGrammarError('unknown condition operator', at);
    if (!isJsonObject(keys)) throw new PolicyGrammarError('must be an object of condition key -> value(s)', at);
    if (keys.size === 0) throw new PolicyGrammarError('must hold at least one condition key', at);
    for (const [key, raw] of keys) {
      const where = `${at}.${key}`;
      if (!CONDITION_KEY.test(key)) throw new PolicyGrammarError('a condition key has the form <service>:<name>', where);
      const list = typeof raw === 'string' ? [raw] : raw;
      if (typeof list === 'number' || typeof list === 'boolean') throw new PolicyGrammarError('condition values are strings in double quotation marks', where);
      if (!isJsonArray(list)) throw new PolicyGrammarError('must be a string or an array of strings', where);
      if (list.length === 0) throw new PolicyGrammarError('must not be empty', where);
      const check = VALUE_CHECK[base.family];
      const values = list.map((v, i) => {
        if (typeof v !== 'string') throw new PolicyGrammarError('condition values are strings in double quotation marks', `${where}[${i}]`);
        if (!check.ok(v)) throw new PolicyGrammarError(`${operator} needs ${check.expect}`, `${where}[${i}]`);
        return v;
      });
      clauses.push({ operator, spec: base, ifExists, key, values });
    }
  }
  return clauses;
}

function lookup(context: ConditionContext, key: string, anyCase: boolean): readonly string[] | undefined {
  let v = Object.hasOwn(context, key) ? context[key] : undefined;
  if (v === undefined && anyCase) {
    const lower = key.toLowerCase();
    const found = Object.keys(context).find((k) => k.toLowerCase() === lower && context[k] !== undefined);
    v = found === undefined ? undefined : context[found];
  }
  if (v === undefined) return undefined;
  const list = typeof v === 'string' ? [v] : v;
  return list.length === 0 ? undefined : list;
}

function clauseHolds(c: ConditionClause, context: ConditionContext, effect: Effect): boolean {
  const deny = effect === 'Deny';
  const present = lookup(context, c.key, deny);
  if (present === undefined) return c.ifExists || (c.spec.negated && deny);
  const satisfied = (requestValue: string): boolean => {
    const results = c.values.map((p) => c.spec.test(p, requestValue));
    if (results.includes(undefined)) return deny;
    const any = results.includes(true);
    return c.spec.negated ? !any : any;
  };
  return deny ? present.some(satisfied) : present.every(satisfied);
}

/** All clauses must hold (AND across operators and keys; OR across one key's values). */
export function conditionsHold(clauses: readonly ConditionClause[], context: ConditionContext, effect: Effect): boolean {
  return clauses.every((c) => clauseHolds(c, context, effect));
}

/**
 * RAM policy documents: the types, and a strict parser that accepts what RAM's grammar check accepts
 * (Version "1", a non-empty Statement array, Effect, exactly one of Action/NotAction, Resource for
 * permission policies, Principal for trust policies, known condition operators) within RAM's size limits.
 * Every failure is a ValidationError('INVALID_POLICY') whose field is the offending path,
 * e.g. `policyDocument.Statement[1].Effect`.
 *
 * Sources: Policy structure and syntax (www.alibabacloud.com/help/en/ram/policy-structure-and-syntax;
 * 2021 revision www.alibabacloud.com/help/doc-detail/28664.htm), Policy elements
 * (www.alibabacloud.com/help/doc-detail/93738.htm: Action `<service-name>:<action-name>`, Resource
 * `acs:<service-name>:<region>:<account-id>:<relative-id>`, region and account may be `*`), and
 * Validate policies (help.aliyun.com/en/ram/permission-policy-check: "Invalid ARN prefix" — an ARN
 * starts with `acs`; "Missing ARN field" — an ARN has five fields). Condition grammar: conditions.ts.
 */
import { ValidationError, errorMessage } from '../domain/errors';
import { isAccountId, parsePrincipalArn } from '../domain/identifiers';
import { truncate } from '../domain/duration';
import { allowsOneValueOnly, conditionKeyProblem, conditionValueProblem, isConditionOperator } from './conditions';
import { findDuplicateKey } from './json-text';
import { MAX_POLICY_LENGTH, MAX_TRUST_POLICY_LENGTH, policyTextLength } from './limits';

export type PolicyValue = string | string[];

interface PolicyPrincipal {
  RAM?: PolicyValue;
  Service?: PolicyValue;
  Federated?: PolicyValue;
}

/** Condition values are strings in double quotation marks, numbers and Booleans too (conditions.ts). */
type ConditionValue = string | string[];

/** Operator → condition key → value(s). */
type PolicyCondition = Record<string, Record<string, ConditionValue>>;

export interface Statement {
  Effect: 'Allow' | 'Deny';
  Action?: PolicyValue;
  NotAction?: PolicyValue;
  Resource?: PolicyValue;
  NotResource?: PolicyValue;
  Principal?: PolicyPrincipal;
  Condition?: PolicyCondition;
}

export interface PolicyDocument {
  Version: '1';
  Statement: Statement[];
}

interface ParsePolicyOptions {
  /** A role's trust policy: Principal required, Resource optional, 2,048-byte limit. */
  trust?: boolean;
}

const STATEMENT_KEYS = new Set(['Effect', 'Action', 'NotAction', 'Resource', 'NotResource', 'Principal', 'Condition']);
const PRINCIPAL_KEYS = new Set(['RAM', 'Service', 'Federated']);
// `*`, or `<service>:<action>` with wildcards allowed on either side (`ecs:Describe*`, `*:*`).
const ACTION = /^(\*|[A-Za-z0-9*?_-]+:[^\s:]+)$/;
// `*`, or `acs:<service>:<region>:<account>:<relative-id>`: five fields, the service named, region and
// account possibly empty (`acs:ram::<uid>:role/x`) or `*`, the relative id anything but blank.
const RESOURCE = /^(\*|acs:[^\s:]+:[^\s:]*:[^\s:]*:\S(.*\S)?)$/;
// eslint-disable-next-line no-control-regex -- control characters are exactly what this refuses
const CONTROL = /[\x00-\x1f\x7f]/;
const SERVICE_PRINCIPAL = /^[A-Za-z0-9*?.-]+$/;
const FEDERATED_PRINCIPAL = /^acs:ram::\d{16}:(saml-provider|oidc-provider)\/\S+$/;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Parse and validate a RAM policy document given as JSON text or as an already-parsed value.
 * The size limit is checked on the text as it would be sent: the string itself, or the compact
 * `JSON.stringify` of a value.
 */
export function parsePolicyDocument(input: unknown, field = 'policyDocument', opts: ParsePolicyOptions = {}): PolicyDocument {
  const trust = opts.trust === true;
  const fail = (path: string, message: string): never => {
    throw new ValidationError('INVALID_POLICY', path === '' ? field : `${field}.${path}`, message, path === '' ? {} : { details: { path } });
  };

  let text: string;
  if (typeof input === 'string') {
    text = input;
  } else {
    let serialized: string | undefined;
    try {
      serialized = JSON.stringify(input);
    } catch (e) {
      // BigInt values and cycles make JSON.stringify throw a TypeError; surface it as a policy error.
      return fail('', `cannot be serialized as JSON (${errorMessage(e)})`);
    }
    if (serialized === undefined) return fail('', 'must be a JSON object');
    text = serialized;
  }

  const max = trust ? MAX_TRUST_POLICY_LENGTH : MAX_POLICY_LENGTH;
  const length = policyTextLength(text);
  if (length === 0) return fail('', 'must not be empty');
  if (length > max) return fail('', `is ${length} bytes; RAM accepts at most ${max}`);

  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    return fail('', `is not valid JSON (${errorMessage(e)})`);
  }
  if (typeof input === 'string') {
    const dup = findDuplicateKey(text);
    if (dup !== undefined) return fail(dup, 'duplicate key');
  }

  if (!isRecord(doc)) return fail('', 'must be a JSON object');
  for (const k of Object.keys(doc)) if (k !== 'Version' && k !== 'Statement') fail(k, 'unknown element');
  if (doc.Version !== '1') return fail('Version', 'must be the string "1"');
  const statements = doc.Statement;
  if (!Array.isArray(statements) || statements.length === 0) return fail('Statement', 'must be a non-empty array');

  statements.forEach((s: unknown, i) => validateStatement(s, `Statement[${i}]`, trust, fail));
  return doc as unknown as PolicyDocument;
}

type Fail = (path: string, message: string) => never;

function validateStatement(s: unknown, at: string, trust: boolean, fail: Fail): void {
  if (!isRecord(s)) return fail(at, 'must be an object');
  for (const k of Object.keys(s)) if (!STATEMENT_KEYS.has(k)) fail(`${at}.${k}`, 'unknown element');
  if (s.Effect !== 'Allow' && s.Effect !== 'Deny') fail(`${at}.Effect`, 'must be "Allow" or "Deny"');

  if ((s.Action === undefined) === (s.NotAction === undefined)) fail(`${at}.Action`, 'exactly one of Action and NotAction is required');
  for (const key of ['Action', 'NotAction'] as const) {
    if (s[key] !== undefined) {
      validateValues(s[key], `${at}.${key}`, fail, (v) => (ACTION.test(v) && !CONTROL.test(v) ? undefined : `"${truncate(v)}" is not "*" or "<service>:<action>"`));
    }
  }

  if (s.Resource !== undefined && s.NotResource !== undefined) fail(`${at}.Resource`, 'Resource and NotResource are mutually exclusive');
  if (!trust && s.Resource === undefined && s.NotResource === undefined) fail(`${at}.Resource`, 'one of Resource and NotResource is required');
  for (const key of ['Resource', 'NotResource'] as const) {
    if (s[key] !== undefined) {
      validateValues(s[key], `${at}.${key}`, fail, (v) => (RESOURCE.test(v) && !CONTROL.test(v) ? undefined : `"${truncate(v)}" is not "*" or an ARN acs:<service>:<region>:<account>:<relative-id>`));
    }
  }

  if (trust) {
    if (s.Principal === undefined) fail(`${at}.Principal`, 'is required in a trust policy');
    validatePrincipal(s.Principal, `${at}.Principal`, fail);
  } else if (s.Principal !== undefined) {
    fail(`${at}.Principal`, 'is only allowed in a trust policy');
  }

  if (s.Condition !== undefined) validateCondition(s.Condition, `${at}.Condition`, fail);
}

function validateValues(v: unknown, at: string, fail: Fail, problem: (value: string) => string | undefined): void {
  const check = (x: unknown, path: string): void => {
    if (typeof x !== 'string' || x === '') return fail(path, 'must be a non-empty string');
    const why = problem(x);
    if (why !== undefined) fail(path, why);
  };
  if (Array.isArray(v)) {
    if (v.length === 0) fail(at, 'must not be an empty array');
    v.forEach((x: unknown, i) => check(x, `${at}[${i}]`));
  } else {
    check(v, at);
  }
}

function validatePrincipal(p: unknown, at: string, fail: Fail): void {
  if (!isRecord(p)) return fail(at, 'must be an object such as {"RAM": ["acs:ram::<uid>:root"]}');
  const keys = Object.keys(p);
  if (keys.length === 0) fail(at, 'must name at least one principal');
  for (const k of keys) {
    if (!PRINCIPAL_KEYS.has(k)) fail(`${at}.${k}`, 'unknown principal type; expected RAM, Service or Federated');
  }
  if (p.RAM !== undefined) {
    validateValues(p.RAM, `${at}.RAM`, fail, (v) => {
      if (v === '*' || isAccountId(v)) return undefined;
      try {
        const parsed = parsePrincipalArn(v);
        // A trust policy names an identity, never one session of it.
        return parsed.kind === 'assumed-role' ? 'an assumed-role session cannot be a principal' : undefined;
      } catch {
        return `"${truncate(v)}" is not a RAM principal (acs:ram::<uid>:root, :user/<name>, :role/<name> or a 16-digit account ID)`;
      }
    });
  }
  if (p.Service !== undefined) validateValues(p.Service, `${at}.Service`, fail, (v) => (SERVICE_PRINCIPAL.test(v) ? undefined : `"${truncate(v)}" is not a service principal such as "fc.aliyuncs.com"`));
  if (p.Federated !== undefined) validateValues(p.Federated, `${at}.Federated`, fail, (v) => (FEDERATED_PRINCIPAL.test(v) ? undefined : `"${truncate(v)}" is not an identity provider ARN`));
}

function validateCondition(c: unknown, at: string, fail: Fail): void {
  if (!isRecord(c)) return fail(at, 'must be an object of operator → {key: value}');
  if (Object.keys(c).length === 0) fail(at, 'must hold at least one operator');
  for (const [op, block] of Object.entries(c)) {
    if (!isConditionOperator(op)) fail(`${at}.${op}`, `unknown condition operator "${truncate(op)}"`);
    if (!isRecord(block)) fail(`${at}.${op}`, 'must be an object of condition key → value');
    const entries = Object.entries(block as Record<string, unknown>);
    if (entries.length === 0) fail(`${at}.${op}`, 'must hold at least one condition key');
    for (const [key, value] of entries) {
      const path = `${at}.${op}.${key}`;
      const keyProblem = conditionKeyProblem(key);
      if (keyProblem !== undefined) fail(path, keyProblem);
      const values = Array.isArray(value) ? value : [value];
      if (values.length === 0) fail(path, 'must not be an empty array');
      if (values.length > 1 && allowsOneValueOnly(op)) fail(path, `${op} takes one value, "true" or "false"`);
      values.forEach((v: unknown, i) => {
        const vp = Array.isArray(value) ? `${path}[${i}]` : path;
        // "If an element value is a number or Boolean, it must be enclosed by using double quotation marks."
        if (typeof v === 'number' || typeof v === 'boolean') fail(vp, `must be a string in double quotation marks: "${String(v)}", not ${String(v)}`);
        if (typeof v !== 'string') fail(vp, 'must be a string');
        const why = conditionValueProblem(op, v as string);
        if (why !== undefined) fail(vp, why);
      });
    }
  }
}

/** Normalize a string-or-array element to an array (absent → empty). */
export function asList(v: PolicyValue | undefined): string[] {
  if (v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}

/**
 * Do two policy documents say the same thing as JSON, whatever RAM did to whitespace and key order
 * when it stored them? Array order counts (it is ours, and RAM keeps it). Text that is not JSON is
 * the same only as itself. For trust policies, which a grant edits, trust-policy.ts's
 * sameTrustPolicy also equates `"x"` with `["x"]` and ignores the order of principals.
 */
export function sameDocument(a: string, b: string): boolean {
  if (a === b) return true;
  const ca = canonicalJson(a);
  return ca !== undefined && ca === canonicalJson(b);
}

function canonicalJson(text: string): string | undefined {
  const sort = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sort);
    if (isRecord(v)) return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sort(v[k])]));
    return v;
  };
  try {
    return JSON.stringify(sort(JSON.parse(text)));
  } catch {
    return undefined;
  }
}

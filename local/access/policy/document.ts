/**
 * The policy grammar: a JSON text in, a checked Policy out, or a PolicyGrammarError with the reason.
 *
 * Sources:
 * - Policy structure and syntax, www.alibabacloud.com/help/en/ram/policy-structure-and-syntax
 *   (checked 2026 revisions; 2021 copy in AlibabaCloudDocs/ram intl.en-US/Policy Management/Policy
 *   language/Policy structure and syntax.md):
 *     policy = { <version_block>, <statement_block> }
 *     <version_block>   = "Version" : ("1")
 *     <statement_block> = "Statement" : [ <statement>, <statement>, ... ]
 *     <effect_block>    = "Effect" : ("Allow" | "Deny")
 *     <action_block>    = ("Action" | "NotAction") : ("*" | <action_string> | [<action_string>, ...])
 *     <resource_block>  = ("Resource" | "NotResource") : ("*" | <resource_string> | [<resource_string>, ...])
 *     <condition_block> = "Condition" : <condition_map>
 *   "Element names (like Effect), operators, and predefined values are case-sensitive"; Version "The
 *   only valid value is "1""; Statement "A list of one or more permission statements"; Action, Resource
 *   "can be specified as either a single string or an array of strings". NotResource appears only in
 *   the Japanese revision of the grammar (www.alibabacloud.com/help/ja/resource-access-management/latest/policy-structure-and-syntax).
 * - Policy elements, www.alibabacloud.com/help/en/ram/policy-elements: "You can specify either Action
 *   or NotAction"; Action is `<ram-code>:<action-name>`; Resource is
 *   `acs:<ram-code>:<region>:<account-id>:<relative-id>`; "Principal ... applies only to resource-based
 *   policies, such as the trust policy of a RAM role".
 * - Trust policies in every documented example (edit-the-trust-policy-of-a-ram-role, CreateRole) have
 *   Effect, Action, Principal and an optional Condition, and no Resource.
 *
 * Stricter than the docs strictly say (they are silent, the local cloud refuses): a key written twice,
 * any element the docs do not list (Sid, Id ...), Statement as a single object instead of an array,
 * an empty array anywhere, an empty Condition or operator block, an action without a `<service>:`
 * prefix, a resource that is neither "*" nor an `acs:` ARN of five fields, control characters.
 */
import { PolicyGrammarError } from './errors';
import { isJsonArray, isJsonObject, parseJson, type JsonObject, type JsonValue } from './json';
import { parseConditionBlock, type ConditionClause, type Effect } from './conditions';
import { parsePrincipal, type PrincipalRef } from './principals';

/** identity: attached to users, groups and roles; session: AssumeRole's Policy; trust: a role's AssumeRolePolicyDocument. */
export type PolicyKind = 'identity' | 'trust' | 'session';

/** Action/NotAction or Resource/NotResource: the patterns, and whether the statement covers everything *but* them. */
export interface PatternSet {
  readonly negated: boolean;
  readonly patterns: readonly string[];
}

export interface Statement {
  readonly effect: Effect;
  readonly action: PatternSet;
  /** Absent only in trust statements, which then cover the role they are attached to. */
  readonly resource?: PatternSet;
  /** Present exactly in trust statements. */
  readonly principal?: readonly PrincipalRef[];
  readonly conditions: readonly ConditionClause[];
}

export interface Policy {
  readonly kind: PolicyKind;
  readonly statements: readonly Statement[];
}

const TOP_LEVEL = new Set(['Version', 'Statement']);
const STATEMENT_KEYS: Readonly<Record<PolicyKind, ReadonlySet<string>>> = {
  identity: new Set(['Effect', 'Action', 'NotAction', 'Resource', 'NotResource', 'Condition']),
  session: new Set(['Effect', 'Action', 'NotAction', 'Resource', 'NotResource', 'Condition']),
  trust: new Set(['Effect', 'Action', 'NotAction', 'Resource', 'NotResource', 'Principal', 'Condition']),
};

const ACTION = /^[^\s:]+:[^\s:]+$/;
const RESOURCE = /^acs:[^\s:]*:[^\s:]*:[^\s:]*:.+$/;
// eslint-disable-next-line no-control-regex -- control characters are exactly what this refuses
const CONTROL = /[\x00-\x1f\x7f]/;

function patterns(stmt: JsonObject, positive: string, negative: string, path: string, required: boolean, valid: RegExp, shape: string): PatternSet | undefined {
  const has = stmt.has(positive);
  const hasNot = stmt.has(negative);
  if (has && hasNot) throw new PolicyGrammarError(`use either ${positive} or ${negative}, not both`, `${path}.${positive}`);
  if (!has && !hasNot) {
    if (required) throw new PolicyGrammarError(`${positive} or ${negative} is required`, `${path}.${positive}`);
    return undefined;
  }
  const name = has ? positive : negative;
  const at = `${path}.${name}`;
  const raw: JsonValue | undefined = stmt.get(name);
  const list = typeof raw === 'string' ? [raw] : raw;
  if (!isJsonArray(list)) throw new PolicyGrammarError('must be a string or an array of strings', at);
  if (list.length === 0) throw new PolicyGrammarError('must not be empty', at);
  const out = list.map((v, i) => {
    if (typeof v !== 'string') throw new PolicyGrammarError('must be a string', `${at}[${i}]`);
    if (v !== '*' && (!valid.test(v) || CONTROL.test(v))) throw new PolicyGrammarError(`must be "*" or ${shape}`, `${at}[${i}]`);
    return v;
  });
  return { negated: !has, patterns: out };
}

function statement(raw: JsonValue | undefined, kind: PolicyKind, path: string): Statement {
  if (!isJsonObject(raw)) throw new PolicyGrammarError('a statement must be an object', path);
  for (const key of raw.keys()) {
    if (!STATEMENT_KEYS[kind].has(key)) {
      const why = key === 'Principal' ? 'Principal belongs only in a trust policy' : 'unknown statement element';
      throw new PolicyGrammarError(why, `${path}.${key}`);
    }
  }
  const effect = raw.get('Effect');
  if (effect !== 'Allow' && effect !== 'Deny') throw new PolicyGrammarError('Effect is required and must be "Allow" or "Deny"', `${path}.Effect`);
  const action = patterns(raw, 'Action', 'NotAction', path, true, ACTION, 'an action such as "ecs:Describe*"');
  const resource = patterns(raw, 'Resource', 'NotResource', path, kind !== 'trust', RESOURCE, 'an ARN acs:<service>:<region>:<account>:<resource>');
  if (action === undefined) throw new PolicyGrammarError('Action or NotAction is required', `${path}.Action`);
  let principal: readonly PrincipalRef[] | undefined;
  if (kind === 'trust') {
    if (!raw.has('Principal')) throw new PolicyGrammarError('a trust policy statement needs a Principal', `${path}.Principal`);
    principal = parsePrincipal(raw.get('Principal'), `${path}.Principal`);
  }
  const conditions = raw.has('Condition') ? parseConditionBlock(raw.get('Condition'), `${path}.Condition`) : [];
  return {
    effect,
    action,
    ...(resource === undefined ? {} : { resource }),
    ...(principal === undefined ? {} : { principal }),
    conditions,
  };
}

/**
 * Check a policy document against RAM's grammar.
 * @throws PolicyGrammarError with the reason and the JSON path of the first fault
 */
export function parsePolicy(text: string, kind: PolicyKind): Policy {
  const doc = parseJson(text);
  if (!isJsonObject(doc)) throw new PolicyGrammarError('a policy document is a JSON object', '');
  for (const key of doc.keys()) {
    if (!TOP_LEVEL.has(key)) throw new PolicyGrammarError('unknown top-level element (only Version and Statement)', key);
  }
  const version = doc.get('Version');
  if (version !== '1') throw new PolicyGrammarError('Version is required and must be the string "1"', 'Version');
  const list = doc.get('Statement');
  if (!isJsonArray(list)) throw new PolicyGrammarError('Statement is required and must be an array of statements', 'Statement');
  if (list.length === 0) throw new PolicyGrammarError('Statement must hold at least one statement', 'Statement');
  return { kind, statements: list.map((s, i) => statement(s, kind, `Statement[${i}]`)) };
}

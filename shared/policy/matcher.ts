/**
 * What a policy document COULD grant: the small action/resource matcher behind the guardrails.
 *
 * This is deliberately not an evaluator. RAM decides real calls (and the local cloud judges them with
 * its own engine, local/access/policy); the guardrails only ask "may this document ever let a holder do
 * X?", and answer on the stricter side:
 * - Conditions are ignored: a conditional grant is still a grant (a condition can be met).
 * - Deny statements are ignored: a Deny with conditions may not apply when it matters, so it never
 *   takes a grant away here.
 * - Actions match RAM's `*`/`?` wildcards in any case (Policy elements: Action values are not
 *   case-sensitive, www.alibabacloud.com/help/en/ram/policy-elements); NotAction grants every action
 *   it does not list.
 * - Resources: the default resource `*` means "some resource", which every Resource list reaches and
 *   a NotResource list reaches unless it excludes `*` itself. A named resource matches a Resource
 *   pattern in any case (broader) and is excluded by a NotResource pattern only in exact case
 *   (narrower exclusion): RAM's case rules for resources are not documented.
 */
import { asList, type PolicyValue } from './policy-document';

/** The statement fields the matcher reads, whatever document type the statement came from. */
interface GrantStatement {
  Effect: 'Allow' | 'Deny';
  Action?: PolicyValue;
  NotAction?: PolicyValue;
  Resource?: PolicyValue;
  NotResource?: PolicyValue;
}

/** Does `value` match `pattern`, where `*` is any run of characters and `?` exactly one? */
function matchesWildcard(pattern: string, value: string, ignoreCase = false): boolean {
  if (pattern === '*') return true;
  let source = '';
  for (const ch of pattern) {
    if (ch === '*') source += '.*';
    else if (ch === '?') source += '.';
    else source += ch.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
  }
  // `s`: a wildcard also spans newlines; `u`: `?` is one code point, not one UTF-16 unit.
  return new RegExp(`^${source}$`, ignoreCase ? 'siu' : 'su').test(value);
}

function actionMatches(s: GrantStatement, action: string): boolean {
  if (s.Action !== undefined) return asList(s.Action).some((p) => matchesWildcard(p, action, true));
  if (s.NotAction !== undefined) return !asList(s.NotAction).some((p) => matchesWildcard(p, action, true));
  return false;
}

function resourceMatches(s: GrantStatement, resource: string): boolean {
  if (s.Resource !== undefined) return resource === '*' || asList(s.Resource).some((p) => matchesWildcard(p, resource, true));
  if (s.NotResource !== undefined) {
    const excluded = asList(s.NotResource);
    return resource === '*' ? !excluded.includes('*') : !excluded.some((p) => matchesWildcard(p, resource));
  }
  // No resource element (a trust statement, or a probe stripped of its scope): it reaches its target.
  return true;
}

/** Could this one statement grant `action` on `resource`? Only Allow statements grant. */
export function statementGrants(statement: GrantStatement, action: string, resource = '*'): boolean {
  return statement.Effect === 'Allow' && actionMatches(statement, action) && resourceMatches(statement, resource);
}

/** Could any Allow statement of the document grant `action` on `resource` (default: on some resource)? */
export function grants(document: { Statement: readonly GrantStatement[] }, action: string, resource = '*'): boolean {
  return document.Statement.some((s) => statementGrants(s, action, resource));
}

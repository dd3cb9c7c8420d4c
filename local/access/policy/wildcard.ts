/**
 * Wildcard matching for Action, Resource and StringLike values.
 *
 * "An asterisk (*) matches zero or more characters ... A question mark (?) matches any single
 * character" (policy structure and syntax, www.alibabacloud.com/help/en/ram/policy-structure-and-syntax;
 * conditional operators, www.alibabacloud.com/help/en/ram/conditional-operator). Nothing in the docs
 * gives ':' or '/' a special meaning, so `*` runs across them: `acs:ecs:*:*:instance/*` matches
 * `acs:ecs:cn-hangzhou:123:instance/i-1`, and `*` alone matches every value. The docs define no
 * escape, so a literal '*' or '?' in a pattern is always a wildcard.
 *
 * Characters are Unicode code points, so '?' never matches half of a surrogate pair.
 */

function sameChar(a: string, b: string, fold: boolean): boolean {
  return a === b || (fold && (a.toLowerCase() === b.toLowerCase() || a.toUpperCase() === b.toUpperCase()));
}

/**
 * @param fold compare letters without regard to case
 */
export function wildcardMatch(pattern: string, value: string, fold: boolean): boolean {
  const p = Array.from(pattern);
  const v = Array.from(value);
  // Greedy match with one backtrack point (the last '*'): linear in the common case, never exponential.
  let pi = 0;
  let vi = 0;
  let star = -1;
  let mark = 0;
  while (vi < v.length) {
    const pc = p[pi];
    if (pc === '*') {
      star = pi++;
      mark = vi;
    } else if (pc !== undefined && (pc === '?' || sameChar(pc, v[vi] ?? '', fold))) {
      pi++;
      vi++;
    } else if (star >= 0) {
      pi = star + 1;
      vi = ++mark;
    } else {
      return false;
    }
  }
  while (p[pi] === '*') pi++;
  return pi === p.length;
}

/**
 * RAM's `*` / `?` wildcard matching, shared by Action (case-insensitive), Resource and StringLike
 * (case-sensitive). Patterns become anchored regular expressions; everything else is literal.
 */

const cache = new Map<string, RegExp>();
// Policies are few and small; the cap only stops an unbounded stream of distinct patterns from leaking memory.
const CACHE_LIMIT = 2000;

function compile(pattern: string, ignoreCase: boolean): RegExp {
  const key = `${ignoreCase ? 'i' : 's'}${pattern}`;
  const hit = cache.get(key);
  if (hit) return hit;
  let source = '';
  for (const ch of pattern) {
    if (ch === '*') source += '.*';
    else if (ch === '?') source += '.';
    else source += ch.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
  }
  // `s`: a wildcard also spans newlines; `u`: `?` is one code point, not one UTF-16 unit.
  const re = new RegExp(`^${source}$`, ignoreCase ? 'siu' : 'su');
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(key, re);
  return re;
}

/** Does `value` match `pattern`, where `*` is any run of characters and `?` exactly one? */
export function matchesWildcard(pattern: string, value: string, ignoreCase = false): boolean {
  if (pattern === '*') return true;
  if (!pattern.includes('*') && !pattern.includes('?')) {
    return ignoreCase ? pattern.toLowerCase() === value.toLowerCase() : pattern === value;
  }
  return compile(pattern, ignoreCase).test(value);
}

/**
 * What a partner may know of the catalog's profiles (`GET /profiles` on crossrole-intake), and the
 * nearest profile names to one that is not in the catalog (UNKNOWN_PROFILE's suggestion). Pure.
 *
 * A summary names each policy (type and name) but never a Custom policy's document: the owner's
 * resource names inside it are none of the partner's business, and the name says what it is for.
 */
import type { CatalogProfile } from './catalog';

interface ProfileSummary {
  name: string;
  description?: string;
  /** As the catalog writes it (`8h`, `7d`), and in seconds. */
  maxDuration: string;
  maxDurationSeconds: number;
  /** False for an auto-approved profile. */
  approvalRequired: boolean;
  /** Break-glass: requests must acknowledge it (`acknowledgePrivileged`). */
  privileged: boolean;
  policies: Array<{ type: 'System' | 'Custom'; name: string }>;
}

/** `GET /profiles`. */
export interface ProfilesAnswer {
  profiles: ProfileSummary[];
}

export function summarizeProfile(p: CatalogProfile): ProfileSummary {
  return {
    name: p.name,
    ...(p.description === undefined ? {} : { description: p.description }),
    maxDuration: p.maxDuration,
    maxDurationSeconds: p.maxDurationSeconds,
    approvalRequired: !p.autoApprove,
    privileged: p.privileged,
    policies: p.policies.map((x) => ({ type: x.type, name: x.name })),
  };
}

/** Edit distance (insertions, deletions, substitutions), case-insensitive. */
function levenshtein(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  let prev = Array.from({ length: t.length + 1 }, (_, j) => j);
  for (let i = 1; i <= s.length; i++) {
    const cur = [i];
    for (let j = 1; j <= t.length; j++) {
      cur[j] = Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + (s[i - 1] === t[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[t.length] ?? 0;
}

/**
 * The names closest to `asked`, nearest (by edit distance) first, at most `max`: names that start
 * with what was asked or that it starts with (`ecs` → `ecs-readonly`), and names within an edit
 * distance of a third of the longer name (at least 2), so a typo finds its profile and an
 * unrelated word finds none.
 */
export function suggestNames(asked: string, names: readonly string[], max = 3): string[] {
  const a = asked.trim().toLowerCase();
  if (a === '') return [];
  const scored = names.map((name) => {
    const n = name.toLowerCase();
    const prefix = n.startsWith(a) || a.startsWith(n);
    return { name, prefix, distance: levenshtein(a, n) };
  });
  return scored
    .filter((s) => s.prefix || s.distance <= Math.max(2, Math.floor(Math.max(a.length, s.name.length) / 3)))
    .sort((x, y) => x.distance - y.distance || Number(y.prefix) - Number(x.prefix) || x.name.localeCompare(y.name))
    .slice(0, max)
    .map((s) => s.name);
}

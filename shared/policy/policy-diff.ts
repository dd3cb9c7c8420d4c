/**
 * What changes between two versions of a permission policy, in words an operator can review before
 * `crossrole bootstrap` applies it (and `crossrole doctor` when RAM holds another document): each
 * statement is flattened into `Effect action on resource` grants, and the grants only one side has
 * are listed, `+` for added and `-` for removed. Order and duplication inside a document do not
 * count as changes.
 */

type Grant = string;

function list(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Every grant of a document; undefined when the text is not a policy document at all. */
function grantsOf(text: string): Set<Grant> | undefined {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isRecord(doc)) return undefined;
  const statements = Array.isArray(doc['Statement']) ? doc['Statement'] : isRecord(doc['Statement']) ? [doc['Statement']] : undefined;
  if (statements === undefined) return undefined;
  const out = new Set<Grant>();
  for (const s of statements) {
    if (!isRecord(s)) continue;
    const effect = typeof s['Effect'] === 'string' ? s['Effect'] : '?';
    const actions = s['Action'] !== undefined ? list(s['Action']) : list(s['NotAction']).map((a) => `NOT ${a}`);
    const resources = s['Resource'] !== undefined ? list(s['Resource']) : list(s['NotResource']).map((r) => `NOT ${r}`);
    const condition = s['Condition'] === undefined ? '' : ` when ${JSON.stringify(s['Condition'])}`;
    for (const a of actions.length > 0 ? actions : ['(no action)']) {
      for (const r of resources.length > 0 ? resources : ['(no resource)']) out.add(`${effect} ${a} on ${r}${condition}`);
    }
  }
  return out;
}

interface PolicyChanges {
  added: string[];
  removed: string[];
}

/** The grants `after` adds to and removes from `before` (both JSON text), sorted. */
export function policyChanges(before: string, after: string): PolicyChanges {
  const b = grantsOf(before);
  const a = grantsOf(after);
  if (b === undefined || a === undefined) {
    return { added: a === undefined ? ['(the new document is not a policy document)'] : [...a].sort(), removed: b === undefined ? ['(the current document is not a policy document)'] : [...b].sort() };
  }
  return { added: [...a].filter((g) => !b.has(g)).sort(), removed: [...b].filter((g) => !a.has(g)).sort() };
}

/**
 * The changes as lines (`+ Allow ram:… on …`, `- …`), at most `max` of them, the rest counted.
 * Documents that differ only in layout (whitespace, order) give one line saying so.
 */
export function describePolicyChanges(before: string, after: string, max = 12): string[] {
  const { added, removed } = policyChanges(before, after);
  const lines = [...removed.map((g) => `- ${g}`), ...added.map((g) => `+ ${g}`)];
  if (lines.length === 0) return ['same grants, different text (order or layout)'];
  if (lines.length <= max) return lines;
  return [...lines.slice(0, max), `… and ${lines.length - max} more`];
}

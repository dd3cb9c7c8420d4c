/** The benchmark's output: one table row per figure, notes, and results.json. */

export interface Row {
  section: string;
  metric: string;
  value: string;
  goal?: string;
  /** true = goal met, false = missed, undefined = no goal. */
  ok?: boolean;
}

export interface SectionResult {
  key: string;
  title: string;
  figures: Record<string, unknown>;
  rows: Row[];
  notes: string[];
  skipped?: string;
}

export function row(section: string, metric: string, value: string, goal?: string, ok?: boolean): Row {
  return { section, metric, value, ...(goal === undefined ? {} : { goal }), ...(ok === undefined ? {} : { ok }) };
}

export function ms(x: number): string {
  return Number.isFinite(x) ? `${x < 10 ? x.toFixed(2) : x.toFixed(0)} ms` : 'n/a';
}

export function secs(x: number): string {
  return Number.isFinite(x) ? `${x.toFixed(2)} s` : 'n/a';
}

export function renderTable(rows: readonly Row[]): string {
  const head = ['section', 'metric', 'value', 'goal', ''];
  const cells = rows.map((r) => [r.section, r.metric, r.value, r.goal ?? '', r.ok === undefined ? '' : r.ok ? 'ok' : 'MISS']);
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? '').length)));
  const line = (c: readonly string[]): string => c.map((x, i) => x.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n');
}

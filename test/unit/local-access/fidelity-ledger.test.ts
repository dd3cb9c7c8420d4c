/**
 * local/COVERAGE.md is the fidelity ledger: every deliberate difference between the local cloud and
 * the real services, with a verdict and a source. This test keeps its form honest (no network):
 * - every row of a table with a `verdict` column says stricter, equal or looser (", UNCONFIRMED" may
 *   follow), names a source, and a source of `—` comes with UNCONFIRMED;
 * - every `[key]` a source cites is defined in the ledger's key table;
 * - every looser row appears in the last section ("Looser than real — and why the product does not
 *   depend on it", or its "Known gaps"), by service and behaviour, and that section lists nothing else.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const LEDGER = join(resolve(__dirname, '..', '..', '..'), 'local', 'COVERAGE.md');
const FINAL_SECTION = /^Looser than real\b/;
const VERDICT = /^(stricter|equal|looser)(, UNCONFIRMED)?$/;
const NO_SOURCE = '—';

interface Table {
  /** The `##` section the table sits in (the service). */
  section: string;
  /** Inside the final section (its `###` subsections included). */
  final: boolean;
  header: string[];
  rows: { line: number; cells: Record<string, string> }[];
}

/** Cells of a markdown table row; `\|` is a literal bar inside a cell. */
function cells(line: string): string[] {
  const inner = line.trim().replace(/^\|/, '').replace(/\|$/, '');
  return inner.split(/(?<!\\)\|/).map((c) => c.trim().replace(/\\\|/g, '|'));
}

function parseTables(markdown: string): Table[] {
  const lines = markdown.split('\n');
  const tables: Table[] = [];
  let section = '';
  let final = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const h2 = /^## (.+)$/.exec(line);
    if (h2) {
      section = (h2[1] ?? '').trim();
      final = FINAL_SECTION.test(section);
      continue;
    }
    const next = lines[i + 1] ?? '';
    if (!line.startsWith('|') || !/^\|\s*:?-{3,}/.test(next)) continue;
    const header = cells(line).map((h) => h.toLowerCase());
    const table: Table = { section, final, header, rows: [] };
    i += 2;
    while (i < lines.length && (lines[i] ?? '').startsWith('|')) {
      const values = cells(lines[i] ?? '');
      table.rows.push({ line: i + 1, cells: Object.fromEntries(header.map((h, k) => [h, values[k] ?? ''])) });
      i++;
    }
    i--;
    tables.push(table);
  }
  return tables;
}

const plain = (s: string): string => s.replace(/\*\*/g, '').trim();

interface Ledger {
  ledgerRows: { section: string; line: number; behaviour: string; verdict: string; source: string }[];
  finalRows: { section: string; line: number; behaviour: string }[];
  keys: Set<string>;
}

function readLedger(markdown: string): Ledger {
  const tables = parseTables(markdown);
  const ledgerRows = tables
    .filter((t) => !t.final && t.header.includes('behaviour') && t.header.includes('verdict'))
    .flatMap((t) => t.rows.map((r) => ({
      section: t.section, line: r.line, behaviour: r.cells.behaviour ?? '', verdict: plain(r.cells.verdict ?? ''), source: (r.cells.source ?? '').trim(),
    })));
  const finalRows = tables
    .filter((t) => t.final && t.header.includes('service') && t.header.includes('behaviour'))
    .flatMap((t) => t.rows.map((r) => ({ section: r.cells.service ?? '', line: r.line, behaviour: r.cells.behaviour ?? '' })));
  const keys = new Set(tables.filter((t) => t.header[0] === 'key').flatMap((t) => t.rows.map((r) => r.cells.key ?? '')));
  return { ledgerRows, finalRows, keys };
}

/** Every problem of the ledger, as readable lines (empty when it is in order). */
function problems(markdown: string): string[] {
  const { ledgerRows, finalRows, keys } = readLedger(markdown);
  const out: string[] = [];
  const id = (r: { section: string; behaviour: string }): string => `${r.section} :: ${r.behaviour}`;
  const seen = new Set<string>();
  for (const r of ledgerRows) {
    if (seen.has(id(r))) out.push(`line ${r.line}: behaviour "${r.behaviour}" appears twice in ${r.section}`);
    seen.add(id(r));
    if (!VERDICT.test(r.verdict)) out.push(`line ${r.line}: verdict "${r.verdict}" is not stricter, equal or looser (", UNCONFIRMED" may follow)`);
    if (r.source === '') out.push(`line ${r.line}: no source`);
    if (r.source === NO_SOURCE && !r.verdict.endsWith('UNCONFIRMED')) out.push(`line ${r.line}: a row without a source must say UNCONFIRMED`);
    for (const m of r.source.matchAll(/\[([a-z0-9-]+)\]/g)) {
      if (!keys.has(`[${m[1]}]`)) out.push(`line ${r.line}: source key [${m[1]}] is not in the key table`);
    }
  }
  const looser = new Set(ledgerRows.filter((r) => r.verdict.startsWith('looser')).map(id));
  const listed = new Set(finalRows.map(id));
  for (const r of ledgerRows) {
    if (looser.has(id(r)) && !listed.has(id(r))) out.push(`line ${r.line}: looser row "${id(r)}" is missing from the final section`);
  }
  for (const r of finalRows) {
    if (!looser.has(id(r))) out.push(`line ${r.line}: the final section lists "${id(r)}", which is not a looser row`);
  }
  return out;
}

describe('the fidelity ledger (local/COVERAGE.md)', () => {
  const markdown = readFileSync(LEDGER, 'utf8');
  const ledger = readLedger(markdown);

  it('has a verdict table for every service the local cloud answers for', () => {
    const sections = new Set(ledger.ledgerRows.map((r) => r.section));
    for (const s of ['Server, protocol and signatures', 'Access control and the policy engine', 'RAM', 'STS', 'ECS', 'MNS',
      'FC runtime, s.yaml, triggers and VPC', 'FC 3.0 API', 'FC 2.0 API', 'KMS (not emulated)']) {
      expect(sections).toContain(s);
    }
    expect(ledger.ledgerRows.length).toBeGreaterThan(100);
  });

  it('has a final section listing looser rows', () => {
    expect(ledger.finalRows.length).toBeGreaterThan(0);
  });

  it('is in order: verdicts, sources, keys, and every looser row explained', () => {
    expect(problems(markdown)).toEqual([]);
  });

  describe('the checks can fail', () => {
    const ledgerOf = (rows: string, final: string): string => [
      '| key | source |', '|---|---|', '| [doc] | example.com/doc |', '',
      '## RAM', '', '| behaviour | local | verdict | source |', '|---|---|---|---|', rows, '',
      '## Looser than real — and why the product does not depend on it', '',
      '| service | behaviour | why |', '|---|---|---|', final, '',
    ].join('\n');

    it('accepts a well-formed ledger', () => {
      expect(problems(ledgerOf('| A | x | looser, UNCONFIRMED | [doc] |\n| B | y | **equal** | [doc] |', '| RAM | A | reason |'))).toEqual([]);
    });

    it('refuses a verdict that is not one of the three', () => {
      expect(problems(ledgerOf('| A | x | equal in effect | [doc] |', ''))).toEqual([expect.stringContaining('verdict "equal in effect"')]);
    });

    it('refuses a looser row the final section does not list, and a listed row that is not looser', () => {
      expect(problems(ledgerOf('| A | x | looser | [doc] |\n| B | y | stricter | [doc] |', '| RAM | B | reason |'))).toEqual([
        expect.stringContaining('"RAM :: A" is missing from the final section'),
        expect.stringContaining('lists "RAM :: B", which is not a looser row'),
      ]);
    });

    it('refuses a row without a source unless it says UNCONFIRMED, and an undefined key', () => {
      expect(problems(ledgerOf('| A | x | stricter | — |\n| B | y | stricter | [nope] |', ''))).toEqual([
        expect.stringContaining('must say UNCONFIRMED'),
        expect.stringContaining('[nope] is not in the key table'),
      ]);
    });
  });
});

/**
 * `crossrole config check <file>`: every problem of a catalog at once (schema, Custom documents,
 * guardrails, unknown System policies), each at its field, and what each profile grants. Exit 1
 * when there is any error; warnings alone exit 0. `--json` prints the same as data.
 */
import { formatDuration } from '../../shared/domain/duration';
import { checkCatalogDocument, type CatalogProblem, type CatalogReport, type PolicyClassification, type ProfileReport } from '../../shared/policy';
import { readCatalogJson } from '../catalog';
import type { Session } from '../context';
import { ExitCode } from '../errors';
import { escapeInvisible } from '../format';
import type { Colors } from '../ui';

function classColour(c: Colors, cls: string): string {
  if (cls === 'privileged') return c.red(cls);
  if (cls === 'unknown') return c.yellow(cls);
  return cls === 'read-only' ? c.green(cls) : cls;
}

function policyLine(c: Colors, p: PolicyClassification): string {
  const known = p.system?.status !== undefined && p.system.status !== 'confirmed' ? ` (document ${p.system.status})` : '';
  return `    ${p.type} ${p.name}: ${classColour(c, p.class)}: ${escapeInvisible(p.reason)}${known}`;
}

function profileLines(c: Colors, p: ProfileReport, description: string | undefined): string[] {
  const approval = p.approval === 'none' ? c.yellow('auto-approved')
    : p.approval === 'review-after' ? `${c.red('break-glass')}: approved automatically, reviewed afterwards by an approver`
      : `approval required (${p.approvals > 1 ? `${p.approvals} distinct approvers` : 'one approver'}, not the requester)`;
  const extra = p.acknowledgementRequired ? '; requester must acknowledge (--acknowledge-privileged)' : '';
  const policies = p.policies.map((x) => `${x.type} ${x.name}`).join(', ');
  const lines = [`  ${c.bold(p.name)}: ${policies}; up to ${p.maxDuration}; ${approval}; ${classColour(c, p.class)}${extra}`];
  if (description !== undefined) lines.push(`    ${c.dim(escapeInvisible(description))}`);
  return lines.concat(p.policies.map((x) => policyLine(c, x)));
}

function problemLine(c: Colors, p: CatalogProblem): string {
  const tag = p.severity === 'error' ? c.red('error  ') : c.yellow('warning');
  return `  ${tag} ${p.code} ${escapeInvisible(`${p.field}: ${p.message}`)}`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function descriptions(raw: unknown): Map<number, string> {
  const out = new Map<number, string>();
  const profiles = typeof raw === 'object' && raw !== null ? (raw as { profiles?: unknown }).profiles : undefined;
  if (Array.isArray(profiles)) {
    profiles.forEach((p: unknown, i) => {
      const d = typeof p === 'object' && p !== null ? (p as { description?: unknown }).description : undefined;
      if (typeof d === 'string') out.set(i, d);
    });
  }
  return out;
}

function printHuman(session: Session, file: string, raw: unknown, report: CatalogReport): void {
  const { ui } = session;
  const c = ui.c;
  const status = report.valid ? c.green('valid') : c.red(`invalid (${plural(report.errors.length, 'error')})`);
  const warned = report.warnings.length > 0 ? `, ${plural(report.warnings.length, 'warning')}` : '';
  ui.out(`${escapeInvisible(file)}: ${status}${warned}.`);
  const cat = report.catalog;
  if (cat !== undefined) {
    ui.out(`Owner account ${cat.ownerAccountId}; partners ${cat.partners === 'open' ? 'open to any account' : cat.partners.join(', ')}; pending requests lapse after ${formatDuration(cat.pendingTtlSeconds)}.`);
    ui.out(`Approvers: ${cat.approvers.join(', ')}`);
  }
  if (report.profiles.length > 0) {
    ui.out('Profiles:');
    const desc = descriptions(raw);
    for (const p of report.profiles) for (const line of profileLines(c, p, desc.get(p.index))) ui.out(line);
  }
  // Problems are diagnostics: stderr, so that stdout stays the report.
  const problems = [...report.errors, ...report.warnings];
  if (problems.length > 0) {
    ui.info(`${escapeInvisible(file)}: ${[report.errors.length > 0 ? plural(report.errors.length, 'error') : '', report.warnings.length > 0 ? plural(report.warnings.length, 'warning') : ''].filter((x) => x !== '').join(', ')}:`);
    for (const p of problems) ui.info(problemLine(c, p));
  }
}

export function configCheckCommand(session: Session, file: string): number {
  const raw = readCatalogJson(file);
  const report = checkCatalogDocument(raw);
  if (session.ui.json) session.ui.printJson({ file, ...report });
  else printHuman(session, file, raw, report);
  return report.valid ? ExitCode.OK : ExitCode.FAILED;
}

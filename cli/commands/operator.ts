/**
 * Operator commands: `invoke` (a function through the FC 3.0 API, 2023-03-30) and `config check`
 * (validate a catalog). `bootstrap` is in ./bootstrap.ts, `doctor` in ./doctor.ts.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createFcClient } from '../../shared/cloud';
import { formatDuration } from '../../shared/domain/duration';
import { loadCatalogFile } from '../catalog';
import type { Session } from '../context';
import { CliError, ExitCode } from '../errors';
import { profilePolicies } from '../format';

/** The repository root: two levels up from dist/cli/index.js (and from cli/commands/*.ts unbundled). */
export function projectRoot(): string {
  return resolve(__dirname, '..', '..');
}

/**
 * InvokeFunction of the FC 3.0 API (2023-03-30, `@alicloud/fc20230330`) on
 * `<owner>.<region>.fc.aliyuncs.com`: s.yaml deploys FC 3.0 functions, which have no service, so
 * the function name is the one in s.yaml (`crossrole-expiry`). Exit 1 on an API error or a
 * function that throws.
 */
export async function invokeCommand(session: Session, functionName: string, o: { eventFile?: string; async?: boolean }): Promise<number> {
  const { ui } = session;
  // The owner account is part of the FC endpoint: refuse early (exit 2) when it is not known.
  session.ownerAccountId();
  const eps = session.endpoints();
  const { credentials } = await session.credentials();
  let event: unknown = {};
  if (o.eventFile !== undefined) {
    const text = (() => {
      try {
        return readFileSync(o.eventFile, 'utf8');
      } catch (e) {
        throw new CliError('EVENT_FILE_UNREADABLE', `cannot read ${o.eventFile}: ${e instanceof Error ? e.message : String(e)}`, { hint: 'pass a file from events/ (e.g. events/timer/expiry-scan.json).' });
      }
    })();
    try {
      event = JSON.parse(text);
    } catch {
      event = text;
    }
  }
  const fc = createFcClient({ endpoint: eps.fc, credentials, logger: session.logger });
  const r = await fc.invoke(functionName, event, { async: o.async === true });
  if (ui.json) ui.printJson(r);
  else if (o.async === true) {
    // FC accepted the event (202); the function runs later, with FC's async retries.
    ui.out(`${functionName}: queued for asynchronous invocation${r.requestId ? ` (FC request ${r.requestId})` : ''}`);
  } else {
    ui.info(`${functionName} answered${r.requestId ? ` (FC request ${r.requestId})` : ''}:`);
    ui.out(typeof r.result === 'string' ? r.result : JSON.stringify(r.result ?? null, null, 2));
  }
  return ExitCode.OK;
}

export function configCheckCommand(session: Session, file: string): number {
  const { ui } = session;
  const catalog = loadCatalogFile(file);
  if (ui.json) {
    ui.printJson({ valid: true, catalog });
    return ExitCode.OK;
  }
  ui.out(`${file}: valid. Owner account ${catalog.ownerAccountId}; partners ${catalog.partners === 'open' ? 'open to any account' : catalog.partners.join(', ')}; pending requests lapse after ${formatDuration(catalog.pendingTtlSeconds)}.`);
  ui.out(`Approvers: ${catalog.approvers.join(', ')}`);
  for (const p of catalog.profiles) {
    const flags = [p.autoApprove ? ui.c.yellow('auto-approved') : 'approval required', p.privileged ? ui.c.red('privileged') : undefined].filter((x) => x !== undefined).join(', ');
    ui.out(`  ${ui.c.bold(p.name)}: ${profilePolicies(p)}; up to ${p.maxDuration}; ${flags}`);
    if (p.description !== undefined) ui.out(`    ${ui.c.dim(p.description)}`);
    for (const policy of p.policies) {
      if (policy.type !== 'Custom') continue;
      const statements = policy.document['Statement'];
      for (const s of Array.isArray(statements) ? (statements as Array<{ Effect?: string; Action?: unknown; Resource?: unknown }>) : []) ui.out(`    ${policy.name}: ${s.Effect ?? '?'} ${JSON.stringify(s.Action)} on ${JSON.stringify(s.Resource)}`);
    }
  }
  return ExitCode.OK;
}

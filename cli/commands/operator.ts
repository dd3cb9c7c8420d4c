/**
 * Operator command `invoke` (a function through the FC 3.0 API, 2023-03-30). `config check` is in
 * ./config-check.ts, `bootstrap` in ./bootstrap.ts, `doctor` in ./doctor.ts.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createFcClient } from '../../shared/cloud';
import type { Session } from '../context';
import { errorMessage } from '../../shared/domain/errors';
import { CliError, ExitCode } from '../errors';

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
        throw new CliError('EVENT_FILE_UNREADABLE', `cannot read ${o.eventFile}: ${errorMessage(e)}`, { hint: 'pass a file from events/ (e.g. events/timer/expiry-scan.json).' });
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

/**
 * Changing an ACTIVE grant's expiry: `crossrole extend`, `crossrole shorten` (the grant's partner;
 * approvers may shorten too) and `crossrole extension approve|reject` (approvers). Thin: call the
 * API, print the answer; `--wait` polls until the change is applied (or waits for an approver).
 */
import type { ChangeExpiryBody, ExtensionAnswer } from '../../shared/domain/api';
import type { Session } from '../context';
import { CliError, ExitCode, UsageError } from '../errors';
import { safeName } from '../format';
import { sleep } from './wait';

interface ChangeOptions {
  by?: string;
  until?: string;
  reason: string;
  wait?: boolean;
  timeout: number;
}

function bodyOf(o: ChangeOptions): ChangeExpiryBody {
  if ((o.by === undefined) === (o.until === undefined)) throw new UsageError('give exactly one of --by <duration> or --until <time>', 'e.g. --by 2h, or --until 2026-12-07T18:00:00Z');
  return { reason: o.reason, ...(o.by === undefined ? {} : { duration: o.by }), ...(o.until === undefined ? {} : { until: o.until }) };
}

/** Poll until the extension leaves APPROVED (applied, or cancelled by a revocation). */
async function waitApplied(session: Session, answer: ExtensionAnswer, timeoutSeconds: number): Promise<ExtensionAnswer> {
  const deadline = Date.now() + timeoutSeconds * 1000;
  let current = answer;
  while (current.extension.status === 'APPROVED') {
    if (Date.now() > deadline) throw new CliError('TIMEOUT', `extension ${answer.extension.id} still ${current.extension.status} after ${timeoutSeconds}s`);
    await sleep(500);
    const view = await session.api().get(answer.request.id);
    const e = view.extensions?.find((x) => x.id === answer.extension.id);
    if (e !== undefined) current = { request: view.request, extension: e };
  }
  return current;
}

function report(session: Session, a: ExtensionAnswer, what: string): number {
  const { ui } = session;
  if (ui.json) {
    ui.printJson(a);
    return ExitCode.OK;
  }
  const e = a.extension;
  ui.out(`${what} ${safeName(a.request.id)}: ${safeName(e.kind)} ${safeName(e.fromExpiresAt)} -> ${ui.c.bold(safeName(e.newExpiresAt))}, ${safeName(e.status)}`);
  if (e.status === 'PENDING') ui.out(`Next: an approver decides (crossrole extension approve ${safeName(a.request.id)}); the grant stays ACTIVE until ${safeName(a.request.expiresAt ?? '?')} meanwhile.`);
  if (e.status === 'APPLIED') ui.out(`The grant now ends at ${safeName(a.request.expiresAt ?? '?')} (ledger, guard policy and role tag).`);
  return e.status === 'CANCELLED' || e.status === 'REJECTED' ? ExitCode.FAILED : ExitCode.OK;
}

export async function extendCommand(session: Session, id: string, o: ChangeOptions): Promise<number> {
  let a = await session.api().extend(id, bodyOf(o));
  if (o.wait) a = await waitApplied(session, a, o.timeout);
  return report(session, a, 'Extension of');
}

export async function shortenCommand(session: Session, id: string, o: ChangeOptions): Promise<number> {
  let a = await session.api().shorten(id, bodyOf(o));
  if (o.wait) a = await waitApplied(session, a, o.timeout);
  return report(session, a, 'Shortening of');
}

export async function decideExtensionCommand(session: Session, id: string, decision: 'approve' | 'reject', o: { reason?: string; wait?: boolean; timeout: number }): Promise<number> {
  let a = await session.api().decideExtension(id, decision, o.reason === undefined ? {} : { reason: o.reason });
  if (o.wait) a = await waitApplied(session, a, o.timeout);
  return report(session, a, decision === 'approve' ? 'Approved the extension of' : 'Rejected the extension of');
}

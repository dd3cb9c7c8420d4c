/**
 * The request commands of partners and approvers: request, status, list, cancel, revoke,
 * partner-policy, approve, reject, retry, reconcile, review. Thin: call the API, print the answer.
 */
import type { AccessRequest } from '../../shared/domain/access-request';
import type { RoleReconciliation, SubmitRequestBody } from '../../shared/domain/api';
import { profilePoliciesOf } from '../catalog';
import type { Session } from '../context';
import { CliError, ExitCode } from '../errors';
import { approvalLines, escapeInvisible, extensionLines, historyLines, listLines, requestLines, safeName, statusColour } from '../format';
import { UNHAPPY_STATUSES, waitForStatus } from './wait';

interface RequestOptions {
  profile: string;
  duration: string;
  reason: string;
  roleName?: string;
  principal?: string[];
  acknowledgePrivileged?: boolean;
  startAt?: string;
  ticket?: string;
  wait?: boolean;
  timeout: number;
}

function exitFor(r: AccessRequest): number {
  return UNHAPPY_STATUSES.includes(r.status) ? ExitCode.FAILED : ExitCode.OK;
}

async function printRequest(session: Session, r: AccessRequest): Promise<void> {
  const { ui } = session;
  const profile = await profilePoliciesOf(session, r.profile);
  for (const line of requestLines(ui.c, r, profile)) ui.out(line);
}

export async function requestCommand(session: Session, o: RequestOptions): Promise<number> {
  const { ui } = session;
  const body: SubmitRequestBody = {
    profile: o.profile,
    duration: o.duration,
    reason: o.reason,
    ...(o.roleName === undefined ? {} : { roleName: o.roleName }),
    ...(o.principal === undefined || o.principal.length === 0 ? {} : { principals: o.principal }),
    ...(o.acknowledgePrivileged ? { acknowledgePrivileged: true } : {}),
    ...(o.startAt === undefined ? {} : { startAt: o.startAt }),
    ...(o.ticket === undefined ? {} : { ticket: o.ticket }),
  };
  let r = await session.api().submit(body);
  if (!ui.json) {
    ui.out(`Request ${ui.c.bold(safeName(r.id))} submitted: ${statusColour(ui.c, safeName(r.status))}`);
    ui.out(`  role ${safeName(r.roleName)} in account A, trusting ${r.principals.map(safeName).join(', ')}`);
    if (r.breakGlass !== undefined) ui.out(`  break-glass: granted without an approver; the approvers are told, and review it by ${safeName(r.breakGlass.reviewDueAt)}`);
  }
  if (o.wait) r = await waitForStatus(session, r.id, { timeoutSeconds: o.timeout });
  if (ui.json) {
    ui.printJson({ request: r });
    return exitFor(r);
  }
  if (o.wait) await printRequest(session, r);
  if (r.status === 'PENDING') ui.out(`Next: ${r.approvalsRequired === undefined ? 'an approver decides' : `${r.approvalsRequired} different approvers approve`} (crossrole inbox); follow it with: crossrole status ${safeName(r.id)}`);
  if (r.status === 'SCHEDULED') ui.out(`Scheduled: nothing exists in account A until ${safeName(r.startAt ?? '?')}; crossrole cancel ${safeName(r.id)} withdraws it until then.`);
  if (r.status === 'ACTIVE') ui.out(`Next: crossrole partner-policy ${safeName(r.id)}   (for your admin), then: crossrole assume ${safeName(r.id)}`);
  return exitFor(r);
}

export async function statusCommand(session: Session, id: string): Promise<number> {
  const { ui } = session;
  const view = await session.api().get(id);
  if (ui.json) {
    ui.printJson(view);
    return ExitCode.OK;
  }
  await printRequest(session, view.request);
  if (view.approvals !== undefined && (view.approvals.required > 1 || view.approvals.decisions.length > 0)) for (const line of approvalLines(ui.c, view.approvals)) ui.out(line);
  if (view.extensions !== undefined && view.extensions.length > 0) {
    ui.out('');
    ui.out(ui.c.bold('Extensions'));
    for (const line of extensionLines(ui.c, view.extensions)) ui.out(line);
  }
  ui.out('');
  ui.out(ui.c.bold('History'));
  for (const line of historyLines(ui.c, view.history)) ui.out(line);
  return ExitCode.OK;
}

export async function listCommand(session: Session, o: { status?: string; limit?: number; unreviewed?: boolean }): Promise<number> {
  const { ui } = session;
  // --unreviewed: the break-glass grants still waiting for their review (approvers and operators).
  const query = o.unreviewed === true ? { unreviewed: 'all' as const } : o.status === undefined ? {} : { status: o.status };
  const items = await session.api().listAll(query, 'intake', o.limit ?? 1000);
  const shown = o.limit === undefined ? items : items.slice(0, o.limit);
  if (ui.json) ui.printJson({ items: shown });
  else for (const line of listLines(ui.c, shown)) ui.out(line);
  return ExitCode.OK;
}

export async function cancelCommand(session: Session, id: string, o: { reason?: string }): Promise<number> {
  const r = await session.api().cancel(id, o.reason);
  return done(session, r, `Request ${id} cancelled.`);
}

function done(session: Session, r: AccessRequest, message: string): number {
  const { ui } = session;
  if (ui.json) ui.printJson({ request: r });
  else ui.out(`${message} Status: ${statusColour(ui.c, safeName(r.status))}`);
  return ExitCode.OK;
}

export async function revokeCommand(session: Session, id: string, o: { delete?: boolean; reason: string; wait?: boolean; timeout: number }): Promise<number> {
  const { ui } = session;
  const asked = o.delete ? 'delete' : 'trust';
  const answer = await session.api().revoke(id, asked, o.reason);
  let r = answer.request;
  if (o.wait) r = await waitForStatus(session, id, { timeoutSeconds: o.timeout, until: ['REVOKED', 'FAILED'] });
  const mode = answer.modeApplied;
  if (ui.json) {
    ui.printJson({ request: r, modeApplied: mode });
    return r.status === 'FAILED' ? ExitCode.FAILED : ExitCode.OK;
  }
  const how = mode === 'delete' ? 'the role is deleted' : 'the partner is removed from the trust policy and the permissions detached';
  ui.out(`Revocation of ${id} ${r.status === 'REVOKED' ? 'done' : 'started'}, mode ${safeName(mode)} (${how}). Status: ${statusColour(ui.c, safeName(r.status))}`);
  if (mode !== asked) {
    ui.info(ui.c.yellow(`You asked for mode ${asked}, but the grant was already being revoked in mode ${safeName(mode)}, which is what applies.`));
    if (asked === 'delete') ui.info(`Once it is REVOKED, ask again to delete the role: crossrole revoke ${safeName(id)} --delete --reason ...`);
  }
  return r.status === 'FAILED' ? ExitCode.FAILED : ExitCode.OK;
}

function reconcileLines(session: Session, x: RoleReconciliation): string[] {
  const { c } = session.ui;
  const list = (items: readonly string[]): string => (items.length === 0 ? 'none' : items.join(', '));
  const lines = [
    `${c.bold('role')}          ${safeName(x.roleName)}: ${x.rolePresent ? 'present' : 'not in RAM'}`,
    `${c.bold('ledger')}        ${x.ledgerStatus === undefined ? 'no such request' : statusColour(c, safeName(x.ledgerStatus))}`,
  ];
  if (x.rolePresent) {
    lines.push(`${c.bold('trusts')}        ${list(x.trustedAccounts.map(safeName))}`);
    lines.push(`${c.bold('policies')}      ${list(x.attachedPolicies.map((p) => `${safeName(p.type)} ${safeName(p.name)}`))}`);
  }
  if (x.guard !== undefined) lines.push(`${c.bold('guard')}         ${safeName(x.guard.name)}: ${x.guard.attached ? 'attached' : 'NOT attached'}, document ${x.guard.document}`);
  // `why` and the actions are the server's own words (names in them are validated RAM names).
  lines.push(`${c.bold('desired')}       ${safeName(x.desired)}: ${escapeInvisible(x.why)}`);
  lines.push(`${c.bold('outcome')}       ${safeName(x.outcome)}`);
  if (x.actions.length === 0) lines.push(`${c.bold('actions')}       none`);
  else for (const [i, a] of x.actions.entries()) lines.push(`${c.bold(i === 0 ? 'actions' : '       ')}       ${escapeInvisible(a)}`);
  return lines;
}

export async function reconcileCommand(session: Session, id: string): Promise<number> {
  const { ui } = session;
  const answer = await session.api().reconcile(id);
  if (ui.json) {
    ui.printJson(answer);
    return ExitCode.OK;
  }
  ui.out(`Reconciled ${safeName(id)} with the ledger:`);
  for (const line of reconcileLines(session, answer.reconcile)) ui.out(`  ${line}`);
  return ExitCode.OK;
}

export async function partnerPolicyCommand(session: Session, id: string): Promise<number> {
  const { ui } = session;
  const { request: r } = await session.api().get(id);
  if (r.grant === undefined) {
    throw new CliError('NOT_ACTIVE', `request ${id} has no role yet (status ${r.status})`, {
      hint: r.status === 'PENDING' || r.status === 'APPROVED' ? `wait for it: crossrole status ${id} (or request with --wait)` : 'only a granted request has a partner policy.',
    });
  }
  const policy = JSON.parse(r.grant.partnerPolicy) as unknown;
  if (ui.json) {
    ui.printJson({ requestId: r.id, roleArn: r.grant.roleArn, externalId: r.grant.externalId, policy, switchRole: r.grant.switchRole });
    return ExitCode.OK;
  }
  ui.info(`Step 2 of the tutorial, for the administrator of account ${safeName(r.partnerAccountId)}: create this custom policy and attach it to`);
  ui.info(`the users who may assume ${safeName(r.grant.roleArn)} (AssumeRole needs ExternalId ${safeName(r.grant.externalId)}).`);
  ui.out(JSON.stringify(policy, null, 2));
  return ExitCode.OK;
}

export async function approveCommand(session: Session, id: string, o: { duration?: string; reason?: string; wait?: boolean; timeout: number }): Promise<number> {
  let r = await session.api().approve(id, { ...(o.duration === undefined ? {} : { duration: o.duration }), ...(o.reason === undefined ? {} : { reason: o.reason }) });
  if (r.status === 'PENDING' && !session.ui.json) {
    // Below the quorum: say how far it got.
    const { approvals } = await session.api().get(id, 'approval');
    if (approvals !== undefined) session.ui.out(`Approval recorded: ${approvals.received} of ${approvals.required}; ${approvals.remaining} more needed from other approvers. Status: ${statusColour(session.ui.c, 'PENDING')}`);
    return ExitCode.OK;
  }
  if (o.wait) r = await waitForStatus(session, id, { timeoutSeconds: o.timeout, via: 'approval' });
  done(session, r, r.status === 'SCHEDULED' ? `Request ${id} approved; it starts at ${safeName(r.startAt ?? '?')}.` : `Request ${id} approved.`);
  return exitFor(r);
}

export async function rejectCommand(session: Session, id: string, o: { reason: string }): Promise<number> {
  const r = await session.api().reject(id, o.reason);
  return done(session, r, `Request ${id} rejected.`);
}

export async function retryCommand(session: Session, id: string, o: { wait?: boolean; timeout: number }): Promise<number> {
  let r = await session.api().retry(id);
  if (o.wait) r = await waitForStatus(session, id, { timeoutSeconds: o.timeout, via: 'approval' });
  done(session, r, `Request ${id} retried.`);
  return exitFor(r);
}

export async function reviewCommand(session: Session, id: string, o: { verdict: 'ok' | 'flag'; note: string }): Promise<number> {
  const { ui } = session;
  const r = await session.api().review(id, { verdict: o.verdict, note: o.note });
  if (ui.json) {
    ui.printJson({ request: r });
    return ExitCode.OK;
  }
  ui.out(`Break-glass grant ${safeName(id)} reviewed: ${o.verdict === 'ok' ? ui.c.green('ok') : ui.c.red('flagged')}. Status: ${statusColour(ui.c, safeName(r.status))}`);
  if (o.verdict === 'flag' && (r.status === 'ACTIVE' || r.status === 'APPROVED')) ui.info(`The grant is still live; to end it now: crossrole revoke ${safeName(id)} --reason ...`);
  return ExitCode.OK;
}

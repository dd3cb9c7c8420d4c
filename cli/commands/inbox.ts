/**
 * `crossrole inbox`: the approver pulls the queued approval messages (MNS, with the approver's own
 * credentials), reads each request from the approval API (the message carries only an id; the
 * ledger is the authority), and approves, rejects or skips it.
 * - Acted on, or no longer PENDING (decided elsewhere, cancelled, lapsed, unknown): the message is
 *   deleted. Several messages for one request (the scan re-announces) are handled as one.
 * - Skipped: the message becomes visible again shortly, for a later run or another approver.
 * - `--json`: peeks (takes nothing, deletes nothing) and prints the PENDING requests.
 */
import { isCancel, note, selectKey, text } from '@clack/prompts';
import type { ReceivedMessage } from '../../shared/domain/ports';
import { parseWorkflowMessage } from '../../shared/domain/messages';
import { formatDuration } from '../../shared/domain/duration';
import type { RequestView } from '../../shared/domain/api';
import { createApprovalsQueue, type ApprovalsQueue } from '../approvals-queue';
import { knownCatalog, knownProfile } from '../catalog';
import type { Session } from '../context';
import { CliError, ExitCode, UsageError } from '../errors';
import { historyLines, profilePolicies, requestLines } from '../format';
import type { Decision } from '../parse';


export interface InboxOptions {
  decision?: Decision;
  yes?: boolean;
  reason?: string;
  duration?: string;
  catalog?: string;
}

/** Time to decide one batch before its messages show up for others again. */
const DECISION_SECONDS = 600;
/** A skipped message is shown again this soon. */
const SKIP_SECONDS = 10;

function queueOf(session: Session, credentials: Awaited<ReturnType<Session['credentials']>>['credentials']): ApprovalsQueue {
  const eps = session.endpoints();
  return createApprovalsQueue({ endpoint: eps.mns, accountId: session.ownerAccountId(), region: eps.region, credentials, logger: session.logger });
}

interface Entry {
  requestId: string;
  messages: ReceivedMessage[];
}

function group(messages: readonly ReceivedMessage[], malformed: ReceivedMessage[]): Entry[] {
  const byId = new Map<string, Entry>();
  for (const m of messages) {
    const parsed = parseWorkflowMessage(m.body);
    if (!parsed.ok || parsed.message.kind !== 'approval-needed') {
      malformed.push(m);
      continue;
    }
    const id = parsed.message.requestId;
    const e = byId.get(id) ?? { requestId: id, messages: [] };
    e.messages.push(m);
    byId.set(id, e);
  }
  return [...byId.values()];
}

async function fetchView(session: Session, id: string): Promise<RequestView | undefined> {
  try {
    return await session.api().get(id, 'approval');
  } catch (e) {
    if (e instanceof CliError && e.code === 'NOT_FOUND') return undefined;
    throw e;
  }
}

async function inboxJson(session: Session, queue: ApprovalsQueue, catalogPath?: string): Promise<number> {
  const peeked = await queue.peek();
  const seen = new Set<string>();
  const items: Array<RequestView & { messageIds: string[]; policies?: string[] }> = [];
  const catalog = knownCatalog(session, catalogPath);
  for (const m of peeked) {
    const parsed = parseWorkflowMessage(m.body);
    if (!parsed.ok || parsed.message.kind !== 'approval-needed') continue;
    const id = parsed.message.requestId;
    const existing = items.find((i) => i.request.id === id);
    if (existing) {
      existing.messageIds.push(m.messageId);
      continue;
    }
    if (seen.has(id)) continue;
    seen.add(id);
    const view = await fetchView(session, id);
    if (view === undefined || view.request.status !== 'PENDING') continue;
    const profile = knownProfile(catalog, view.request.profile);
    items.push({ ...view, messageIds: [m.messageId], ...(profile ? { policies: profile.policies.map((p) => `${p.type}:${p.name}`) } : {}) });
  }
  session.ui.printJson({ items });
  return ExitCode.OK;
}

async function ask(session: Session, view: RequestView, index: number, total: number, catalogPath?: string): Promise<{ decision: Decision; reason?: string } | 'quit'> {
  const { ui } = session;
  const r = view.request;
  const profile = knownProfile(knownCatalog(session, catalogPath), r.profile);
  const lines = [...requestLines(ui.c, r, profile), '', ui.c.bold('History'), ...historyLines(ui.c, view.history)];
  note(lines.join('\n'), `Request ${index} of ${total}: ${r.profile} for ${formatDuration(r.durationSeconds)}${profile ? ` (${profilePolicies(profile)})` : ''}`);
  const key = await selectKey({
    message: 'Decision',
    options: [
      { value: 'a', label: 'approve' },
      { value: 'r', label: 'reject', hint: 'asks for a reason' },
      { value: 's', label: 'skip', hint: 'leave it in the queue' },
    ],
  });
  if (isCancel(key)) return 'quit';
  if (key === 'a') return { decision: 'approve' };
  if (key === 's') return { decision: 'skip' };
  const reason = await text({
    message: 'Reason for the rejection (the partner sees it)',
    validate: (v) => (v === undefined || v.trim() === '' ? 'a reason is required' : undefined),
  });
  if (isCancel(reason)) return 'quit';
  return { decision: 'reject', reason };
}

export async function inboxCommand(session: Session, o: InboxOptions): Promise<number> {
  const { ui } = session;
  const decision = o.decision ?? (o.yes ? 'approve' : undefined);
  if (decision === 'reject' && (o.reason === undefined || o.reason.trim() === '')) throw new UsageError('--decision reject needs --reason "<why>"');
  if (!ui.json && decision === undefined && !ui.interactive) {
    throw new UsageError('inbox asks for each decision and needs a terminal', 'use --json to list the pending requests, or --decision approve|reject|skip to decide them all.');
  }
  const { credentials } = await session.credentials();
  const queue = queueOf(session, credentials);
  if (ui.json) return inboxJson(session, queue, o.catalog);

  const counts = { approved: 0, rejected: 0, skipped: 0, dropped: 0 };
  const skipped = new Set<string>();
  const dropAll = async (messages: readonly ReceivedMessage[]): Promise<void> => {
    for (const m of messages) await queue.delete(m.receiptHandle);
  };
  let quit = false;
  while (!quit) {
    const received = await queue.receive(DECISION_SECONDS);
    if (received.length === 0) break;
    const malformed: ReceivedMessage[] = [];
    const entries = group(received, malformed);
    if (malformed.length > 0) {
      await dropAll(malformed);
      counts.dropped += malformed.length;
      ui.info(`dropped ${malformed.length} message(s) that are not approval requests`);
    }
    if (entries.length > 0 && entries.every((e) => skipped.has(e.requestId))) {
      // Only what this run already skipped came back: show it again later, and stop.
      for (const e of entries) for (const m of e.messages) await queue.showAgainIn(m.receiptHandle, SKIP_SECONDS);
      break;
    }
    // Read every request of the batch first: only the PENDING ones are shown (and counted).
    const pending: Array<Entry & { view: RequestView }> = [];
    for (const e of entries) {
      if (skipped.has(e.requestId)) {
        for (const m of e.messages) await queue.showAgainIn(m.receiptHandle, SKIP_SECONDS);
        continue;
      }
      const view = await fetchView(session, e.requestId);
      if (view === undefined || view.request.status !== 'PENDING') {
        await dropAll(e.messages);
        counts.dropped++;
        ui.info(`${e.requestId}: ${view === undefined ? 'unknown request' : `no longer pending (${view.request.status})`}; message removed`);
        continue;
      }
      pending.push({ ...e, view });
    }
    for (const [i, e] of pending.entries()) {
      if (quit) {
        for (const m of e.messages) await queue.showAgainIn(m.receiptHandle, 1);
        continue;
      }
      const view = e.view;
      const choice = decision !== undefined
        ? { decision, ...(o.reason === undefined ? {} : { reason: o.reason }) }
        : await ask(session, view, i + 1, pending.length, o.catalog);
      if (choice === 'quit') {
        quit = true;
        for (const m of e.messages) await queue.showAgainIn(m.receiptHandle, 1);
        continue;
      }
      if (choice.decision === 'skip') {
        skipped.add(e.requestId);
        counts.skipped++;
        for (const m of e.messages) await queue.showAgainIn(m.receiptHandle, SKIP_SECONDS);
        ui.info(`${e.requestId}: skipped (back in the queue in ${SKIP_SECONDS}s)`);
        continue;
      }
      try {
        if (choice.decision === 'approve') {
          const r = await session.api().approve(e.requestId, { ...(o.duration === undefined ? {} : { duration: o.duration }), ...(choice.reason === undefined ? {} : { reason: choice.reason }) });
          counts.approved++;
          ui.out(`${e.requestId}: approved (${r.status}); provisioning creates ${r.roleName}`);
        } else {
          await session.api().reject(e.requestId, choice.reason ?? '');
          counts.rejected++;
          ui.out(`${e.requestId}: rejected`);
        }
      } catch (err) {
        // Decided by someone else in the meantime: the message is stale either way.
        if (!(err instanceof CliError && (err.code === 'ILLEGAL_TRANSITION' || err.code === 'NOT_FOUND'))) {
          for (const m of e.messages) await queue.showAgainIn(m.receiptHandle, SKIP_SECONDS);
          throw err;
        }
        counts.dropped++;
        ui.info(`${e.requestId}: already decided elsewhere (${err.message}); message removed`);
      }
      await dropAll(e.messages);
    }
  }
  const total = counts.approved + counts.rejected + counts.skipped + counts.dropped;
  ui.out(total === 0 ? 'Inbox empty: no requests waiting for a decision.' : `Inbox: ${counts.approved} approved, ${counts.rejected} rejected, ${counts.skipped} skipped, ${counts.dropped} removed (no longer pending).`);
  return quit ? ExitCode.FAILED : ExitCode.OK;
}

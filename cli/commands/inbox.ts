/**
 * `crossrole inbox`: the approver pages through the approvals queue (MNS, with the approver's own
 * credentials), reads each request from the approval API (`GET /requests/{id}`: the message
 * carries only an id, and the ledger is the authority), and lists or decides the PENDING ones.
 * - Paging: BatchReceiveMessage with long polling, again and again. What a run takes stays
 *   invisible to further receives while the run lasts and its receipt handle is remembered, so each
 *   page brings messages not seen yet; the run ends when a receive yields nothing new (or the
 *   approver stops). A peek would only ever show the first 16 visible messages.
 * - A message whose request the ledger reports as no longer PENDING is stale: deleted as it is
 *   met, so old messages stop hiding the pending ones. Several messages for one request (the scan
 *   re-announces) are handled as one.
 * - Decided here: its messages are deleted. Listed, skipped or left undecided: its messages are
 *   released at the end and become visible again (skipped ones after SKIP_SECONDS).
 * - A request the ledger does not know is left in the queue, with a warning: "not found" from a
 *   wrong `--endpoint` must not empty the queue.
 * - `--json`: lists every PENDING request; deletes nothing but stale messages.
 * - Quorum (`approvals: N`): an approval that leaves the request PENDING does not delete its
 *   message, which is released for the other approvers; a request the caller already approved is
 *   not shown to them again (its message is released at once).
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
import { approvalLines, escapeInvisible, historyLines, profilePolicies, requestLines, safeName } from '../format';
import type { Decision } from '../parse';

interface InboxOptions {
  decision?: Decision;
  yes?: boolean;
  reason?: string;
  duration?: string;
  catalog?: string;
}

/** Time to decide what one run took before its messages show up for others again. */
const DECISION_SECONDS = 600;
/** How long `--json` holds what it took (it releases all of it when done). */
const LIST_SECONDS = 60;
/** Long polling per receive: a page comes back as soon as messages are visible, an empty one after this. */
const RECEIVE_WAIT_SECONDS = 2;
/** A skipped request's messages are shown again this long after the run. */
const SKIP_SECONDS = 10;
/**
 * Released messages (listed, undecided, unknown) are visible again this soon: ChangeMessageVisibility
 * takes 1 to 43200 s (https://www.alibabacloud.com/help/doc-detail/35142.htm), 0 is refused.
 */
const RELEASE_SECONDS = 1;
/** Held messages that are not approval requests, by this key instead of a request id. */
const MALFORMED = '';
/** The key extension-needed messages are held under: released when the run ends, for `crossrole extension`. */
const EXTENSIONS = ' extensions';

function queueOf(session: Session, credentials: Awaited<ReturnType<Session['credentials']>>['credentials']): ApprovalsQueue {
  const eps = session.endpoints();
  return createApprovalsQueue({ endpoint: eps.mns, accountId: session.ownerAccountId(), region: eps.region, credentials, logger: session.logger });
}

interface Entry {
  requestId: string;
  messages: ReceivedMessage[];
}

function group(messages: readonly ReceivedMessage[], malformed: ReceivedMessage[], extensions: Entry[]): Entry[] {
  const byId = new Map<string, Entry>();
  for (const m of messages) {
    const parsed = parseWorkflowMessage(m.body);
    // A grant's extension waits for `crossrole extension approve|reject`: kept, never dropped here.
    if (parsed.ok && parsed.message.kind === 'extension-needed') {
      extensions.push({ requestId: parsed.message.requestId, messages: [m] });
      continue;
    }
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

/** A PENDING request met in the queue for the first time in this run. */
interface PendingEntry {
  requestId: string;
  view: RequestView;
}

/** What the ledger said of a request (or, `settled`, that this run decided it; `waiting`: the caller approved, others must). */
type Verdict = 'pending' | 'waiting' | 'stale' | 'unknown' | 'settled';

interface Pager {
  /** The PENDING requests of the next pages not met yet in this run; [] when the queue yields nothing new. */
  next(): Promise<PendingEntry[]>;
  /** Decided in this run: delete its messages, now and whenever more of them are met. */
  settle(requestId: string): Promise<void>;
  /** When the run ends, show this request's messages again after `seconds` (default RELEASE_SECONDS). */
  releaseAfter(requestId: string, seconds: number): void;
  /** Release every message still held. Never throws: what it cannot release comes back by itself. */
  finish(): Promise<void>;
  /** The messages held for a request (before finish). */
  messageIds(requestId: string): string[];
  /** Requests the ledger reports as no longer PENDING (their messages deleted). */
  readonly stale: ReadonlySet<string>;
  /** Requests the ledger does not know (their messages left in the queue). */
  readonly unknown: ReadonlySet<string>;
  /** Messages deleted because they are not approval requests (deciding runs only). */
  malformedDropped(): number;
}

function createPager(session: Session, queue: ApprovalsQueue, o: { visibilitySeconds: number; dropMalformed: boolean; quiet: boolean }): Pager {
  const say = (line: string): void => {
    if (!o.quiet) session.ui.info(line);
  };
  const seen = new Set<string>();
  /** request id (or MALFORMED) -> message id -> the message with its latest receipt handle. */
  const held = new Map<string, Map<string, ReceivedMessage>>();
  const keyOf = new Map<string, string>();
  const verdicts = new Map<string, Verdict>();
  const releaseSeconds = new Map<string, number>();
  const stale = new Set<string>();
  const unknown = new Set<string>();
  let malformedDropped = 0;

  const hold = (key: string, m: ReceivedMessage): void => {
    const ms = held.get(key) ?? new Map<string, ReceivedMessage>();
    ms.set(m.messageId, m);
    held.set(key, ms);
    keyOf.set(m.messageId, key);
  };
  /** Delete every message held under `key`. */
  const drop = async (key: string): Promise<number> => {
    const ms = held.get(key);
    held.delete(key);
    for (const m of ms?.values() ?? []) await queue.delete(m.receiptHandle);
    return ms?.size ?? 0;
  };

  /** What the ledger says of a request met for the first time; its messages are already held. */
  async function judge(requestId: string): Promise<PendingEntry | undefined> {
    let verdict = verdicts.get(requestId);
    let found: PendingEntry | undefined;
    if (verdict === undefined) {
      const view = await fetchView(session, requestId);
      verdict = view === undefined ? 'unknown' : view.request.status !== 'PENDING' ? 'stale' : view.approvals?.callerDecided === true ? 'waiting' : 'pending';
      verdicts.set(requestId, verdict);
      if (view !== undefined && verdict === 'waiting') {
        say(`${safeName(requestId)}: you approved it; ${view.approvals?.remaining ?? '?'} more approval(s) needed from others; message left for them`);
      }
      if (view !== undefined && verdict === 'pending') found = { requestId, view };
      if (view !== undefined && verdict === 'stale') {
        stale.add(requestId);
        say(`${safeName(requestId)}: no longer pending (${safeName(view.request.status)}); message removed`);
      }
      if (verdict === 'unknown') {
        unknown.add(requestId);
        session.ui.info(`${safeName(requestId)}: not in the ledger (check --endpoint); message left in the queue`);
      }
    }
    if (verdict === 'stale' || verdict === 'settled') await drop(requestId);
    return found;
  }

  return {
    async next() {
      for (;;) {
        const fresh: ReceivedMessage[] = [];
        for (const m of await queue.receive(o.visibilitySeconds, RECEIVE_WAIT_SECONDS)) {
          if (!seen.has(m.messageId)) {
            seen.add(m.messageId);
            fresh.push(m);
            continue;
          }
          // Held longer than its visibility and taken again: only the newest receipt handle is valid.
          const key = keyOf.get(m.messageId);
          if (key !== undefined) hold(key, m);
        }
        if (fresh.length === 0) return [];
        // Held before anything can fail, so that finish() releases them whatever happens.
        const malformed: ReceivedMessage[] = [];
        const extensions: Entry[] = [];
        const entries = group(fresh, malformed, extensions);
        for (const e of entries) for (const m of e.messages) hold(e.requestId, m);
        for (const e of extensions) {
          for (const m of e.messages) hold(EXTENSIONS, m);
          say(`grant ${safeName(e.requestId)} has an extension waiting: crossrole status ${safeName(e.requestId)}, then crossrole extension approve|reject ${safeName(e.requestId)}`);
        }
        for (const m of malformed) hold(MALFORMED, m);
        if (malformed.length > 0 && o.dropMalformed) {
          malformedDropped += await drop(MALFORMED);
          say(`dropped ${malformed.length} message(s) that are not approval requests`);
        }
        const found: PendingEntry[] = [];
        for (const e of entries) {
          const p = await judge(e.requestId);
          if (p !== undefined) found.push(p);
        }
        if (found.length > 0) return found;
      }
    },
    async settle(requestId) {
      verdicts.set(requestId, 'settled');
      await drop(requestId);
    },
    releaseAfter(requestId, seconds) {
      releaseSeconds.set(requestId, seconds);
    },
    async finish() {
      let failed = 0;
      for (const [key, ms] of held) {
        for (const m of ms.values()) {
          try {
            await queue.showAgainIn(m.receiptHandle, releaseSeconds.get(key) ?? RELEASE_SECONDS);
          } catch {
            failed++;
          }
        }
      }
      held.clear();
      if (failed > 0) session.ui.info(`could not release ${failed} message(s); they become visible again when their visibility timeout ends`);
    },
    messageIds: (requestId) => [...(held.get(requestId)?.keys() ?? [])],
    stale,
    unknown,
    malformedDropped: () => malformedDropped,
  };
}

async function inboxJson(session: Session, queue: ApprovalsQueue, catalogPath?: string): Promise<number> {
  const catalog = knownCatalog(session, catalogPath);
  const pager = createPager(session, queue, { visibilitySeconds: LIST_SECONDS, dropMalformed: false, quiet: true });
  const pending: PendingEntry[] = [];
  const items: Array<RequestView & { messageIds: string[]; policies?: string[] }> = [];
  try {
    for (;;) {
      const page = await pager.next();
      if (page.length === 0) break;
      pending.push(...page);
    }
    for (const { requestId, view } of pending) {
      const profile = knownProfile(catalog, view.request.profile);
      items.push({ ...view, messageIds: pager.messageIds(requestId), ...(profile ? { policies: profile.policies.map((p) => `${p.type}:${p.name}`) } : {}) });
    }
  } finally {
    await pager.finish();
  }
  session.ui.printJson({ items, removed: pager.stale.size, unknown: [...pager.unknown] });
  return ExitCode.OK;
}

async function ask(session: Session, view: RequestView, index: number, total: number, catalogPath?: string): Promise<{ decision: Decision; reason?: string } | 'quit'> {
  const { ui } = session;
  const r = view.request;
  const profile = knownProfile(knownCatalog(session, catalogPath), r.profile);
  const quorum = view.approvals !== undefined && view.approvals.required > 1 ? approvalLines(ui.c, view.approvals) : [];
  const lines = [...requestLines(ui.c, r, profile), ...quorum, '', ui.c.bold('History'), ...historyLines(ui.c, view.history)];
  note(lines.join('\n'), `Request ${index} of ${total}: ${safeName(r.profile)} for ${formatDuration(r.durationSeconds)}${profile ? ` (${profilePolicies(profile)})` : ''}`);
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
  return inboxWith(session, queueOf(session, credentials), o);
}

/** The inbox over a given queue, options already checked (tests pass an in-memory queue). */
export async function inboxWith(session: Session, queue: ApprovalsQueue, o: InboxOptions): Promise<number> {
  const { ui } = session;
  if (ui.json) return inboxJson(session, queue, o.catalog);
  const decision = o.decision ?? (o.yes ? 'approve' : undefined);
  const counts = { approved: 0, rejected: 0, skipped: 0, elsewhere: 0 };
  const pager = createPager(session, queue, { visibilitySeconds: DECISION_SECONDS, dropMalformed: true, quiet: false });
  let quit = false;
  try {
    while (!quit) {
      const page = await pager.next();
      if (page.length === 0) break;
      for (const [i, e] of page.entries()) {
        const choice = decision !== undefined
          ? { decision, ...(o.reason === undefined ? {} : { reason: o.reason }) }
          : await ask(session, e.view, i + 1, page.length, o.catalog);
        if (choice === 'quit') {
          // Everything not decided yet is released when the run ends.
          quit = true;
          break;
        }
        if (choice.decision === 'skip') {
          counts.skipped++;
          pager.releaseAfter(e.requestId, SKIP_SECONDS);
          ui.info(`${safeName(e.requestId)}: skipped (back in the queue ${SKIP_SECONDS}s after this run)`);
          continue;
        }
        try {
          if (choice.decision === 'approve') {
            const r = await session.api().approve(e.requestId, { ...(o.duration === undefined ? {} : { duration: o.duration }), ...(choice.reason === undefined ? {} : { reason: choice.reason }) });
            counts.approved++;
            if (r.status === 'PENDING') {
              // Below the quorum: the message stays for the other approvers (released when the run ends).
              ui.out(`${safeName(e.requestId)}: approval recorded; it needs ${r.approvalsRequired ?? 1} different approvers, waiting for the others`);
              continue;
            }
            ui.out(`${safeName(e.requestId)}: approved (${safeName(r.status)}); provisioning creates ${safeName(r.roleName)}`);
          } else {
            await session.api().reject(e.requestId, choice.reason ?? '');
            counts.rejected++;
            ui.out(`${safeName(e.requestId)}: rejected`);
          }
        } catch (err) {
          // Decided by someone else in the meantime: the message is stale either way.
          if (!(err instanceof CliError && (err.code === 'ILLEGAL_TRANSITION' || err.code === 'NOT_FOUND'))) {
            pager.releaseAfter(e.requestId, SKIP_SECONDS);
            throw err;
          }
          counts.elsewhere++;
          ui.info(`${safeName(e.requestId)}: already decided elsewhere (${escapeInvisible(err.message)}); message removed`);
        }
        await pager.settle(e.requestId);
      }
    }
  } finally {
    await pager.finish();
  }
  const removed = pager.stale.size + pager.malformedDropped() + counts.elsewhere;
  const total = counts.approved + counts.rejected + counts.skipped + removed;
  ui.out(total === 0 ? 'Inbox empty: no requests waiting for a decision.' : `Inbox: ${counts.approved} approved, ${counts.rejected} rejected, ${counts.skipped} skipped, ${removed} removed (no longer pending).`);
  return quit ? ExitCode.FAILED : ExitCode.OK;
}

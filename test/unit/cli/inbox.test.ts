/**
 * The inbox's paging over the approvals queue, against an in-memory queue with MNS's visibility
 * rules (a taken message is invisible until its visibility ends; each take issues a new receipt
 * handle and voids the old one) and a fake approval API as the ledger.
 */
import { Writable } from 'node:stream';

// @clack/prompts is ESM only (jest runs CommonJS); nothing here prompts.
jest.mock('@clack/prompts', () => ({}));
import { createUi } from '../../../cli/ui';
import { CliError } from '../../../cli/errors';
import { inboxWith } from '../../../cli/commands/inbox';
import type { AccessRequest } from '../../../shared/domain/access-request';

type Session = Parameters<typeof inboxWith>[0];
type Queue = Parameters<typeof inboxWith>[1];

interface Stored {
  messageId: string;
  body: string;
  visibleAt: number;
  handle: string;
  dequeueCount: number;
}

/** MNS semantics that matter here, on a fake clock (a long poll that finds nothing advances it). */
function memoryQueue() {
  let now = 0;
  let seq = 0;
  const messages: Stored[] = [];
  const calls = { receive: 0, delete: 0, release: 0 };
  const byHandle = (h: string): Stored | undefined => messages.find((m) => m.handle === h && m.visibleAt > now);
  const queue: Queue = {
    async receive(visibilitySeconds, waitSeconds = 1) {
      calls.receive++;
      let visible = messages.filter((m) => m.visibleAt <= now);
      if (visible.length === 0 && waitSeconds > 0) {
        now += waitSeconds * 1000;
        visible = messages.filter((m) => m.visibleAt <= now);
      }
      return visible.slice(0, 16).map((m) => {
        m.visibleAt = now + visibilitySeconds * 1000;
        m.handle = `h${++seq}`;
        m.dequeueCount++;
        return { messageId: m.messageId, receiptHandle: m.handle, body: m.body, dequeueCount: m.dequeueCount };
      });
    },
    async delete(h) {
      calls.delete++;
      const m = byHandle(h);
      if (m) messages.splice(messages.indexOf(m), 1);
    },
    async showAgainIn(h, seconds) {
      calls.release++;
      expect(seconds).toBeGreaterThanOrEqual(1);
      const m = byHandle(h);
      if (m) m.visibleAt = now + seconds * 1000;
    },
  };
  return {
    queue,
    calls,
    send(requestId: string, body = JSON.stringify({ requestId, kind: 'approval-needed' })) {
      messages.push({ messageId: `m${messages.length + 1}-${requestId}`, body, visibleAt: now, handle: '', dequeueCount: 0 });
    },
    ids: () => messages.map((m) => m.messageId),
    visibleIds: () => messages.filter((m) => m.visibleAt <= now).map((m) => m.messageId),
    advance: (seconds: number) => (now += seconds * 1000),
  };
}

function request(id: string, status: AccessRequest['status']): AccessRequest {
  return {
    id, version: 1, status, partnerAccountId: '1879324520397241', requesterArn: 'acs:ram::1879324520397241:user/partner-admin',
    profile: 'ecs-readonly', durationSeconds: 3600, reason: 'r', roleName: `crossrole-${id}`, principals: ['acs:ram::1879324520397241:root'],
    externalId: 'x', createdAt: '2025-01-01T00:00:00.000Z', updatedAt: '2025-01-01T00:00:00.000Z',
  };
}

function ledger(requests: AccessRequest[]) {
  const byId = new Map(requests.map((r) => [r.id, r]));
  const gets: string[] = [];
  const api = {
    async get(id: string) {
      gets.push(id);
      const r = byId.get(id);
      if (!r) throw new CliError('NOT_FOUND', `request ${id} not found`, { status: 404 });
      return { request: { ...r }, history: [] };
    },
    async approve(id: string) {
      const r = byId.get(id);
      if (!r || r.status !== 'PENDING') throw new CliError('ILLEGAL_TRANSITION', 'not pending', { status: 409 });
      r.status = 'APPROVED';
      return { ...r };
    },
    async reject(id: string) {
      const r = byId.get(id);
      if (!r || r.status !== 'PENDING') throw new CliError('ILLEGAL_TRANSITION', 'not pending', { status: 409 });
      r.status = 'REJECTED';
      return { ...r };
    },
  };
  return { api, gets, byId };
}

function session(json: boolean, api: unknown): { session: Session; out: () => string; err: () => string } {
  let out = '';
  let err = '';
  const sink = (add: (s: string) => void) => new Writable({ write(chunk: Buffer, _enc, cb) { add(chunk.toString()); cb(); } });
  const ui = createUi({ cwd: '/', home: '/', noColor: true, forceColor: false }, json, { stdout: sink((s) => (out += s)), stderr: sink((s) => (err += s)), stdinIsTTY: false });
  return { session: { ui, api: () => api, local: () => undefined } as unknown as Session, out: () => out, err: () => err };
}

const ids = (prefix: string, n: number): string[] => Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(2, '0')}`);

describe('inbox --json pages through the whole queue', () => {
  it('lists the 5 pending requests behind 25 stale messages, and deletes the stale ones only', async () => {
    const q = memoryQueue();
    const decided = ids('done', 25);
    const pending = ids('wait', 5);
    for (const id of [...decided, ...pending]) q.send(id);
    const { api, gets } = ledger([...decided.map((id, i) => request(id, i % 2 ? 'REJECTED' : 'ACTIVE')), ...pending.map((id) => request(id, 'PENDING'))]);
    const s = session(true, api);

    expect(await inboxWith(s.session, q.queue, {})).toBe(0);
    const shown = JSON.parse(s.out()) as { items: Array<{ request: { id: string }; messageIds: string[] }>; removed: number; unknown: string[] };
    expect(shown.items.map((i) => i.request.id)).toEqual(pending);
    expect(shown.items[0]?.messageIds).toEqual(['m26-wait00']);
    expect(shown).toMatchObject({ removed: 25, unknown: [] });
    // The stale messages are gone; the pending ones stay, visible again a second later.
    expect(q.ids()).toEqual(pending.map((id, i) => `m${26 + i}-${id}`));
    q.advance(1);
    expect(q.visibleIds()).toEqual(q.ids());
    expect(new Set(gets).size).toBe(30);
    expect(s.err()).toBe('');
  });

  it('shows a request with several messages once, and leaves unknown and malformed messages alone', async () => {
    const q = memoryQueue();
    q.send('a');
    q.send('ghost');
    q.send('x', 'not json');
    q.send('a');
    const { api } = ledger([request('a', 'PENDING')]);
    const s = session(true, api);
    expect(await inboxWith(s.session, q.queue, {})).toBe(0);
    const shown = JSON.parse(s.out()) as { items: Array<{ request: { id: string }; messageIds: string[] }>; removed: number; unknown: string[] };
    expect(shown.items).toHaveLength(1);
    expect(shown.items[0]?.messageIds).toEqual(['m1-a', 'm4-a']);
    expect(shown).toMatchObject({ removed: 0, unknown: ['ghost'] });
    expect(q.ids()).toHaveLength(4);
    expect(s.err()).toContain('ghost: not in the ledger');
  });

  it('pages past more pending messages than one receive returns', async () => {
    const q = memoryQueue();
    const pending = ids('p', 40);
    for (const id of pending) q.send(id);
    const s = session(true, ledger(pending.map((id) => request(id, 'PENDING'))).api);
    await inboxWith(s.session, q.queue, {});
    expect((JSON.parse(s.out()) as { items: unknown[] }).items).toHaveLength(40);
    expect(q.ids()).toHaveLength(40);
  });

  it('releases what it took when the ledger fails midway', async () => {
    const q = memoryQueue();
    for (const id of ['a', 'b']) q.send(id);
    const { api } = ledger([request('a', 'PENDING')]);
    const failing = { ...api, get: async (id: string) => (id === 'b' ? Promise.reject(new CliError('NETWORK', 'down')) : api.get(id)) };
    const s = session(true, failing);
    await expect(inboxWith(s.session, q.queue, {})).rejects.toThrow('down');
    q.advance(1);
    expect(q.visibleIds()).toEqual(['m1-a', 'm2-b']);
  });
});

describe('inbox --decision', () => {
  it('approves every pending request across pages and removes the stale messages as met', async () => {
    const q = memoryQueue();
    const decided = ids('done', 20);
    const pending = ids('wait', 20);
    for (const id of [...decided, ...pending]) q.send(id);
    const { api, byId } = ledger([...decided.map((id) => request(id, 'CANCELLED')), ...pending.map((id) => request(id, 'PENDING'))]);
    const s = session(false, api);
    expect(await inboxWith(s.session, q.queue, { decision: 'approve' })).toBe(0);
    expect(pending.every((id) => byId.get(id)?.status === 'APPROVED')).toBe(true);
    expect(q.ids()).toEqual([]);
    expect(s.out()).toContain('Inbox: 20 approved, 0 rejected, 0 skipped, 20 removed (no longer pending).');
  });

  it('a deciding run names grants with an extension waiting and keeps those messages (never dropped as malformed)', async () => {
    const q = memoryQueue();
    q.send('a');
    q.send('g', JSON.stringify({ requestId: 'g', kind: 'extension-needed' }));
    q.send('x', 'not json');
    const { api } = ledger([request('a', 'PENDING')]);
    const s = session(false, api);
    expect(await inboxWith(s.session, q.queue, { decision: 'approve' })).toBe(0);
    expect(s.err()).toContain('grant g has an extension waiting');
    expect(s.err()).toContain('crossrole extension approve|reject g');
    q.advance(1);
    expect(q.ids()).toEqual(['m2-g']);
  });

  it('skip leaves the messages of pending requests for later, and shows each request once', async () => {
    const q = memoryQueue();
    q.send('a');
    q.send('gone');
    q.send('a');
    const { api } = ledger([request('a', 'PENDING'), request('gone', 'LAPSED')]);
    const s = session(false, api);
    expect(await inboxWith(s.session, q.queue, { decision: 'skip' })).toBe(0);
    expect(s.out()).toContain('0 approved, 0 rejected, 1 skipped, 1 removed');
    expect(s.err()).toContain('gone: no longer pending (LAPSED); message removed');
    expect(q.ids()).toEqual(['m1-a', 'm3-a']);
    q.advance(5);
    expect(q.visibleIds()).toEqual([]);
    q.advance(5);
    expect(q.visibleIds()).toEqual(['m1-a', 'm3-a']);
  });

  it('a request decided elsewhere in the meantime: its messages are removed, the run goes on', async () => {
    const q = memoryQueue();
    q.send('a');
    q.send('b');
    const { api, byId } = ledger([request('a', 'PENDING'), request('b', 'PENDING')]);
    const racing = { ...api, approve: async (id: string) => { if (id === 'a') { const r = byId.get('a'); if (r) r.status = 'REJECTED'; } return api.approve(id); } };
    const s = session(false, racing);
    expect(await inboxWith(s.session, q.queue, { decision: 'approve' })).toBe(0);
    expect(s.err()).toContain('a: already decided elsewhere');
    expect(q.ids()).toEqual([]);
  });
});

describe('inbox and quorum (approvals: 2)', () => {
  /** A two-approval request: an approval below the quorum leaves it PENDING, and the view says who decided. */
  function quorumLedger(id: string) {
    const r = { ...request(id, 'PENDING'), approvalsRequired: 2 };
    const decided = new Set<string>();
    let me = 'approver';
    const api = {
      async get() {
        const approvals = { required: 2, received: decided.size, remaining: 2 - decided.size, decisions: [], callerDecided: decided.has(me) };
        return { request: { ...r }, history: [], approvals };
      },
      async approve() {
        decided.add(me);
        if (decided.size >= 2) r.status = 'APPROVED';
        return { ...r };
      },
    };
    return { api, r, as: (who: string) => { me = who; } };
  }

  it('an approval below the quorum keeps the message for the other approver; the approver who decided is not asked again', async () => {
    const q = memoryQueue();
    q.send('two');
    const l = quorumLedger('two');
    const first = session(false, l.api);
    expect(await inboxWith(first.session, q.queue, { decision: 'approve' })).toBe(0);
    expect(first.out()).toContain('two: approval recorded; it needs 2 different approvers, waiting for the others');
    expect(q.ids()).toEqual(['m1-two']);

    q.advance(1);
    const again = session(false, l.api);
    expect(await inboxWith(again.session, q.queue, { decision: 'approve' })).toBe(0);
    expect(again.err()).toContain('two: you approved it; 1 more approval(s) needed from others; message left for them');
    expect(again.out()).toContain('Inbox empty: no requests waiting for a decision.');
    expect(q.ids()).toEqual(['m1-two']);

    q.advance(1);
    l.as('approver-2');
    const second = session(false, l.api);
    expect(await inboxWith(second.session, q.queue, { decision: 'approve' })).toBe(0);
    expect(second.out()).toContain('two: approved (APPROVED)');
    expect(l.r.status).toBe('APPROVED');
    expect(q.ids()).toEqual([]);
  });
});

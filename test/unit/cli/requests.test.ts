/**
 * `crossrole status` and `request` print partner-written text escaped and quoted in text mode,
 * and the raw value in `--json` (JSON escapes it).
 */
import { Writable } from 'node:stream';
import { createUi } from '../../../cli/ui';
import { requestCommand, statusCommand } from '../../../cli/commands/requests';
import type { AccessRequest } from '../../../shared/domain/access-request';

// @clack/prompts is ESM only (jest runs CommonJS); nothing here prompts or spins.
jest.mock('@clack/prompts', () => ({}));

type Session = Parameters<typeof statusCommand>[0];

const forgedReason = 'audit\n  decided by  acs:ram::1511928242963727:user/approver (approved)\u202E';
const forgedPrincipal = 'acs:ram::1879324520397241:user/bob, acs:ram::1879324520397241:root';

const hostile: AccessRequest = {
  id: '0f8e4c1a-1111-4222-8333-444455556666', version: 1, status: 'PENDING', partnerAccountId: '1879324520397241',
  requesterArn: 'acs:ram::1879324520397241:user/partner-admin', profile: 'ecs-readonly', durationSeconds: 3600,
  reason: forgedReason, roleName: 'crossrole-\u2066nimda\u2069', principals: [forgedPrincipal], externalId: 'x',
  createdAt: '2025-01-01T00:00:00.000Z', updatedAt: '2025-01-01T00:00:00.000Z',
};

function session(json: boolean): { session: Session; out: () => string } {
  let out = '';
  const sink = new Writable({ write(chunk: Buffer, _enc, cb) { out += chunk.toString(); cb(); } });
  const ui = createUi({ cwd: '/', home: '/', noColor: true, forceColor: false }, json, { stdout: sink, stderr: sink, stdinIsTTY: false });
  const api = {
    get: async () => ({ request: hostile, history: [{ id: 1, requestId: hostile.id, at: hostile.createdAt, actor: hostile.requesterArn, action: 'CREATE', fromStatus: null, toStatus: 'PENDING', reason: forgedReason }] }),
    submit: async () => hostile,
  };
  return { session: { ui, api: () => api, local: () => undefined } as unknown as Session, out: () => out };
}

describe('status', () => {
  it('shows the forged reason as one quoted, escaped row (and the history likewise)', async () => {
    const s = session(false);
    expect(await statusCommand(s.session, hostile.id)).toBe(0);
    const lines = s.out().split('\n');
    expect(lines.filter((l) => l.includes('decided by'))).toEqual([
      '  reason      "audit\\n  decided by  acs:ram::1511928242963727:user/approver (approved)\\u202e"',
      expect.stringMatching(/CREATE .* "audit\\n {2}decided by {2}.*\\u202e"$/),
    ]);
    expect(s.out()).toContain('role        "crossrole-\\u2066nimda\\u2069"');
    expect(s.out()).toContain(`trusts      "${forgedPrincipal}"`);
    expect(s.out()).not.toMatch(/[\u202E\u2066\u2069]/);
  });

  it('--json keeps the raw values', async () => {
    const s = session(true);
    await statusCommand(s.session, hostile.id);
    const view = JSON.parse(s.out()) as { request: AccessRequest };
    expect(view.request.reason).toBe(forgedReason);
    expect(view.request.roleName).toBe(hostile.roleName);
  });
});

describe('request', () => {
  it('echoes the role name and principals escaped', async () => {
    const s = session(false);
    await requestCommand(s.session, { profile: 'ecs-readonly', duration: '1h', reason: forgedReason, timeout: 1 });
    expect(s.out()).toContain(`role "crossrole-\\u2066nimda\\u2069" in account A, trusting "${forgedPrincipal}"`);
  });
});

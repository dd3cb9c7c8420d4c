import { QueueName } from '../../../shared/domain/ports';
import {
  approverEntryMatches, MAX_DELAY_SECONDS, parseDeadLetterBody, parseWorkflowMessage, queueOf, sendFor, sharedPolicyName,
} from '../../../shared/workflow';
import { makeWorld, OWNER } from '../../fakes';

describe('workflow messages', () => {
  it('parses objects and JSON text, strictly', () => {
    expect(parseWorkflowMessage({ requestId: 'abc-1', kind: 'provision' })).toEqual({ ok: true, message: { requestId: 'abc-1', kind: 'provision' } });
    expect(parseWorkflowMessage('{"requestId":"abc-1","version":3,"kind":"expire"}')).toEqual({ ok: true, message: { requestId: 'abc-1', version: 3, kind: 'expire' } });
    for (const bad of ['', '{', '[]', 'null', { requestId: 'a' }, { requestId: 'a b', kind: 'revoke' }, { requestId: 'a', kind: 'revoke', version: -1 }, { requestId: 'a', kind: 'revoke', version: 1.5 }, { requestId: 'a', kind: 'revoke', x: 1 }, { requestId: 'x'.repeat(65), kind: 'revoke' }]) {
      expect(parseWorkflowMessage(bad).ok).toBe(false);
    }
  });

  it('reads dead letters as sent or wrapped in a CloudEvent, plain or base64', () => {
    const m = { requestId: 'abc-1', kind: 'revoke' };
    const b64 = Buffer.from(JSON.stringify(m)).toString('base64');
    expect(parseDeadLetterBody(JSON.stringify(m))).toEqual({ ok: true, message: m });
    expect(parseDeadLetterBody(b64)).toEqual({ ok: true, message: m });
    expect(parseDeadLetterBody(JSON.stringify({ data: { messageBody: JSON.stringify(m) } }))).toEqual({ ok: true, message: m });
    expect(parseDeadLetterBody(JSON.stringify({ data: { messageBody: b64 } }))).toEqual({ ok: true, message: m });
    expect(parseDeadLetterBody(JSON.stringify({ data: { messageBody: 'TEST' } })).ok).toBe(false);
  });

  it('routes kinds to queues and caps delays at the MNS maximum', async () => {
    expect(queueOf('approval-needed')).toBe(QueueName.APPROVALS);
    expect(queueOf('provision')).toBe(QueueName.PROVISION);
    expect(queueOf('revoke')).toBe(QueueName.REVOKE);
    expect(queueOf('expire')).toBe(QueueName.REVOKE);
    const w = makeWorld();
    await sendFor(w.deps, { id: 'a', version: 1 }, 'expire', 10 * 86400);
    await sendFor(w.deps, { id: 'a', version: 1 }, 'expire', 0.2);
    await sendFor(w.deps, { id: 'a', version: 1 }, 'expire', -5);
    expect(w.queue.sends.map((s) => s.delaySeconds)).toEqual([MAX_DELAY_SECONDS, 1, undefined]);
  });
});

describe('names and approvers', () => {
  it('keeps shared policy names within RAM\'s 128 characters, unique and stable', () => {
    expect(sharedPolicyName('ops', 'restart')).toBe('crossrole-ops-restart');
    const a = sharedPolicyName('p'.repeat(48), 'x'.repeat(100));
    const b = sharedPolicyName('p'.repeat(48), `${'x'.repeat(99)}y`);
    expect(a).toHaveLength(128);
    expect(a).toMatch(/^[A-Za-z0-9-]+$/);
    expect(a).not.toBe(b);
    expect(sharedPolicyName('p'.repeat(48), 'x'.repeat(100))).toBe(a);
  });

  it('matches approvers exactly, and sessions of a listed role', () => {
    const role = `acs:ram::${OWNER}:role/Approvers`;
    expect(approverEntryMatches(`acs:ram::${OWNER}:user/alice`, `acs:ram::${OWNER}:user/alice`)).toBe(true);
    expect(approverEntryMatches(`acs:ram::${OWNER}:user/alice`, `acs:ram::${OWNER}:user/Alice`)).toBe(false);
    expect(approverEntryMatches(role, `acs:ram::${OWNER}:assumed-role/approvers/s1`)).toBe(true);
    expect(approverEntryMatches(role, `acs:ram::${OWNER}:role/approvers`)).toBe(false);
    expect(approverEntryMatches(role, `acs:ram::9999999999999999:assumed-role/Approvers/s1`)).toBe(false);
    expect(approverEntryMatches(`acs:ram::${OWNER}:user/alice`, `acs:ram::${OWNER}:assumed-role/alice/s1`)).toBe(false);
    expect(approverEntryMatches(`acs:ram::${OWNER}:root`, `acs:ram::${OWNER}:user/alice`)).toBe(false);
  });
});

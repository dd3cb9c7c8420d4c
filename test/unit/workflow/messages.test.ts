import { QueueName } from '../../../shared/domain/ports';
import { approverEntryMatches } from '../../../shared/workflow/support/authz';
import { MAX_DELAY_SECONDS, queueOf, sendFor } from '../../../shared/workflow/support/messages';
import { sharedPolicyName } from '../../../shared/domain/policy-names';
import { makeWorld, OWNER } from '../../fakes';

describe('sending workflow messages', () => {
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

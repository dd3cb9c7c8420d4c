/**
 * GET /profiles (listProfiles) and the nearest names an unknown profile is answered with.
 */
import { CrossroleError } from '../../../shared/domain/errors';
import { suggestNames } from '../../../shared/domain/profile-summary';
import { listProfiles, submitRequest } from '../../../shared/workflow';
import { callers, makeWorld } from '../../fakes';
import { baseInput } from './helpers';

function codeOfSync(f: () => unknown): string | undefined {
  try {
    f();
    return undefined;
  } catch (e) {
    return e instanceof CrossroleError ? e.code : 'not a CrossroleError';
  }
}

describe('listProfiles', () => {
  it('gives partners who may ask, and approvers, every profile without policy documents', () => {
    const w = makeWorld();
    const { profiles } = listProfiles(w.deps, callers.bob);
    expect(profiles.map((p) => p.name)).toEqual(['ecs-read', 'ops', 'auto-read', 'admin', 'templated']);
    expect(profiles.find((p) => p.name === 'ops')).toEqual({
      name: 'ops', maxDuration: expect.any(String), maxDurationSeconds: expect.any(Number), approvalRequired: true, privileged: false,
      policies: [{ type: 'System', name: 'AliyunECSReadOnlyAccess' }, { type: 'Custom', name: 'restart' }],
    });
    expect(profiles.find((p) => p.name === 'auto-read')).toMatchObject({ approvalRequired: false, maxDurationSeconds: 7200 });
    expect(profiles.find((p) => p.name === 'admin')).toMatchObject({ privileged: true });
    expect(JSON.stringify(profiles)).not.toContain('Statement');
    expect(listProfiles(w.deps, callers.alice).profiles).toHaveLength(5);
  });

  it('refuses whoever submit would refuse, with the same codes', () => {
    const w = makeWorld();
    expect(codeOfSync(() => listProfiles(w.deps, callers.mallory))).toBe('FORBIDDEN_PARTNER_NOT_ALLOWED');
    expect(codeOfSync(() => listProfiles(w.deps, callers.eve))).toBe('FORBIDDEN_PARTNER_ACCOUNT');
  });
});

describe('unknown profile names', () => {
  it('suggests by prefix, then by edit distance, and nothing for an unrelated word', () => {
    const names = ['ecs-readonly', 'ecs-readonly-auto', 'oss-bucket-read', 'rds-operator', 'break-glass-admin'];
    expect(suggestNames('ecs-readonly-autp', names)).toEqual(['ecs-readonly-auto', 'ecs-readonly']);
    expect(suggestNames('ecs', names)).toEqual(['ecs-readonly', 'ecs-readonly-auto']);
    expect(suggestNames('RDS-OPERATR', names)).toEqual(['rds-operator']);
    expect(suggestNames('kubernetes', names)).toEqual([]);
    expect(suggestNames('', names)).toEqual([]);
  });

  it('answers UNKNOWN_PROFILE with the nearest names in the message', async () => {
    const w = makeWorld();
    await expect(submitRequest(w.deps, callers.bob, { ...baseInput, profile: 'ecs-raed' })).rejects.toMatchObject({ code: 'UNKNOWN_PROFILE', message: expect.stringContaining('did you mean "ecs-read"?') });
    await expect(submitRequest(w.deps, callers.bob, { ...baseInput, profile: 'zzzzzzzzzz' })).rejects.toMatchObject({ message: expect.stringContaining('GET /profiles') });
  });
});

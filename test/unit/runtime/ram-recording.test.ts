/** The RAM writes of a unit of work land on the audit event it writes, and only on its own request's. */
import type { Ledger } from '../../../shared/ledger';
import { auditingRamCalls, inRamRecordingScope, recordingRam } from '../../../shared/runtime/ram-recording';
import { provisionGrant } from '../../../shared/workflow';
import { FakeRam, OWNER, makeWorld } from '../../fakes';
import { approved } from '../workflow/helpers';

describe('RAM calls on the audit trail', () => {
  it('provisioning records its writes on ACTIVATE, with resource, time and result; reads are not recorded', async () => {
    const w = makeWorld();
    const r = await approved(w);
    const deps = { ...w.deps, ram: recordingRam(w.ram, w.clock), ledger: auditingRamCalls(w.ledger as unknown as Ledger) };
    await inRamRecordingScope(() => provisionGrant(deps, { requestId: r.id, kind: 'provision' }));
    const activate = (await w.ledger.history(r.id)).find((e) => e.action === 'ACTIVATE');
    expect(activate?.details?.['ramActions']).toEqual([
      { action: 'CreateRole', resource: `role/${r.roleName}`, at: '2026-01-01T00:00:00.000Z', result: 'ok' },
      { action: 'CreatePolicy', resource: expect.stringMatching(/^policy\/Custom\/crossrole-guard-/), at: expect.any(String), result: 'ok' },
      { action: 'AttachPolicyToRole', resource: expect.stringMatching(new RegExp(`^role/${r.roleName} policy/Custom/crossrole-guard-`)), at: expect.any(String), result: 'ok' },
      { action: 'AttachPolicyToRole', resource: `role/${r.roleName} policy/System/AliyunECSReadOnlyAccess`, at: expect.any(String), result: 'ok' },
    ]);
  });

  it('keeps another role\'s calls for that role\'s event, records failures with their code, and nothing outside a scope', async () => {
    const w = makeWorld();
    const a = await approved(w);
    const ram = recordingRam(new FakeRam(OWNER), w.clock);
    const ledger = auditingRamCalls(w.ledger as unknown as Ledger);
    await inRamRecordingScope(async () => {
      await ram.updateTrustPolicy('crossrole-someone-else', '{}').catch(() => undefined);
      await ram.deletePolicy(`crossrole-guard-${'f'.repeat(12)}`);
      await ledger.note(a.id, {}, { actor: 'system:scan', reason: 'checked' });
    });
    const note = (await w.ledger.history(a.id)).find((e) => e.action === 'NOTE');
    expect(note?.details).toBeUndefined();
    await ram.deleteRole('crossrole-outside');
    await ledger.note(a.id, {}, { actor: 'system:scan', reason: 'again' });
    expect((await w.ledger.history(a.id)).filter((e) => e.details?.['ramActions'] !== undefined)).toEqual([]);
    await inRamRecordingScope(async () => {
      await ram.updateTrustPolicy(a.roleName, '{}').catch(() => undefined);
      await ledger.note(a.id, {}, { actor: 'system:scan', reason: 'mine' });
    });
    const mine = (await w.ledger.history(a.id)).find((e) => e.reason === 'mine');
    expect(mine?.details?.['ramActions']).toEqual([{ action: 'UpdateRole', resource: `role/${a.roleName}`, at: expect.any(String), result: 'NOT_FOUND' }]);
  });
});

/**
 * Parity, scenario 2 — the expiry guard: a custom policy on the grant's role denying everything
 * once `acs:CurrentTime` is past the expiry. With the time in the past it cuts off a session that
 * was already issued; with a future time it changes nothing. The document is written exactly as
 * Crossrole writes it (Deny * on * with DateGreaterThan, UTC whole seconds).
 */
import { attachToRole, createCustomPolicy, detachFromRole, readOwnerEcs, setUpCrossAccountAccess, useTarget, type CrossAccountAccess } from './fixtures';
import { eventually, expectPopError, holds, policyTime } from './support';

const guard = (expiresAtMs: number): object => ({
  Version: '1',
  Statement: [{ Effect: 'Deny', Action: '*', Resource: '*', Condition: { DateGreaterThan: { 'acs:CurrentTime': policyTime(expiresAtMs) } } }],
});

describe('parity: the guard policy (Deny * after acs:CurrentTime)', () => {
  const { target, cleanup } = useTarget();
  let access: CrossAccountAccess;
  let futureGuard: string;
  let pastGuard: string;

  beforeAll(async () => {
    const t = target();
    access = await setUpCrossAccountAccess(t, cleanup, 'guard');
    futureGuard = await createCustomPolicy(t, cleanup, t.owner.admin, 'guard-future', guard(Date.now() + 3_600_000));
    pastGuard = await createCustomPolicy(t, cleanup, t.owner.admin, 'guard-past', guard(Date.now() - 3_600_000));
  });

  it('a guard whose time is still ahead leaves the existing session its rights', async () => {
    const t = target();
    await attachToRole(t, access.roleName, 'Custom', futureGuard);
    await holds(() => readOwnerEcs(t, access.session), { forMs: t.holdMs, intervalMs: 2000 });
  });

  it('a guard whose time has passed cuts the existing session off: Forbidden.RAM (403)', async () => {
    const t = target();
    await attachToRole(t, access.roleName, 'Custom', pastGuard);
    await eventually(() => expectPopError(readOwnerEcs(t, access.session), 'Forbidden.RAM', 403), { timeoutMs: t.settleMs, intervalMs: 2000 });
  });

  it('detaching the passed guard gives the session back its rights (the future guard is still attached)', async () => {
    const t = target();
    await detachFromRole(t, access.roleName, 'Custom', pastGuard);
    await eventually(() => readOwnerEcs(t, access.session), { timeoutMs: t.settleMs, intervalMs: 2000 });
    await holds(() => readOwnerEcs(t, access.session), { forMs: t.holdMs, intervalMs: 2000 });
  });
});

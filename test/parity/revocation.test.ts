/**
 * Parity, scenario 3 — revocation as the tutorial recommends: removing B from the trust policy
 * (UpdateRole) stops new AssumeRole calls but not a token already issued; detaching the role's
 * permission policies takes that token's rights away.
 */
import * as R from '@alicloud/ram20150501';
import { ramClient } from './clients';
import { accountRoot, assumeAsPartnerUser, detachFromRole, readOwnerEcs, setUpCrossAccountAccess, trustPolicy, useTarget, type CrossAccountAccess } from './fixtures';
import { eventually, expectPopError } from './support';

describe('parity: revoking cross-account access', () => {
  const { target, cleanup } = useTarget();
  let access: CrossAccountAccess;

  beforeAll(async () => {
    access = await setUpCrossAccountAccess(target(), cleanup, 'revoke');
  });

  it('UpdateRole without B in the trust policy: a new AssumeRole is NoPermission (403)', async () => {
    const t = target();
    // A trusts only itself now; the ExternalId condition stays, so only the principal changed.
    await ramClient(t, t.owner.admin).updateRole(new R.UpdateRoleRequest({
      roleName: access.roleName,
      newAssumeRolePolicyDocument: trustPolicy([accountRoot(t.owner.accountId)], access.externalId),
    }));
    await eventually(() => expectPopError(assumeAsPartnerUser(t, access.roleArn, 'after-revoke', access.externalId), 'NoPermission', 403), { timeoutMs: t.settleMs, intervalMs: 2000 });
  });

  it('...while the token issued before keeps the role rights (the trust policy is checked at AssumeRole only)', async () => {
    const t = target();
    await readOwnerEcs(t, access.session);
  });

  it('detaching the permission policy takes the existing token its rights: Forbidden.RAM (403)', async () => {
    const t = target();
    await detachFromRole(t, access.roleName, 'System', 'AliyunECSReadOnlyAccess');
    await eventually(() => expectPopError(readOwnerEcs(t, access.session), 'Forbidden.RAM', 403), { timeoutMs: t.settleMs, intervalMs: 2000 });
  });
});

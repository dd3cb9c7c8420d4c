/**
 * Parity, scenario 5 — DeleteRole refuses a role with attached policies with
 * 409 DeleteConflict.Role.Policy (RAM API reference, DeleteRole error codes). After the policies
 * are detached it succeeds; real RAM may still answer the conflict for a moment, so the delete is
 * retried on that code for a bounded time (cloud-truth.md §4).
 */
import * as R from '@alicloud/ram20150501';
import { ramClient } from './clients';
import { accountRoot, attachToRole, createCustomPolicy, createOwnerRole, detachFromRole, trustPolicy, useTarget } from './fixtures';
import { eventually, expectPopError, resourceName, retryWhile } from './support';

describe('parity: deleting a role', () => {
  const { target, cleanup } = useTarget();

  it('DeleteConflict.Role.Policy (409) while policies are attached; deleted once they are detached', async () => {
    const t = target();
    const ram = ramClient(t, t.owner.admin);
    const role = await createOwnerRole(t, cleanup, 'delete', trustPolicy([accountRoot(t.owner.accountId)], resourceName(t, 'delete-ext')));
    const custom = await createCustomPolicy(t, cleanup, t.owner.admin, 'delete-custom', { Version: '1', Statement: [{ Effect: 'Allow', Action: 'ecs:DescribeRegions', Resource: '*' }] });
    await attachToRole(t, role.roleName, 'System', 'AliyunECSReadOnlyAccess');
    await attachToRole(t, role.roleName, 'Custom', custom);

    await expectPopError(ram.deleteRole(new R.DeleteRoleRequest({ roleName: role.roleName })), 'DeleteConflict.Role.Policy', 409);
    await detachFromRole(t, role.roleName, 'System', 'AliyunECSReadOnlyAccess');
    // One policy still attached: still a conflict.
    await expectPopError(ram.deleteRole(new R.DeleteRoleRequest({ roleName: role.roleName })), 'DeleteConflict.Role.Policy', 409);
    await detachFromRole(t, role.roleName, 'Custom', custom);

    await retryWhile('DeleteConflict.Role.Policy', () => ram.deleteRole(new R.DeleteRoleRequest({ roleName: role.roleName })), { timeoutMs: Math.min(t.settleMs, 15_000), intervalMs: 1000 });
    await eventually(() => expectPopError(ram.getRole(new R.GetRoleRequest({ roleName: role.roleName })), 'EntityNotExist.Role', 404), { timeoutMs: t.settleMs, intervalMs: 2000 });
  });
});

/**
 * Parity, scenario 4 — tag ownership: Crossrole marks the roles it owns with tags at CreateRole
 * and finds them again with ListTagResources (ResourceType `role`), which answers a flat
 * `TagResources` array of {ResourceName, ResourceType, TagKey, TagValue}; TagResources and
 * UntagResources change them (RAM API reference: api-ram-2015-05-01-createrole,
 * -listtagresources, -tagresources).
 */
import * as R from '@alicloud/ram20150501';
import { ramClient } from './clients';
import { accountRoot, createOwnerRole, trustPolicy, useTarget, type CreatedRole } from './fixtures';
import { eventually, OWNERSHIP_TAG, resourceName } from './support';
import type { Target } from './target';

type Row = { resourceName?: string; resourceType?: string; tagKey?: string; tagValue?: string };
const byKey = (a: Row, b: Row): number => (a.tagKey ?? '').localeCompare(b.tagKey ?? '');

describe('parity: role tags', () => {
  const { target, cleanup } = useTarget();
  let role: CreatedRole;
  let runTag: { key: string; value: string };

  const tagsOf = async (t: Target): Promise<Row[]> => {
    const r = await ramClient(t, t.owner.admin).listTagResources(new R.ListTagResourcesRequest({ resourceType: 'role', resourceNames: [role.roleName] }));
    expect(Array.isArray(r.body?.tagResources)).toBe(true);
    return (r.body?.tagResources ?? []).map((x) => ({ resourceName: x.resourceName, resourceType: x.resourceType, tagKey: x.tagKey, tagValue: x.tagValue })).sort(byKey);
  };
  const row = (tagKey: string, tagValue: string): Row => ({ resourceName: role.roleName, resourceType: 'role', tagKey, tagValue });

  it('CreateRole with Tag: ListTagResources returns the tags as a flat array', async () => {
    const t = target();
    runTag = { key: 'crossrole-parity-run', value: t.runId };
    // The role trusts only its own account: it exists to carry tags.
    role = await createOwnerRole(t, cleanup, 'tags', trustPolicy([accountRoot(t.owner.accountId)], resourceName(t, 'tags-ext')), [runTag]);
    const expected = [row(OWNERSHIP_TAG.key, OWNERSHIP_TAG.value), row(runTag.key, runTag.value)].sort(byKey);
    await eventually(async () => expect(await tagsOf(t)).toEqual(expected), { timeoutMs: t.settleMs, intervalMs: 2000 });
  });

  it('ListTagResources filtered by a tag finds the role by that tag alone', async () => {
    const t = target();
    const r = await ramClient(t, t.owner.admin).listTagResources(new R.ListTagResourcesRequest({ resourceType: 'role', tag: [new R.ListTagResourcesRequestTag(runTag)] }));
    expect([...new Set((r.body?.tagResources ?? []).map((x) => x.resourceName))]).toEqual([role.roleName]);
  });

  it('TagResources adds a tag and UntagResources removes it again', async () => {
    const t = target();
    const ram = ramClient(t, t.owner.admin);
    await ram.tagResources(new R.TagResourcesRequest({ resourceType: 'role', resourceNames: [role.roleName], tag: [new R.TagResourcesRequestTag({ key: 'crossrole-grant', value: 'g-0001' })] }));
    await eventually(async () => expect(await tagsOf(t)).toContainEqual(row('crossrole-grant', 'g-0001')), { timeoutMs: t.settleMs, intervalMs: 2000 });
    expect(await tagsOf(t)).toHaveLength(3);

    await ram.untagResources(new R.UntagResourcesRequest({ resourceType: 'role', resourceNames: [role.roleName], tagKeys: ['crossrole-grant'] }));
    const expected = [row(OWNERSHIP_TAG.key, OWNERSHIP_TAG.value), row(runTag.key, runTag.value)].sort(byKey);
    await eventually(async () => expect(await tagsOf(t)).toEqual(expected), { timeoutMs: t.settleMs, intervalMs: 2000 });
  });
});

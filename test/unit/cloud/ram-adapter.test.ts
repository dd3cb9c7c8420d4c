import Ram from '@alicloud/ram20150501';
import { ClientError, ServerError, ThrottlingError } from '@alicloud/openapi-core';
import { createRamAdapter, LIST_FAN_OUT } from '../../../shared/cloud/ram-adapter';
import { silentLogger, type Logger } from '../../../shared/domain/ports';
import { unlimited } from '../../../shared/cloud/rate-limiter';

const logger: Logger = silentLogger;
const noSleep = { sleep: async () => undefined, random: () => 0 };

const pop = (code: string, statusCode: number): ClientError =>
  new ClientError({ code, statusCode, message: code, data: { Code: code } });

function adapter() {
  // The endpoint is never contacted: every SDK method used below is stubbed on the prototype.
  return createRamAdapter({ endpoint: '127.0.0.1:1', protocol: 'http', credentials: { accessKeyId: 'AK', accessKeySecret: 'SK' }, logger, limiter: unlimited, retry: noSleep });
}

type Proto = Record<string, (...args: unknown[]) => Promise<unknown>>;
function stub(method: string, impl: (...args: unknown[]) => Promise<unknown>): jest.SpyInstance {
  return jest.spyOn(Ram.prototype as unknown as Proto, method).mockImplementation(impl);
}

afterEach(() => jest.restoreAllMocks());

describe('RAM adapter idempotency and translation (SDK stubbed, no network)', () => {
  it('attach: already attached is success', async () => {
    stub('attachPolicyToRole', () => Promise.reject(pop('EntityAlreadyExists.Role.Policy', 409)));
    const ram = adapter();
    await expect(ram.attachPolicyToRole('r', { type: 'System', name: 'AliyunECSReadOnlyAccess' })).resolves.toBeUndefined();
    expect(ram.callCount()).toBe(1);
  });

  it.each(['EntityNotExist.Role.Policy', 'EntityNotExist.Role', 'EntityNotExist.Policy'])('detach: %s is success', async (code) => {
    stub('detachPolicyFromRole', () => Promise.reject(pop(code, 404)));
    await expect(adapter().detachPolicyFromRole('r', { type: 'Custom', name: 'p' })).resolves.toBeUndefined();
  });

  it('deleteRole: missing role is success, a conflict is DELETE_CONFLICT', async () => {
    const del = stub('deleteRole', () => Promise.reject(pop('EntityNotExist.Role', 404)));
    const ram = adapter();
    await expect(ram.deleteRole('r')).resolves.toBeUndefined();
    del.mockImplementation(() => Promise.reject(pop('DeleteConflict.Role.Policy', 409)));
    await expect(ram.deleteRole('r')).rejects.toMatchObject({ code: 'DELETE_CONFLICT', details: { cloudCode: 'DeleteConflict.Role.Policy' } });
  });

  it('deleteRole: retries DeleteConflict.Role.Policy while RAM settles after the last detach', async () => {
    let n = 0;
    const del = stub('deleteRole', async () => {
      n++;
      if (n <= 2) throw pop('DeleteConflict.Role.Policy', 409);
      return { body: {} };
    });
    const ram = adapter();
    await expect(ram.deleteRole('r')).resolves.toBeUndefined();
    expect(del).toHaveBeenCalledTimes(3);
    expect(ram.callStats()['DeleteRole']).toEqual({ calls: 3, retries: 0, failures: 2 });
  });

  it('deleteRole: a conflict that persists ends, bounded in time, as DELETE_CONFLICT', async () => {
    const del = stub('deleteRole', () => Promise.reject(pop('DeleteConflict.Role.Policy', 409)));
    let now = 0;
    const clock = { now: () => now, sleep: async (ms: number) => { now += ms; }, random: () => 0.999 };
    const ram = createRamAdapter({ endpoint: '127.0.0.1:1', protocol: 'http', credentials: { accessKeyId: 'AK', accessKeySecret: 'SK' }, logger, limiter: unlimited, retry: clock });
    await expect(ram.deleteRole('r')).rejects.toMatchObject({ code: 'DELETE_CONFLICT', details: { cloudCode: 'DeleteConflict.Role.Policy', action: 'DeleteRole' } });
    expect(now).toBeLessThanOrEqual(5000);
    expect(del.mock.calls.length).toBeGreaterThan(3);
    expect(del.mock.calls.length).toBeLessThanOrEqual(10);
  });

  it('deletePolicy: retries the attachment conflicts, not DeleteConflict.Policy.Version', async () => {
    let n = 0;
    const del = stub('deletePolicy', async () => {
      n++;
      if (n === 1) throw pop('DeleteConflict.Policy.Role', 409);
      if (n === 2) throw pop('DeleteConflict.Role.Policy', 409);
      return { body: {} };
    });
    await expect(adapter().deletePolicy('crossrole-guard-x')).resolves.toBeUndefined();
    expect(del).toHaveBeenCalledTimes(3);
    del.mockClear();
    del.mockImplementation(() => Promise.reject(pop('DeleteConflict.Policy.Version', 409)));
    await expect(adapter().deletePolicy('crossrole-guard-x')).rejects.toMatchObject({ code: 'DELETE_CONFLICT', details: { cloudCode: 'DeleteConflict.Policy.Version' } });
    expect(del).toHaveBeenCalledTimes(1);
  });

  it('putPolicy: creates, leaves an equal document alone, and adds a default version with rotation', async () => {
    const get = stub('getPolicy', () => Promise.reject(pop('EntityNotExist.Policy', 404)));
    const create = stub('createPolicy', async () => ({ body: { policy: { defaultVersion: 'v1' } } }));
    const ram = adapter();
    await expect(ram.putPolicy('p', '{"Version":"1","Statement":[]}', 'd')).resolves.toEqual({ outcome: 'created', versionId: 'v1' });
    expect(create).toHaveBeenCalledTimes(1);

    get.mockImplementation(async () => ({ body: { defaultPolicyVersion: { versionId: 'v3', policyDocument: '{"Version": "1", "Statement": []}' } } }));
    await expect(ram.putPolicy('p', '{"Version":"1","Statement":[]}', 'd')).resolves.toEqual({ outcome: 'unchanged', versionId: 'v3' });

    const lists = [
      ['v1', 'v2', 'v3', 'v4', 'v5'],
      ['v2', 'v3', 'v4', 'v5', 'v6'],
    ];
    stub('listPolicyVersions', async () => ({ body: { policyVersions: { policyVersion: (lists.shift() ?? []).reverse().map((v) => ({ versionId: v, isDefaultVersion: v === 'v3' })) } } }));
    const requests: unknown[] = [];
    stub('createPolicyVersion', async (req: unknown) => {
      requests.push(req);
      return { body: { policyVersion: { versionId: 'v6', isDefaultVersion: true } } };
    });
    await expect(ram.putPolicy('p', '{"Version":"1","Statement":[{"Effect":"Allow","Action":"ecs:*","Resource":"*"}]}', 'd'))
      .resolves.toEqual({ outcome: 'updated', versionId: 'v6', previous: 'v3', pruned: ['v1'] });
    expect(requests).toEqual([expect.objectContaining({ policyName: 'p', setAsDefault: true, rotateStrategy: 'DeleteOldestNonDefaultVersionWhenLimitExceeded' })]);
  });

  it('createRole: an existing role is ALREADY_EXISTS', async () => {
    stub('createRole', () => Promise.reject(pop('EntityAlreadyExists.Role', 409)));
    await expect(adapter().createRole({ name: 'r', trustPolicy: '{}', maxSessionDuration: 3600, description: 'd', tags: {} }))
      .rejects.toMatchObject({ code: 'ALREADY_EXISTS', details: { cloudCode: 'EntityAlreadyExists.Role' } });
  });

  it('getRole: a missing role is undefined, not an error', async () => {
    stub('getRole', () => Promise.reject(pop('EntityNotExist.Role', 404)));
    await expect(adapter().getRole('r')).resolves.toBeUndefined();
  });

  it('retries throttling and 5xx, counting every attempt', async () => {
    let n = 0;
    stub('updateRole', async () => {
      n++;
      if (n === 1) throw new ThrottlingError({ code: 'Throttling.User', statusCode: 400, message: 't' });
      if (n === 2) throw new ServerError({ code: 'InternalError', statusCode: 500, message: 'x' });
      return { body: {} };
    });
    const ram = adapter();
    await ram.updateTrustPolicy('r', '{}');
    expect(ram.callCount()).toBe(3);
    expect(ram.callStats()['UpdateRole']).toEqual({ calls: 3, retries: 2, failures: 0 });
  });

  it('gives up on persistent throttling with DEPENDENCY_UNAVAILABLE after bounded attempts', async () => {
    stub('updateRole', () => Promise.reject(new ThrottlingError({ code: 'Throttling.User', statusCode: 400, message: 't' })));
    const ram = createRamAdapter({ endpoint: '127.0.0.1:1', protocol: 'http', credentials: { accessKeyId: 'AK', accessKeySecret: 'SK' }, logger, limiter: unlimited, retry: { ...noSleep, maxAttempts: 3 } });
    await expect(ram.updateTrustPolicy('r', '{}')).rejects.toMatchObject({ code: 'DEPENDENCY_UNAVAILABLE', details: { cloudCode: 'Throttling.User', attempts: 3 } });
    expect(ram.callCount()).toBe(3);
  });

  it('does not retry NoPermission', async () => {
    stub('createRole', () => Promise.reject(pop('NoPermission', 403)));
    const ram = adapter();
    await expect(ram.createRole({ name: 'r', trustPolicy: '{}', maxSessionDuration: 3600, description: 'd', tags: {} }))
      .rejects.toMatchObject({ code: 'CLOUD_ERROR', details: { cloudCode: 'NoPermission', action: 'CreateRole' } });
    expect(ram.callCount()).toBe(1);
  });

  it('createPolicy: same document already there is success, a different one is ALREADY_EXISTS', async () => {
    stub('createPolicy', () => Promise.reject(pop('EntityAlreadyExists.Policy', 409)));
    const get = stub('getPolicy', async () => ({ body: { defaultPolicyVersion: { policyDocument: '{"Version":"1","Statement":[]}' } } }));
    const ram = adapter();
    await expect(ram.createPolicy('p', '{"Version": "1", "Statement": []}', 'd')).resolves.toBeUndefined();
    get.mockImplementation(async () => ({ body: { defaultPolicyVersion: { policyDocument: '{"Version":"1","Statement":[{}]}' } } }));
    await expect(ram.createPolicy('p', '{"Version":"1","Statement":[]}', 'd')).rejects.toMatchObject({ code: 'ALREADY_EXISTS' });
  });

  it('listRolesByTag pages with Marker and re-checks the tag', async () => {
    const pages = [
      { isTruncated: true, marker: 'M2', roles: { role: [{ roleName: 'a', tags: { tag: [{ tagKey: 'k', tagValue: 'v' }] } }] } },
      { isTruncated: false, roles: { role: [{ roleName: 'b', tags: { tag: [{ tagKey: 'k', tagValue: 'other' }] } }, { roleName: 'c', tags: { tag: [{ tagKey: 'k', tagValue: 'v' }] } }] } },
    ];
    const markers: unknown[] = [];
    stub('listRoles', async (req: unknown) => {
      markers.push((req as { marker?: string }).marker);
      return { body: pages[markers.length - 1] };
    });
    stub('getRole', async (req: unknown) => {
      const name = (req as { roleName: string }).roleName;
      return { body: { role: { roleName: name, arn: `acs:ram::1:role/${name}`, assumeRolePolicyDocument: '{}', maxSessionDuration: 3600 } } };
    });
    const roles = await adapter().listRolesByTag('k', 'v');
    expect(markers).toEqual([undefined, 'M2']);
    expect(roles.map((r) => r.name)).toEqual(['a', 'c']);
    expect(roles[0]).toEqual({ name: 'a', arn: 'acs:ram::1:role/a', trustPolicy: '{}', maxSessionDuration: 3600, tags: { k: 'v' } });
  });

  it('listRolesByTag over 999 managed roles: 1 ListRoles (MaxItems 1000, tags in the listing) + 999 GetRole, in order, no ListTagResources', async () => {
    const names = Array.from({ length: 999 }, (_, i) => `crossrole-${String(i).padStart(12, '0')}`);
    const maxItems: unknown[] = [];
    stub('listRoles', async (req: unknown) => {
      maxItems.push((req as { maxItems?: number }).maxItems);
      return { body: { isTruncated: false, roles: { role: names.map((roleName) => ({ roleName, tags: { tag: [{ tagKey: 'crossrole:managed', tagValue: 'true' }] } })) } } };
    });
    let inFlight = 0;
    let most = 0;
    stub('getRole', async (req: unknown) => {
      const name = (req as { roleName: string }).roleName;
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((r) => setImmediate(r));
      inFlight--;
      return { body: { role: { roleName: name, arn: `acs:ram::1:role/${name}`, assumeRolePolicyDocument: '{}', maxSessionDuration: 3600 } } };
    });
    const tags = stub('listTagResources', async () => ({ body: {} }));
    const ram = adapter();
    const roles = await ram.listRolesByTag('crossrole:managed', 'true');
    expect(roles.map((r) => r.name)).toEqual(names);
    expect(maxItems).toEqual([1000]);
    expect(ram.callStats()).toMatchObject({ ListRoles: { calls: 1 }, GetRole: { calls: 999 } });
    expect(ram.callCount()).toBe(1000);
    expect(tags).not.toHaveBeenCalled();
    // A few GetRoles in flight (the limiter paces them), never all of them at once.
    expect(most).toBe(LIST_FAN_OUT);
  });

  it('listPoliciesForRole reports each policy\'s default version; setPolicyDocument adds a default version with rotation', async () => {
    stub('listPoliciesForRole', async () => ({ body: { policies: { policy: [{ policyName: 'crossrole-guard-x', policyType: 'Custom', defaultVersion: 'v2' }, { policyName: 'ReadOnlyAccess', policyType: 'System' }] } } }));
    const create = stub('createPolicyVersion', async () => ({ body: { policyVersion: { versionId: 'v3' } } }));
    const ram = adapter();
    expect(await ram.listPoliciesForRole('r')).toEqual([{ type: 'Custom', name: 'crossrole-guard-x', defaultVersion: 'v2' }, { type: 'System', name: 'ReadOnlyAccess' }]);
    await ram.setPolicyDocument('crossrole-guard-x', '{"Version":"1","Statement":[]}');
    expect(create.mock.calls[0]?.[0]).toMatchObject({ policyName: 'crossrole-guard-x', setAsDefault: true, rotateStrategy: 'DeleteOldestNonDefaultVersionWhenLimitExceeded' });
  });
});

/**
 * The local cloud's authorization, without network: every served action has a table row, the
 * rows name the resources of the API references, and AccessControl decides as RAM does (the
 * literal `*`, system policies, roots, other accounts, sessions).
 */
import type { AuthorizationRequest, AuthorizationTable, ActionRule } from '../../../local/core/authorization';
import { requiresAuthorization } from '../../../local/core/authorization';
import type { Principal } from '../../../local/core/contract';
import { Journal } from '../../../local/core/journal';
import { AccessControl } from '../../../local/access';
import { ECS_AUTHORIZATION } from '../../../local/ecs/authorization';
import { ecsHandlers } from '../../../local/ecs/handlers';
import { EcsStore } from '../../../local/ecs/store';
import { RAM_AUTHORIZATION } from '../../../local/ram/authorization';
import { ramHandlers } from '../../../local/ram/handlers';
import { RamStore } from '../../../local/ram/store';
import { STS_AUTHORIZATION } from '../../../local/sts/authorization';
import { stsHandlers } from '../../../local/sts/handlers';
import { StsSessions, StsStore } from '../../../local/sts/store';

const A = '1111111111111111';
const B = '2222222222222222';
const ctx = { sourceIp: '127.0.0.1', currentTime: new Date('2030-01-01T00:00:00Z') };

function world(): { ram: RamStore; sessions: StsSessions; access: AccessControl; sts: StsStore } {
  const journal = new Journal(undefined);
  const ram = new RamStore(journal);
  const sessions = new StsSessions(journal);
  const access = new AccessControl(ram, sessions);
  return { ram, sessions, access, sts: new StsStore(ram, sessions, access) };
}

function request(params: Record<string, string>, principal: Partial<Principal> = {}): AuthorizationRequest {
  const p: Principal = { accountId: A, arn: `acs:ram::${A}:user/alice`, kind: 'user', name: 'alice', principalId: '1', accessKeyId: 'LTAI5tX', ...principal };
  return {
    accountId: p.accountId,
    principal: p,
    param: (n) => params[n],
    required: (n) => {
      const v = params[n];
      if (v === undefined || v === '') throw new Error(`Missing${n}`);
      return v;
    },
  };
}

const rule = (table: AuthorizationTable, action: string): ActionRule => {
  const r = table[action];
  if (r === undefined || !requiresAuthorization(r)) throw new Error(`${action} has no authorization rule`);
  return r;
};

describe('authorization tables', () => {
  const { ram, sts } = world();
  it.each([
    ['ram', Object.keys(ramHandlers({ ram })), RAM_AUTHORIZATION],
    ['sts', Object.keys(stsHandlers(sts)), STS_AUTHORIZATION],
    ['ecs', Object.keys(ecsHandlers(new EcsStore(new Journal(undefined)))), ECS_AUTHORIZATION],
  ] as const)('%s: exactly one row per served action, each with its RAM action and a source', (service, actions, table) => {
    expect(Object.keys(table).sort()).toEqual([...actions].sort());
    for (const [action, r] of Object.entries(table)) {
      expect(r.source.length).toBeGreaterThan(10);
      if (requiresAuthorization(r)) expect(r.action).toBe(`${service}:${action}`);
    }
  });

  it('the tag APIs are authorized on "*" only, whatever resources they name', () => {
    for (const a of ['ListTagResources', 'TagResources', 'UntagResources']) {
      expect(rule(RAM_AUTHORIZATION, a).resources(request({ ResourceType: 'role', ResourceNames: '["crossrole-x"]' }))).toEqual(['*']);
    }
  });

  it('Attach/Detach name the target and the policy, in the system or the account namespace', () => {
    const sys = request({ PolicyType: 'System', PolicyName: 'AliyunECSReadOnlyAccess', RoleName: 'crossrole-x' });
    const custom = request({ PolicyType: 'Custom', PolicyName: 'crossrole-guard-1', RoleName: 'crossrole-x' });
    for (const a of ['AttachPolicyToRole', 'DetachPolicyFromRole']) {
      expect(rule(RAM_AUTHORIZATION, a).resources(sys)).toEqual([`acs:ram:*:${A}:role/crossrole-x`, 'acs:ram:*:system:policy/AliyunECSReadOnlyAccess']);
      expect(rule(RAM_AUTHORIZATION, a).resources(custom)).toEqual([`acs:ram:*:${A}:role/crossrole-x`, `acs:ram:*:${A}:policy/crossrole-guard-1`]);
    }
    expect(rule(RAM_AUTHORIZATION, 'AttachPolicyToUser').resources(request({ PolicyType: 'System', PolicyName: 'ReadOnlyAccess', UserName: 'bob' }))).toEqual([
      `acs:ram:*:${A}:user/bob`,
      'acs:ram:*:system:policy/ReadOnlyAccess',
    ]);
    expect(rule(RAM_AUTHORIZATION, 'AttachPolicyToGroup').resources(request({ PolicyType: 'Custom', PolicyName: 'p', GroupName: 'g' }))).toEqual([
      `acs:ram:*:${A}:group/g`,
      `acs:ram:*:${A}:policy/p`,
    ]);
  });

  it('list and create actions use the documented wildcard resources', () => {
    expect(rule(RAM_AUTHORIZATION, 'ListRoles').resources(request({}))).toEqual([`acs:ram:*:${A}:role/*`]);
    expect(rule(RAM_AUTHORIZATION, 'CreateUser').resources(request({ UserName: 'x' }))).toEqual([`acs:ram:*:${A}:user/*`]);
    expect(rule(RAM_AUTHORIZATION, 'CreateGroup').resources(request({ GroupName: 'x' }))).toEqual([`acs:ram:*:${A}:group/*`]);
    expect(rule(RAM_AUTHORIZATION, 'GetPolicy').resources(request({ PolicyType: 'System', PolicyName: 'ReadOnlyAccess' }))).toEqual(['acs:ram:*:system:policy/ReadOnlyAccess']);
  });

  it('AssumeRole names the role in ITS account, crossing accounts; GetCallerIdentity is not authorized', () => {
    const r = rule(STS_AUTHORIZATION, 'AssumeRole');
    expect(r.crossAccount).toBe(true);
    expect(r.resources(request({ RoleArn: `acs:ram::${A}:role/crossrole-x` }, { accountId: B }))).toEqual([`acs:ram::${A}:role/crossrole-x`]);
    expect(() => r.resources(request({ RoleArn: 'arn:aws:iam::1:role/x' }))).toThrow(expect.objectContaining({ code: 'InvalidParameter.RoleArn' }));
    const gci = STS_AUTHORIZATION.GetCallerIdentity;
    expect(gci !== undefined && !requiresAuthorization(gci)).toBe(true);
  });

  it('CreateAccessKey without UserName names the calling user', () => {
    expect(rule(RAM_AUTHORIZATION, 'CreateAccessKey').resources(request({}))).toEqual([`acs:ram:*:${A}:user/alice`]);
  });
});

describe('AccessControl decides as RAM does', () => {
  function userWith(w: ReturnType<typeof world>, name: string, statements: object[]): Principal {
    w.ram.createUser(A, name);
    w.ram.createPolicy(A, { policyName: `${name}-p`, policyDocument: { Version: '1', Statement: statements } });
    w.ram.attachPolicyToUser(A, 'Custom', `${name}-p`, name);
    const k = w.ram.createAccessKey(A, name);
    const found = w.access.lookupKey(k.accessKeyId, undefined, new Date());
    if (!found.ok) throw new Error(found.code);
    return found.principal;
  }

  it('the literal resource "*" is matched by "Resource": "*" only, not by a narrower pattern', () => {
    const w = world();
    w.ram.createAccount(A);
    const narrow = userWith(w, 'narrow', [{ Effect: 'Allow', Action: 'ram:ListTagResources', Resource: `acs:ram:*:${A}:role/*` }]);
    const anyAcct = userWith(w, 'anyacct', [{ Effect: 'Allow', Action: 'ram:ListTagResources', Resource: 'acs:ram:*:*:*' }]);
    const wide = userWith(w, 'wide', [{ Effect: 'Allow', Action: 'ram:ListTagResources', Resource: '*' }]);
    expect(w.access.allowsAll(narrow, 'ram:ListTagResources', ['*'], ctx)).toBe(false);
    expect(w.access.allowsAll(anyAcct, 'ram:ListTagResources', ['*'], ctx)).toBe(false);
    expect(w.access.allowsAll(wide, 'ram:ListTagResources', ['*'], ctx)).toBe(true);
  });

  it('every resource must be allowed; system policies are in nobody\'s account, other accounts are refused', () => {
    const w = world();
    w.ram.createAccount(A);
    const p = userWith(w, 'ops', [{ Effect: 'Allow', Action: 'ram:AttachPolicyToRole', Resource: '*' }]);
    expect(w.access.allowsAll(p, 'ram:AttachPolicyToRole', [`acs:ram:*:${A}:role/r`, 'acs:ram:*:system:policy/ReadOnlyAccess'], ctx)).toBe(true);
    expect(w.access.allowsAll(p, 'ram:AttachPolicyToRole', [`acs:ram:*:${A}:role/r`, `acs:ram:*:${B}:policy/x`], ctx)).toBe(false);
    expect(w.access.allowsAll(p, 'ram:AttachPolicyToRole', [], ctx)).toBe(false);
    const root: Principal = { accountId: A, arn: `acs:ram::${A}:root`, kind: 'root', principalId: A, accessKeyId: 'LTAI5tR' };
    expect(w.access.allowsAll(root, 'ram:AttachPolicyToRole', [`acs:ram:*:${A}:role/r`, 'acs:ram:*:system:policy/AdministratorAccess'], ctx)).toBe(true);
    expect(w.access.allowsAll(root, 'ram:GetRole', [`acs:ram:*:${B}:role/r`], ctx)).toBe(false);
    expect(w.access.allowsAll(root, 'sts:AssumeRole', [`acs:ram::${B}:role/r`], ctx, { crossAccount: true })).toBe(false);
  });

  it('a role session needs the role\'s current policies AND its session policy', () => {
    const w = world();
    w.ram.createAccount(A);
    w.ram.createRole(A, { roleName: 'r', assumeRolePolicyDocument: { Version: '1', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { Service: ['fc.aliyuncs.com'] } }] } });
    w.ram.attachPolicyToRole(A, 'System', 'AliyunRAMReadOnlyAccess', 'r');
    const role = w.ram.getRole(A, 'r');
    const narrowed = w.sessions.issue(role, A, 's1', 900, 'x', JSON.stringify({ Version: '1', Statement: [{ Effect: 'Allow', Action: 'ram:GetRole', Resource: '*' }] }));
    const found = w.access.lookupKey(narrowed.credentials.accessKeyId, narrowed.credentials.securityToken, new Date());
    if (!found.ok) throw new Error(found.code);
    expect(w.access.isAllowed(found.principal, 'ram:GetRole', `acs:ram:*:${A}:role/r`, ctx)).toBe(true);
    expect(w.access.isAllowed(found.principal, 'ram:ListRoles', `acs:ram:*:${A}:role/*`, ctx)).toBe(false);
    w.ram.detachPolicyFromRole(A, 'System', 'AliyunRAMReadOnlyAccess', 'r');
    expect(w.access.isAllowed(found.principal, 'ram:GetRole', `acs:ram:*:${A}:role/r`, ctx)).toBe(false);
  });

  it('trust policies admit services only through Service principals', () => {
    const w = world();
    w.ram.createAccount(A);
    w.ram.createRole(A, { roleName: 'fn', assumeRolePolicyDocument: { Version: '1', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { Service: ['fc.aliyuncs.com'] } }] } });
    expect(() => w.sts.assumeRoleAsService(`acs:ram::${A}:role/fn`, 'ecs.aliyuncs.com', 'x1', 900)).toThrow(/No permission/);
    expect(w.sts.assumeRoleAsService(`acs:ram::${A}:role/fn`, 'fc.aliyuncs.com', 'x1', 900).accessKeyId).toMatch(/^STS\./);
  });
});

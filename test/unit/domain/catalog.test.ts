import { ValidationError } from '../../../shared/domain/errors';
import { findProfile, isPartnerAllowed, parseCatalog, type CatalogInput } from '../../../shared/domain/catalog';
import { formatPath } from '../../../shared/domain/validation';

const OWNER = '1234567890123456';
const PARTNER = '6543210987654321';

function validCatalog(): CatalogInput & Record<string, unknown> {
  return {
    ownerAccountId: OWNER,
    approvers: [`acs:ram::${OWNER}:user/alice`, `acs:ram::${OWNER}:role/approvers`],
    partners: [PARTNER],
    pendingTtl: '48h',
    profiles: [
      { name: 'ecs-readonly', description: 'Read ECS', policies: [{ type: 'System', name: 'AliyunECSReadOnlyAccess' }], maxDuration: '8h' },
      {
        name: 'oss-read',
        policies: [{ type: 'Custom', name: 'oss-read', document: { Version: '1', Statement: [{ Effect: 'Allow', Action: ['oss:Get*'], Resource: '*' }] } }],
        maxDuration: 'P7D',
        autoApprove: true,
        roleNameTemplate: 'crossrole-oss-{id}',
      },
    ],
  };
}

type Mutation = (doc: Record<string, unknown>) => void;

/** Walk to the parent of `path` (`profiles[1].maxDuration`) and apply `op` to its last key. */
function at(path: string, op: (parent: Record<string, unknown>, key: string) => void): Mutation {
  const keys = path.replace(/\[(\d+)\]/g, '.$1').split('.');
  return (doc) => {
    let node: Record<string, unknown> = doc;
    for (const k of keys.slice(0, -1)) node = node[k] as Record<string, unknown>;
    op(node, keys[keys.length - 1] as string);
  };
}
const set = (path: string, value: unknown): Mutation => at(path, (parent, key) => {
  parent[key] = value;
});
const del = (path: string): Mutation => at(path, (parent, key) => {
  delete parent[key];
});

/** Apply `mutate` to a fresh valid catalog and return the error's code and field. */
function failureOf(mutate: Mutation): { code: string; field: string | undefined } | 'no error' {
  const c: Record<string, unknown> = validCatalog();
  mutate(c);
  try {
    parseCatalog(c);
  } catch (e) {
    if (!(e instanceof ValidationError)) throw e;
    return { code: e.code, field: e.field };
  }
  return 'no error';
}

describe('parseCatalog', () => {
  it('parses a valid catalog, applying defaults and converting durations', () => {
    const c = parseCatalog(validCatalog());
    expect(c.ownerAccountId).toBe(OWNER);
    expect(c.pendingTtlSeconds).toBe(48 * 3600);
    expect(c.profiles.map((p) => [p.name, p.maxDurationSeconds, p.autoApprove, p.privileged])).toEqual([
      ['ecs-readonly', 8 * 3600, false, false],
      ['oss-read', 7 * 86400, true, false],
    ]);
    expect(findProfile(c, 'oss-read')?.roleNameTemplate).toBe('crossrole-oss-{id}');
    expect(findProfile(c, 'nope')).toBeUndefined();
  });

  it('defaults pendingTtl to 72h and accepts partners: "open"', () => {
    const input = validCatalog();
    delete input.pendingTtl;
    input.partners = 'open';
    const c = parseCatalog(input);
    expect(c.pendingTtlSeconds).toBe(72 * 3600);
    expect(isPartnerAllowed(c, '1111111111111111')).toBe(true);
    // The owner is never its own partner, even in open mode.
    expect(isPartnerAllowed(c, OWNER)).toBe(false);
  });

  it('defaults revokedRoleRetention to 7d and converts a given one to seconds', () => {
    expect(parseCatalog(validCatalog()).revokedRoleRetentionSeconds).toBe(7 * 86400);
    expect(parseCatalog({ ...validCatalog(), revokedRoleRetention: '36h' }).revokedRoleRetentionSeconds).toBe(36 * 3600);
    expect(parseCatalog({ ...validCatalog(), revokedRoleRetention: 'P30D' }).revokedRoleRetentionSeconds).toBe(30 * 86400);
    // The parsed catalog carries seconds only, like pendingTtl.
    expect(parseCatalog(validCatalog())).not.toHaveProperty('revokedRoleRetention');
  });

  it('extensions: maxTotalDuration defaults to maxDuration and may not be less; autoExtend is off by default', () => {
    const base = validCatalog();
    const p0 = base.profiles[0];
    if (p0 === undefined) throw new Error('no profile');
    const first = parseCatalog(base).profiles[0];
    expect(first).toMatchObject({ maxTotalDurationSeconds: first?.maxDurationSeconds, autoExtendSeconds: 0 });
    const extended = parseCatalog({ ...base, profiles: [{ ...p0, maxDuration: '2h', maxTotalDuration: '6h', autoExtend: '30m' }] }).profiles[0];
    expect(extended).toMatchObject({ maxTotalDurationSeconds: 6 * 3600, autoExtendSeconds: 1800 });
    expect(() => parseCatalog({ ...base, profiles: [{ ...p0, maxDuration: '2h', maxTotalDuration: '1h' }] })).toThrow('profiles[0].maxTotalDuration: must be at least maxDuration (2h)');
    expect(() => parseCatalog({ ...base, profiles: [{ ...p0, autoExtend: true }] })).toThrow(/profiles\[0\]\.autoExtend/);
  });

  it('allows only listed partners', () => {
    const c = parseCatalog(validCatalog());
    expect(isPartnerAllowed(c, PARTNER)).toBe(true);
    expect(isPartnerAllowed(c, '1111111111111111')).toBe(false);
  });

  it.each<[string, string, Mutation]>([
    ['missing owner', 'ownerAccountId', del('ownerAccountId')],
    ['bad owner', 'ownerAccountId', set('ownerAccountId', '123')],
    ['no approvers', 'approvers', set('approvers', [])],
    ['bad approver ARN', 'approvers[1]', set('approvers[1]', 'arn:aws:iam::1:user/x')],
    ['approver outside the owner account', 'approvers[2]', set('approvers[2]', `acs:ram::${PARTNER}:user/mallory`)],
    ['partners neither "open" nor a list', 'partners', set('partners', 'everyone')],
    ['empty partner list', 'partners', set('partners', [])],
    ['bad partner id', 'partners[1]', set('partners', [PARTNER, 'abc'])],
    ['owner listed as partner', 'partners', set('partners', [PARTNER, OWNER])],
    ['bad pendingTtl', 'pendingTtl', set('pendingTtl', '3 days')],
    ['bad revokedRoleRetention', 'revokedRoleRetention', set('revokedRoleRetention', '1 week')],
    ['zero revokedRoleRetention', 'revokedRoleRetention', set('revokedRoleRetention', '0d')],
    ['revokedRoleRetention over a year', 'revokedRoleRetention', set('revokedRoleRetention', '400d')],
    ['revokedRoleRetention not a string', 'revokedRoleRetention', set('revokedRoleRetention', 604800)],
    ['no profiles', 'profiles', set('profiles', [])],
    ['bad profile name', 'profiles[0].name', set('profiles[0].name', 'ECS ReadOnly')],
    ['bad maxDuration', 'profiles[1].maxDuration', set('profiles[1].maxDuration', '8 h')],
    ['zero maxDuration', 'profiles[1].maxDuration', set('profiles[1].maxDuration', 'PT0S')],
    ['duplicate profile', 'profiles[1].name', set('profiles[1].name', 'ecs-readonly')],
    ['no policies', 'profiles[0].policies', set('profiles[0].policies', [])],
    ['too many policies', 'profiles[0].policies', set('profiles[0].policies', Array.from({ length: 6 }, (_, i) => ({ type: 'System', name: `P${i}` })))],
    ['unknown policy type', 'profiles[0].policies[0].type', set('profiles[0].policies[0].type', 'Managed')],
    ['bad system policy name', 'profiles[0].policies[0].name', set('profiles[0].policies[0].name', 'Aliyun ECS')],
    ['custom policy without document', 'profiles[1].policies[0].document', del('profiles[1].policies[0].document')],
    ['autoApprove not boolean', 'profiles[0].autoApprove', set('profiles[0].autoApprove', 'yes')],
    ['role template without prefix', 'profiles[1].roleNameTemplate', set('profiles[1].roleNameTemplate', 'partner-{id}')],
    ['role template without {id}', 'profiles[1].roleNameTemplate', set('profiles[1].roleNameTemplate', 'crossrole-fixed')],
    ['unknown top-level key', 'owner', set('owner', OWNER)],
    ['unknown profile key', 'profiles[1].maxDurationHours', set('profiles[1].maxDurationHours', 8)],
    ['unknown policy key', 'profiles[0].policies[0].version', set('profiles[0].policies[0].version', 'v1')],
  ])('%s → INVALID_CONFIG at %s', (_name, field, mutate) => {
    expect(failureOf(mutate)).toEqual({ code: 'INVALID_CONFIG', field });
  });

  it('rejects a document that is not an object, at the root', () => {
    for (const input of [null, 'x', 42, []]) {
      expect(() => parseCatalog(input)).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG', field: '(root)' }));
    }
  });

  it('lists every issue in details, not only the first', () => {
    let err: ValidationError | undefined;
    try {
      parseCatalog({ ...validCatalog(), ownerAccountId: 'x', pendingTtl: 'y' });
    } catch (e) {
      err = e as ValidationError;
    }
    const fields = (err?.details?.issues as Array<{ field: string }>).map((i) => i.field);
    expect(fields).toEqual(expect.arrayContaining(['ownerAccountId', 'pendingTtl']));
  });

  it('the error message names the field, so it can be shown as is', () => {
    expect(() => parseCatalog({ ...validCatalog(), pendingTtl: '3 days' })).toThrow(/^pendingTtl: /);
  });
});

describe('formatPath', () => {
  it('renders zod paths the way the messages show them', () => {
    expect(formatPath(['profiles', 1, 'maxDuration'])).toBe('profiles[1].maxDuration');
    expect(formatPath([0, 'a'])).toBe('[0].a');
    expect(formatPath([])).toBe('(root)');
  });
});

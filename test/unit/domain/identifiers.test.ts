import { ValidationError } from '../../../shared/domain/errors';
import { isAccountId, isValidSessionName, parseAccountId, parsePrincipalArn, parseRoleName, roleArn, rootArn } from '../../../shared/domain/identifiers';

const UID = '1234567890123456';

function failure(fn: () => unknown): { code: string; field: string | undefined } | 'no error' {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof ValidationError)) throw e;
    return { code: e.code, field: e.field };
  }
  return 'no error';
}

describe('account ids', () => {
  it('accepts 16 ASCII digits', () => {
    expect(parseAccountId(UID)).toBe(UID);
    expect(isAccountId('0000000000000000')).toBe(true);
  });

  it.each<[string, unknown]>([
    ['15 digits', '123456789012345'],
    ['17 digits', '12345678901234567'],
    ['letters', '12345678901234ab'],
    ['masked', '123456789012****'],
    ['trailing newline', `${UID}\n`],
    ['leading space', ` ${UID}`],
    ['full-width digits', '１２３４５６７８９０１２３４５６'],
    ['number', 1234567890123456],
    ['null', null],
    ['empty', ''],
  ])('rejects %s', (_name, input) => {
    expect(isAccountId(input)).toBe(false);
    expect(failure(() => parseAccountId(input, 'partnerAccountId'))).toEqual({ code: 'INVALID_ACCOUNT_ID', field: 'partnerAccountId' });
  });
});

describe('role names', () => {
  it.each(['a', 'crossrole-0f3c6a1e8b2d', 'Admin.Role-1', 'x'.repeat(64)])('accepts %s', (name) => {
    expect(parseRoleName(name)).toBe(name);
  });

  it.each<[string, unknown]>([
    ['empty', ''],
    ['65 characters', 'x'.repeat(65)],
    ['underscore', 'crossrole_abc'],
    ['slash', 'crossrole/abc'],
    ['space', 'crossrole abc'],
    ['colon', 'crossrole:abc'],
    ['non-ASCII', 'crossrole-é'],
    ['not a string', 42],
  ])('rejects %s with INVALID_ROLE_NAME', (_name, input) => {
    expect(failure(() => parseRoleName(input, 'roleName'))).toEqual({ code: 'INVALID_ROLE_NAME', field: 'roleName' });
  });
});

describe('session names', () => {
  it('are 2–64 of letters, digits and . @ - _', () => {
    expect(isValidSessionName('bob')).toBe(true);
    expect(isValidSessionName('bob@example.com_1-2')).toBe(true);
    expect(isValidSessionName('b')).toBe(false);
    expect(isValidSessionName('x'.repeat(64))).toBe(true);
    expect(isValidSessionName('x'.repeat(65))).toBe(false);
    expect(isValidSessionName('bob smith')).toBe(false);
  });
});

describe('principal ARNs', () => {
  it('parses each kind', () => {
    expect(parsePrincipalArn(`acs:ram::${UID}:root`)).toEqual({ kind: 'root', accountId: UID, arn: `acs:ram::${UID}:root` });
    expect(parsePrincipalArn(`acs:ram::${UID}:user/alice`)).toEqual({ kind: 'user', accountId: UID, name: 'alice', arn: `acs:ram::${UID}:user/alice` });
    expect(parsePrincipalArn(`acs:ram::${UID}:user/alice@corp.onaliyun.com`)).toMatchObject({ kind: 'user', name: 'alice@corp.onaliyun.com' });
    expect(parsePrincipalArn(`acs:ram::${UID}:role/crossrole-abc`)).toEqual({ kind: 'role', accountId: UID, name: 'crossrole-abc', arn: `acs:ram::${UID}:role/crossrole-abc` });
    expect(parsePrincipalArn(`acs:ram::${UID}:assumed-role/crossrole-abc/bob-session`)).toEqual({
      kind: 'assumed-role',
      accountId: UID,
      name: 'crossrole-abc',
      session: 'bob-session',
      arn: `acs:ram::${UID}:assumed-role/crossrole-abc/bob-session`,
    });
  });

  it('keeps names as written (case is not folded)', () => {
    expect(parsePrincipalArn(`acs:ram::${UID}:role/ECSAdmin`)).toMatchObject({ name: 'ECSAdmin', arn: `acs:ram::${UID}:role/ECSAdmin` });
  });

  it.each<[string, unknown]>([
    ['AWS ARN', 'arn:aws:iam::123456789012:user/alice'],
    ['region present', `acs:ram:cn-hangzhou:${UID}:root`],
    ['short uid', 'acs:ram::1234:root'],
    ['masked uid', 'acs:ram::123456789012****:root'],
    ['empty user', `acs:ram::${UID}:user/`],
    ['user path', `acs:ram::${UID}:user/a/b`],
    ['bad user char', `acs:ram::${UID}:user/al ice`],
    ['role name too long', `acs:ram::${UID}:role/${'r'.repeat(65)}`],
    ['role with underscore', `acs:ram::${UID}:role/bad_name`],
    ['assumed role without session', `acs:ram::${UID}:assumed-role/crossrole-abc`],
    ['session too short', `acs:ram::${UID}:assumed-role/crossrole-abc/b`],
    ['group', `acs:ram::${UID}:group/admins`],
    ['service principal', 'fc.aliyuncs.com'],
    ['trailing newline', `acs:ram::${UID}:root\n`],
    ['wildcard', `acs:ram::${UID}:*`],
    ['resource ARN', `acs:ram:*:${UID}:role/crossrole-abc`],
    ['not a string', { arn: 'x' }],
    ['empty', ''],
  ])('rejects %s with INVALID_ARN', (_name, input) => {
    expect(failure(() => parsePrincipalArn(input, 'approvers[0]'))).toEqual({ code: 'INVALID_ARN', field: 'approvers[0]' });
  });

  it('builds root and role ARNs', () => {
    expect(rootArn(UID)).toBe(`acs:ram::${UID}:root`);
    expect(roleArn(UID, 'Crossrole-ABC')).toBe(`acs:ram::${UID}:role/crossrole-abc`);
    expect(parsePrincipalArn(roleArn(UID, 'crossrole-x')).kind).toBe('role');
  });
});

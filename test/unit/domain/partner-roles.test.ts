import { RevokeMode } from '../../../shared/domain/access-request';
import { parseCatalog, type CatalogInput } from '../../../shared/domain/catalog';
import { EXEC_ROLE_NAME } from '../../../shared/domain/deployment';
import { ValidationError } from '../../../shared/domain/errors';
import { parsePrincipalArn } from '../../../shared/domain/identifiers';
import {
  parsePartnerPattern, partnerStanding, patternMatches, requesterFilterOf, requesterMatches, type PartnerRolesEntry,
} from '../../../shared/domain/partner-roles';
import { holdsRoleName, isReservedRoleName, roleNameTaken } from '../../../shared/domain/role-names';
import { ALL_STATUSES, Status, isTerminal } from '../../../shared/domain/state-machine';

const OWNER = '1234567890123456';
const B = '1879324520397241';
const C = '5555666677778888';
const who = (arn: string): { accountId: string; arn: string } => ({ accountId: /::(\d{16}):/.exec(arn)?.[1] ?? '', arn });

describe('partner patterns', () => {
  it('parses short and full forms; wildcards only in the name', () => {
    expect(parsePartnerPattern('user/*')).toEqual({ kind: 'user', glob: '*' });
    expect(parsePartnerPattern('role/security-*')).toEqual({ kind: 'role', glob: 'security-*' });
    expect(parsePartnerPattern(`acs:ram::${B}:user/alice`)).toEqual({ kind: 'user', glob: 'alice', accountId: B });
    for (const bad of ['root', `acs:ram::${B}:root`, 'acs:ram::*:user/x', `acs:ram::${B}:assumed-role/r/s`, 'user/', 'user/a/b', 'group/x', 'role/a_b', 'user/a b', `user/${'x'.repeat(65)}`, '*']) {
      expect(() => parsePartnerPattern(bad)).toThrow(ValidationError);
    }
  });

  it('matches users exactly (case included) and role sessions by role name, case-insensitively', () => {
    const m = (pattern: string, arn: string): boolean => patternMatches(parsePartnerPattern(pattern), parsePrincipalArn(arn));
    expect(m('user/*', `acs:ram::${B}:user/bob`)).toBe(true);
    expect(m('user/b*b', `acs:ram::${B}:user/bob`)).toBe(true);
    expect(m('user/bob', `acs:ram::${B}:user/Bob`)).toBe(false);
    expect(m('user/a.c', `acs:ram::${B}:user/abc`)).toBe(false); // "." is literal
    expect(m('user/*', `acs:ram::${B}:assumed-role/ops/bob`)).toBe(false);
    expect(m('role/security-*', `acs:ram::${B}:assumed-role/Security-Admins/s1`)).toBe(true);
    expect(m('role/security-*', `acs:ram::${B}:assumed-role/ops/security-x`)).toBe(false); // never by session name
    expect(m('role/*', `acs:ram::${B}:user/bob`)).toBe(false);
    expect(m(`acs:ram::${B}:user/*`, `acs:ram::${C}:user/bob`)).toBe(false);
  });

  it('standing: root manages; managers patterns manage; requesters default to anyone; others none', () => {
    const entries: PartnerRolesEntry[] = [
      { account: B, requesters: ['user/dev-*', 'role/ci'], managers: ['role/security-*', 'user/boss'] },
      { account: '*', managers: ['user/admin'] },
    ];
    expect(partnerStanding(entries, who(`acs:ram::${B}:root`))).toBe('manager');
    expect(partnerStanding(entries, who(`acs:ram::${B}:user/boss`))).toBe('manager');
    expect(partnerStanding(entries, who(`acs:ram::${B}:assumed-role/security-team/sx`))).toBe('manager');
    expect(partnerStanding(entries, who(`acs:ram::${B}:user/dev-1`))).toBe('requester');
    expect(partnerStanding(entries, who(`acs:ram::${B}:assumed-role/CI/build-7`))).toBe('requester');
    expect(partnerStanding(entries, who(`acs:ram::${B}:user/intern`))).toBe('none');
    // B's own entry replaces the "*" entry: user/admin manages other accounts, not B.
    expect(partnerStanding(entries, who(`acs:ram::${B}:user/admin`))).toBe('none');
    expect(partnerStanding(entries, who(`acs:ram::${C}:user/admin`))).toBe('manager');
    expect(partnerStanding(entries, who(`acs:ram::${C}:user/anyone`))).toBe('requester');
    expect(partnerStanding([], who(`acs:ram::${C}:user/anyone`))).toBe('requester');
    expect(partnerStanding([], who(`acs:ram::${C}:root`))).toBe('manager');
    // requesters: [] means the managers and the root only.
    expect(partnerStanding([{ account: C, requesters: [], managers: [] }], who(`acs:ram::${C}:user/anyone`))).toBe('none');
    // An ARN of another account than the verified one is nobody.
    expect(partnerStanding(entries, { accountId: C, arn: `acs:ram::${B}:root` })).toBe('none');
  });

  it('own requests: the same ARN, or any session of the same role', () => {
    const user = requesterFilterOf(`acs:ram::${B}:user/bob`);
    expect(requesterMatches(user, `acs:ram::${B}:user/bob`)).toBe(true);
    expect(requesterMatches(user, `acs:ram::${B}:user/Bob`)).toBe(false);
    expect(requesterMatches(user, `acs:ram::${B}:user/dave`)).toBe(false);
    const session = requesterFilterOf(`acs:ram::${B}:assumed-role/Ops/laptop`);
    expect(session).toEqual({ kind: 'role-sessions', accountId: B, roleName: 'ops' });
    expect(requesterMatches(session, `acs:ram::${B}:assumed-role/ops/other-session`)).toBe(true);
    expect(requesterMatches(session, `acs:ram::${B}:assumed-role/ops2/laptop`)).toBe(false);
    expect(requesterMatches(session, `acs:ram::${C}:assumed-role/ops/laptop`)).toBe(false);
    expect(requesterMatches(session, `acs:ram::${B}:user/ops`)).toBe(false);
  });
});

describe('catalog partnerRoles', () => {
  const base = (): CatalogInput => ({
    ownerAccountId: OWNER,
    approvers: [`acs:ram::${OWNER}:user/alice`],
    partners: [B],
    profiles: [{ name: 'p', policies: [{ type: 'System', name: 'AliyunECSReadOnlyAccess' }], maxDuration: '1h' }],
  });
  const fieldOf = (partnerRoles: unknown, partners: CatalogInput['partners']): string | undefined => {
    try {
      parseCatalog({ ...base(), partners, partnerRoles });
      return undefined;
    } catch (e) {
      return (e as ValidationError).field;
    }
  };

  // Every row names its partners: jest passes a `done` callback for a missing trailing argument.
  it('defaults to none, and keeps a valid one (managers default to [])', () => {
    expect(parseCatalog(base()).partnerRoles).toEqual([]);
    expect(parseCatalog({ ...base(), partnerRoles: [{ account: B, requesters: ['user/*'] }] }).partnerRoles).toEqual([{ account: B, requesters: ['user/*'], managers: [] }]);
    expect(parseCatalog({ ...base(), partners: 'open', partnerRoles: [{ account: '*', managers: ['role/sec-*'] }, { account: C, managers: [`acs:ram::${C}:user/boss`] }] }).partnerRoles).toHaveLength(2);
  });

  it.each<[string, unknown, string, CatalogInput['partners']]>([
    ['a bad pattern', [{ account: B, managers: ['root'] }], 'partnerRoles[0].managers[0]', [B]],
    ['a wildcard account in an ARN', [{ account: B, requesters: ['acs:ram::*:user/x'] }], 'partnerRoles[0].requesters[0]', [B]],
    ['a bad account', [{ account: 'B' }], 'partnerRoles[0].account', [B]],
    ['an unknown key', [{ account: B, viewers: [] }], 'partnerRoles[0].viewers', [B]],
    ['a duplicate account', [{ account: B }, { account: B }], 'partnerRoles[1].account', [B]],
    ['an account that is not a partner', [{ account: C }], 'partnerRoles[0].account', [B]],
    ['the owner account', [{ account: OWNER }], 'partnerRoles[0].account', 'open'],
    ['a pattern of another account', [{ account: B, managers: [`acs:ram::${C}:user/x`] }], 'partnerRoles[0].managers[0]', [B]],
    ['a full ARN in the "*" entry', [{ account: '*', requesters: [`acs:ram::${B}:user/x`] }], 'partnerRoles[0].requesters[0]', [B]],
  ])('refuses %s, at its field', (_name, partnerRoles, field, partners) => {
    expect(fieldOf(partnerRoles, partners)).toBe(field);
  });
});

describe('role names', () => {
  it('holdsRoleName: every non-terminal status; REVOKED until released unless delete mode; never the other terminal statuses', () => {
    for (const status of ALL_STATUSES) {
      if (!isTerminal(status)) expect({ status, held: holdsRoleName({ status }) }).toEqual({ status, held: true });
    }
    for (const status of [Status.REJECTED, Status.CANCELLED, Status.LAPSED]) expect(holdsRoleName({ status })).toBe(false);
    expect(holdsRoleName({ status: Status.REVOKED, revokeMode: RevokeMode.TRUST })).toBe(true);
    expect(holdsRoleName({ status: Status.REVOKED, revokeMode: RevokeMode.TRUST, resourcesReleasedAt: '2026-01-01T00:00:00.000Z' })).toBe(false);
    expect(holdsRoleName({ status: Status.REVOKED, revokeMode: RevokeMode.DELETE })).toBe(false);
    expect(holdsRoleName({ status: Status.REVOKED })).toBe(true);
    expect(holdsRoleName({ status: Status.FAILED, revokeMode: RevokeMode.DELETE })).toBe(true);
  });

  it('the deployment\'s execution role is reserved, in any case; the refusal names no request', () => {
    expect(isReservedRoleName(EXEC_ROLE_NAME)).toBe(true);
    expect(isReservedRoleName('Crossrole-FC-Exec')).toBe(true);
    expect(isReservedRoleName('crossrole-fc-exec-2')).toBe(false);
    const e = roleNameTaken('crossrole-x');
    expect(e.toJSON()).toEqual({ code: 'ROLE_NAME_TAKEN', message: 'role name "crossrole-x" is in use by another request; choose another roleName', field: 'roleName' });
  });
});

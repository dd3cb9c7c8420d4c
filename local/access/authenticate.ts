/**
 * Authentication of the local cloud: an access key ID (and, for `STS.` keys, the security
 * token) → the principal behind it and the secret its signature must use. Every service
 * (POP RPC, MNS, FC) resolves keys here, so they all fail the same way with the same codes.
 */
import type { KeyLookup, Principal } from '../core/contract';
import { assumedRoleArnOf, rootArnOf, userArnOf } from '../ram/arns';
import type { RamStore } from '../ram/store';
import type { SessionRecord, StsSessions } from '../sts/store';

const notFound: KeyLookup = { ok: false, code: 'InvalidAccessKeyId.NotFound', message: 'Specified access key is not found.' };
const mismatch: KeyLookup = { ok: false, code: 'InvalidSecurityToken.MismatchWithAccessKey', message: 'Specified SecurityToken mismatch with the AccessKey.' };

function sessionPrincipal(s: SessionRecord): Principal {
  return {
    accountId: s.accountId,
    arn: assumedRoleArnOf(s.accountId, s.roleName, s.sessionName),
    kind: 'assumed-role',
    name: s.roleName,
    sessionName: s.sessionName,
    principalId: `${s.roleId}:${s.sessionName}`,
    accessKeyId: s.accessKeyId,
  };
}

export function lookupKey(ram: RamStore, sessions: StsSessions, accessKeyId: string, securityToken: string | undefined, now: Date): KeyLookup {
  if (accessKeyId.startsWith('STS.')) {
    const s = sessions.get(accessKeyId);
    if (!s) return notFound;
    if (securityToken === undefined || securityToken === '') return { ok: false, code: 'MissingSecurityToken', message: 'SecurityToken is mandatory for this action.' };
    if (securityToken !== s.securityToken) return mismatch;
    if (now.getTime() >= s.expiresAt) return { ok: false, code: 'InvalidSecurityToken.Expired', message: 'Specified SecurityToken is expired.' };
    const role = ram.findRole(s.accountId, s.roleName);
    if (!role || role.roleId !== s.roleId) {
      // The role was deleted (or deleted and re-created): its sessions die with it.
      return { ok: false, code: 'InvalidSecurityToken.Expired', message: 'Specified SecurityToken is expired: its role no longer exists.' };
    }
    return { ok: true, secret: s.accessKeySecret, principal: sessionPrincipal(s) };
  }
  const k = ram.findAccessKey(accessKeyId);
  if (!k || !ram.getAccount(k.accountId)) return notFound;
  if (k.status !== 'Active') return { ok: false, code: 'InvalidAccessKeyId.Inactive', message: 'Specified access key is disabled.' };
  if (securityToken !== undefined && securityToken !== '') return mismatch;
  if (k.userName === undefined) {
    return { ok: true, secret: k.accessKeySecret, principal: { accountId: k.accountId, arn: rootArnOf(k.accountId), kind: 'root', principalId: k.accountId, accessKeyId } };
  }
  const u = ram.findUser(k.accountId, k.userName);
  if (!u) return notFound;
  return {
    ok: true,
    secret: k.accessKeySecret,
    principal: { accountId: k.accountId, arn: userArnOf(k.accountId, u.userName), kind: 'user', name: u.userName, principalId: u.userId, accessKeyId },
  };
}

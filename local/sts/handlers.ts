/** STS (2015-04-01) actions: AssumeRole and GetCallerIdentity. */
import { intParam } from '../core/params';
import type { RpcHandler } from '../core/rpc';
import type { StsStore } from './store';

export function stsHandlers(sts: StsStore): Record<string, RpcHandler> {
  const AssumeRole: RpcHandler = (ctx) => {
    const roleArn = ctx.required('RoleArn');
    const roleSessionName = ctx.required('RoleSessionName');
    const durationSeconds = intParam(ctx, 'DurationSeconds');
    const policy = ctx.param('Policy');
    const externalId = ctx.param('ExternalId');
    const sourceIdentity = ctx.param('SourceIdentity');
    const r = sts.assumeRole(
      ctx.principal,
      {
        roleArn,
        roleSessionName,
        ...(durationSeconds === undefined ? {} : { durationSeconds }),
        ...(policy === undefined || policy === '' ? {} : { policy }),
        ...(externalId === undefined || externalId === '' ? {} : { externalId }),
        ...(sourceIdentity === undefined || sourceIdentity === '' ? {} : { sourceIdentity }),
      },
      ctx.authzContext(),
      () => ctx.authorize(),
    );
    return {
      AssumedRoleUser: { Arn: r.assumedRoleUser.arn, AssumedRoleId: r.assumedRoleUser.assumedRoleId },
      Credentials: {
        AccessKeyId: r.credentials.accessKeyId,
        AccessKeySecret: r.credentials.accessKeySecret,
        SecurityToken: r.credentials.securityToken,
        Expiration: r.credentials.expiration,
      },
      ...(r.sourceIdentity === undefined ? {} : { SourceIdentity: r.sourceIdentity }),
    };
  };

  // Any authenticated identity may ask who it is: RAM authorizes nothing (see the table).
  const GetCallerIdentity: RpcHandler = (ctx) => {
    ctx.authorize();
    const p = ctx.principal;
    if (p.kind === 'assumed-role') {
      const roleId = sts.getSession(p.accessKeyId)?.roleId ?? '';
      return { AccountId: p.accountId, Arn: p.arn, IdentityType: 'AssumedRoleUser', PrincipalId: p.principalId, UserId: p.principalId, RoleId: roleId };
    }
    if (p.kind === 'user') {
      return { AccountId: p.accountId, Arn: p.arn, IdentityType: 'RAMUser', PrincipalId: p.principalId, UserId: p.principalId, RoleId: '' };
    }
    return { AccountId: p.accountId, Arn: p.arn, IdentityType: 'Account', PrincipalId: p.accountId, UserId: p.accountId, RoleId: '' };
  };

  return { AssumeRole, GetCallerIdentity };
}

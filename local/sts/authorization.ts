/**
 * STS (2015-04-01): what RAM checks for each action the local STS serves, from the API
 * references' "RAM authorization" tables.
 */
import type { AuthorizationTable } from '../core/authorization';
import { parseRoleArn } from './store';
import { StsErrors } from './errors';

export const STS_AUTHORIZATION: AuthorizationTable = {
  AssumeRole: {
    action: 'sts:AssumeRole',
    // The role is usually in another account: the identity side names it, the role's trust
    // policy (checked separately) admits the caller. Both are required, in one account too.
    resources: (r) => {
      const arn = parseRoleArn(r.required('RoleArn'));
      if (!arn) throw StsErrors.roleArn();
      return [`acs:ram::${arn.accountId}:role/${arn.roleName}`];
    },
    crossAccount: true,
    source: 'help.aliyun.com/document_detail/28763.htm: sts:AssumeRole *Role acs:ram::{#accountId}:role/{#RoleName}; both sides: doc-detail/39744',
  },
  GetCallerIdentity: {
    none: true,
    source: 'alibabacloud.com/help/doc-detail/43767.htm: "No authorization for this operation"',
  },
};

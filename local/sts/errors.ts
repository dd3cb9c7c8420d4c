/** STS error codes with their real HTTP statuses (alibabacloud.com/help/en/ram/api-assumerole, doc-detail/39744, doc-detail/42775). */
import { ServiceError } from '../core/errors';

const e = (code: string, status: number, message: string): ServiceError => new ServiceError(code, status, message);

export const StsErrors = {
  roleArn: (): ServiceError => e('InvalidParameter.RoleArn', 400, 'The parameter RoleArn is wrongly formed.'),
  sessionName: (): ServiceError => e('InvalidParameter.RoleSessionName', 400, 'The parameter RoleSessionName is wrongly formed.'),
  duration: (): ServiceError => e('InvalidParameter.DurationSeconds', 400, 'The Min/Max value of DurationSeconds is 15min/1hr.'),
  policyGrammar: (): ServiceError => e('InvalidParameter.PolicyGrammar', 400, 'The parameter Policy has not passed grammar check.'),
  policySize: (): ServiceError => e('InvalidParameter.PolicySize', 400, 'The size of Policy must be smaller than 2048 bytes.'),
  externalId: (): ServiceError => e('InvalidParameter.ExternalId', 400, 'The parameter ExternalId is wrongly formed.'),
  sourceIdentity: (): ServiceError => e('InvalidParameter.SourceIdentity', 400, 'The parameter SourceIdentity is wrongly formed.'),
  roleNotExist: (): ServiceError => e('EntityNotExist.Role', 404, 'The specified Role not exists .'),
  rootCannotAssume: (): ServiceError => e('NoPermission', 403, 'Roles may not be assumed by root accounts.'),
  notAuthorized: (): ServiceError => e('NoPermission', 403, 'You are not authorized to do this action. You should be authorized by RAM.'),
  notTrusted: (): ServiceError =>
    e('NoPermission', 403, 'No permission perform sts:AssumeRole on this Role. Maybe you are not authorized to perform sts:AssumeRole or the specified role does not trust you.'),
} as const;

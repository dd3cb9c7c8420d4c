/**
 * The tutorial's step 2: the custom policy the partner's admin attaches to their own users so they
 * may assume exactly this role (STS FAQ, www.alibabacloud.com/help/doc-detail/39744.htm).
 */
import { ValidationError } from '../domain/errors';
import { parsePrincipalArn } from '../domain/identifiers';
import { parsePolicyDocument } from './policy-document';

export function buildPartnerPolicy(roleArn: string): string {
  const parsed = parsePrincipalArn(roleArn, 'roleArn');
  if (parsed.kind !== 'role') throw new ValidationError('INVALID_ARN', 'roleArn', 'must be a role ARN (acs:ram::<uid>:role/<name>)');
  const text = JSON.stringify({ Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Resource: parsed.arn }], Version: '1' });
  parsePolicyDocument(text, 'partnerPolicy');
  return text;
}

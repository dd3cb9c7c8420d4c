/**
 * The documents the local cloud already holds must pass the new engine's grammar, so wiring it in
 * changes verdicts only where the two readings of RAM differ. The shapes are copied here (not
 * imported) on purpose: this engine must not learn RAM from the product.
 */
import { decide, decideTrust, parsePolicy } from '../../../local/access/policy';
// The one product document read here is the one the product would send to RAM: the witness judges it.
import { localCatalog } from '../../../shared/contract/local-catalog';
import { buildExecRolePolicy } from '../../../shared/policy/exec-role-policy';

const OWNER = '1511928242963727';
const PARTNER = '1879324520397241';

describe('documents the local cloud holds today', () => {
  it('the execution policy the product derives from the local catalog parses and grants what it lists', () => {
    const text = buildExecRolePolicy({ ownerAccountId: OWNER, region: 'cn-hangzhou', catalog: localCatalog(), queues: ['crossrole-approvals', 'crossrole-provision', 'crossrole-revoke', 'crossrole-deadletter'] });
    const p = parsePolicy(text, 'identity');
    const d = (action: string, resource: string) => decide([p], { action, resource, context: {} });
    expect(d('ram:CreateRole', `acs:ram:*:${OWNER}:role/crossrole-g1`)).toBe('Allow');
    expect(d('ram:CreateRole', `acs:ram:*:${OWNER}:role/admin`)).toBe('ImplicitDeny');
    expect(d('mns:SendMessage', `acs:mns:cn-hangzhou:${OWNER}:/queues/crossrole-approvals/messages`)).toBe('Allow');
    expect(d('mns:SendMessage', `acs:mns:cn-hangzhou:${OWNER}:/queues/other/messages`)).toBe('ImplicitDeny');
  });

  it.each([
    ['the functions\' role trusts FC', { Version: '1', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { Service: ['fc.aliyuncs.com'] } }] }],
    ['a grant role trusts the partner with an ExternalId', { Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { RAM: [`acs:ram::${PARTNER}:root`] }, Condition: { StringEquals: { 'sts:ExternalId': 'x'.repeat(32) } } }], Version: '1' }],
  ])('trust policy: %s', (_why, document) => {
    expect(() => parsePolicy(JSON.stringify(document), 'trust')).not.toThrow();
  });

  it.each([
    ['system-policy style wildcards', [{ Action: ['*:Describe*', '*:List*', '*:Get*'], Resource: '*', Effect: 'Allow' }]],
    ['a time guard', [{ Effect: 'Deny', Action: '*', Resource: '*', Condition: { DateGreaterThan: { 'acs:CurrentTime': '2026-03-01T12:00:00Z' } } }]],
    ['an approver\'s queue policy', [{ Effect: 'Allow', Action: ['mns:ReceiveMessage', 'mns:DeleteMessage', 'mns:ChangeMessageVisibility', 'mns:PeekMessage'], Resource: [`acs:mns:cn-hangzhou:${OWNER}:/queues/crossrole-approvals/messages`] }]],
  ])('permission policy: %s', (_why, statements) => {
    expect(() => parsePolicy(JSON.stringify({ Version: '1', Statement: statements }), 'identity')).not.toThrow();
  });

  it('FC assumes the functions\' role for its own account', () => {
    const p = parsePolicy(JSON.stringify({ Version: '1', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { Service: ['fc.aliyuncs.com'] } }] }), 'trust');
    expect(decideTrust(p, { roleArn: `acs:ram::${OWNER}:role/crossrole-exec`, caller: { service: 'fc.aliyuncs.com', onBehalfOf: OWNER }, context: {} })).toBe('Allow');
  });
});

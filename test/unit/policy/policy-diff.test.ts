import { describePolicyChanges, policyChanges } from '../../../shared/policy/policy-diff';
import { buildExecTrustPolicy, trustsFunctionCompute } from '../../../shared/policy/exec-role-trust';

const doc = (...statements: object[]): string => JSON.stringify({ Version: '1', Statement: statements });

describe('policyChanges / describePolicyChanges', () => {
  const before = doc({ Effect: 'Allow', Action: ['ram:GetRole', 'ram:CreateRole'], Resource: 'acs:ram:*:1:role/crossrole-*' });

  it('lists the grants added and removed, one line each', () => {
    const after = doc({ Effect: 'Allow', Action: ['ram:GetRole', 'ram:UpdateRole'], Resource: 'acs:ram:*:1:role/crossrole-*' });
    expect(policyChanges(before, after)).toEqual({ added: ['Allow ram:UpdateRole on acs:ram:*:1:role/crossrole-*'], removed: ['Allow ram:CreateRole on acs:ram:*:1:role/crossrole-*'] });
    expect(describePolicyChanges(before, after)).toEqual(['- Allow ram:CreateRole on acs:ram:*:1:role/crossrole-*', '+ Allow ram:UpdateRole on acs:ram:*:1:role/crossrole-*']);
  });

  it('sees no grant change in a reordered document, and says so', () => {
    const reordered = doc({ Resource: ['acs:ram:*:1:role/crossrole-*'], Action: ['ram:CreateRole', 'ram:GetRole'], Effect: 'Allow' });
    expect(policyChanges(before, reordered)).toEqual({ added: [], removed: [] });
    expect(describePolicyChanges(before, reordered)).toEqual(['same grants, different text (order or layout)']);
  });

  it('keeps conditions, NotAction and Deny apart from plain grants, and caps long lists', () => {
    const after = doc({ Effect: 'Deny', NotAction: 'sts:*', Resource: '*', Condition: { DateGreaterThan: { 'acs:CurrentTime': '2030-01-01T00:00:00Z' } } });
    expect(policyChanges('{"Version":"1","Statement":[]}', after).added).toEqual(['Deny NOT sts:* on * when {"DateGreaterThan":{"acs:CurrentTime":"2030-01-01T00:00:00Z"}}']);
    const many = doc({ Effect: 'Allow', Action: Array.from({ length: 20 }, (_, i) => `ecs:A${i}`), Resource: '*' });
    const lines = describePolicyChanges('{"Version":"1","Statement":[]}', many, 5);
    expect(lines).toHaveLength(6);
    expect(lines[5]).toBe('… and 15 more');
  });

  it('reports a document that is not a policy instead of throwing', () => {
    expect(policyChanges('not json', before).removed).toEqual(['(the current document is not a policy document)']);
  });
});

describe('the execution role\'s trust policy', () => {
  it('lets Function Compute assume the role, and is recognised as doing so', () => {
    expect(trustsFunctionCompute(buildExecTrustPolicy())).toBe(true);
  });

  it('is not recognised when FC is missing, conditioned, denied or the text is not JSON', () => {
    const trust = (s: object): string => JSON.stringify({ Version: '1', Statement: [s] });
    expect(trustsFunctionCompute(trust({ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { Service: ['ecs.aliyuncs.com'] } }))).toBe(false);
    expect(trustsFunctionCompute(trust({ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { RAM: ['acs:ram::1511928242963727:root'] } }))).toBe(false);
    expect(trustsFunctionCompute(trust({ Effect: 'Deny', Action: 'sts:AssumeRole', Principal: { Service: 'fc.aliyuncs.com' } }))).toBe(false);
    expect(trustsFunctionCompute(trust({ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { Service: 'fc.aliyuncs.com' }, Condition: { StringEquals: { 'sts:ExternalId': 'x' } } }))).toBe(false);
    expect(trustsFunctionCompute(trust({ Effect: 'Allow', Action: 'ecs:*', Principal: { Service: 'fc.aliyuncs.com' } }))).toBe(false);
    expect(trustsFunctionCompute('{')).toBe(false);
    expect(trustsFunctionCompute(trust({ Effect: 'Allow', Action: ['sts:AssumeRole'], Principal: { Service: 'fc.aliyuncs.com' } }))).toBe(true);
  });
});

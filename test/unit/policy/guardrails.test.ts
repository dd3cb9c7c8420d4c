import { CrossroleError, ValidationError } from '../../../shared/domain/errors';
import { parseCatalog, type CatalogInput } from '../../../shared/domain/catalog';
import { checkCatalogGuardrails } from '../../../shared/policy';
import { checkPolicyGuardrails } from '../../../shared/policy/guardrails';
import { parsePolicyDocument, type Statement } from '../../../shared/policy/policy-document';
import { ESCALATION_ACTIONS, escalatingActions } from '../../../shared/policy/escalation';

const OWNER = '1111111111111111';
const field = 'profiles[0].policies[0].document';
const policy = (...Statement: Statement[]) => parsePolicyDocument({ Version: '1', Statement });

function guardrailError(fn: () => void): CrossroleError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(CrossroleError);
    return e as CrossroleError;
  }
  throw new Error('expected POLICY_GUARDRAIL, nothing was thrown');
}

describe('checkPolicyGuardrails', () => {
  const rejected: Array<[string, Statement]> = [
    ['"*"', { Effect: 'Allow', Action: '*', Resource: '*' }],
    ['"*:*"', { Effect: 'Allow', Action: '*:*', Resource: '*' }],
    ['"ram:*"', { Effect: 'Allow', Action: 'ram:*', Resource: '*' }],
    ['"RAM:*" (actions are case-insensitive)', { Effect: 'Allow', Action: 'RAM:*', Resource: '*' }],
    ['"sts:*"', { Effect: 'Allow', Action: 'sts:*', Resource: '*' }],
    ['"ram:Attach*"', { Effect: 'Allow', Action: ['ecs:Describe*', 'ram:Attach*'], Resource: '*' }],
    ['"ram:*Policy*"', { Effect: 'Allow', Action: 'ram:*Policy*', Resource: '*' }],
    ['"ram:Create???r"', { Effect: 'Allow', Action: 'ram:Create???r', Resource: '*' }],
    ['"sts:AssumeRole"', { Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }],
    ['"ram:PassRole" scoped to one role (the resource scope does not make it safe)', { Effect: 'Allow', Action: 'ram:PassRole', Resource: 'acs:ram:*:*:role/x' }],
    ['"ram:DetachPolicyFromRole" (removes the expiry guard)', { Effect: 'Allow', Action: 'ram:DetachPolicyFromRole', Resource: '*' }],
    ['an escalation behind a condition (conditions can be met)', { Effect: 'Allow', Action: 'ram:CreateAccessKey', Resource: '*', Condition: { IpAddress: { 'acs:SourceIp': '10.0.0.0/8' } } }],
    ['NotAction with Allow (everything not listed)', { Effect: 'Allow', NotAction: 'ecs:Delete*', Resource: '*' }],
    ['NotAction with Allow that excludes ram:* and sts:* (still grants every other service)', { Effect: 'Allow', NotAction: ['ram:*', 'sts:*', 'resourcemanager:*'], Resource: '*' }],
  ];

  it.each(rejected)('rejects %s unless privileged', (_name, statement) => {
    const doc = policy({ Effect: 'Allow', Action: 'ecs:Describe*', Resource: '*' }, statement);
    const e = guardrailError(() => checkPolicyGuardrails(doc, { privileged: false, field }));
    expect(e.code).toBe('POLICY_GUARDRAIL');
    expect(e.field).toBe(field);
    expect(e.details).toMatchObject({ statement: 1 });
    expect(() => checkPolicyGuardrails(doc, { privileged: true, field })).not.toThrow();
  });

  it.each<[string, Statement[]]>([
    ['read-only ECS', [{ Effect: 'Allow', Action: ['ecs:Describe*', 'ecs:List*'], Resource: '*' }]],
    ['read-only OSS on one bucket', [{ Effect: 'Allow', Action: ['oss:GetObject', 'oss:ListObjects'], Resource: ['acs:oss:*:*:b', 'acs:oss:*:*:b/*'] }]],
    ['RAM read-only actions', [{ Effect: 'Allow', Action: ['ram:Get*', 'ram:List*'], Resource: '*' }]],
    ['a Deny of everything (the guard shape)', [{ Effect: 'Deny', Action: '*', Resource: '*' }]],
    ['NotAction with Deny', [{ Effect: 'Allow', Action: 'ecs:*', Resource: '*' }, { Effect: 'Deny', NotAction: 'ecs:Describe*', Resource: '*' }]],
  ])('accepts %s', (_name, statements) => {
    expect(() => checkPolicyGuardrails(policy(...statements), { privileged: false, field })).not.toThrow();
  });

  it('reports which actions escalate', () => {
    expect(escalatingActions({ Effect: 'Allow', Action: 'ram:Attach*', Resource: '*' })).toEqual(['ram:AttachPolicyToRole', 'ram:AttachPolicyToUser', 'ram:AttachPolicyToGroup', 'ram:AttachPolicy']);
    expect(escalatingActions({ Effect: 'Allow', Action: '*', Resource: '*' })).toEqual(['*', ...ESCALATION_ACTIONS]);
    expect(escalatingActions({ Effect: 'Deny', Action: '*', Resource: '*' })).toEqual([]);
  });

  it('covers at least the actions named in the design', () => {
    for (const a of ['ram:AttachPolicyToRole', 'ram:AttachPolicyToUser', 'ram:AttachPolicyToGroup', 'ram:CreateAccessKey', 'ram:CreatePolicy', 'ram:CreatePolicyVersion', 'ram:SetDefaultPolicyVersion', 'ram:UpdateRole', 'ram:CreateRole', 'ram:PassRole', 'ram:CreateUser', 'ram:AddUserToGroup', 'ram:UpdateLoginProfile', 'ram:CreateLoginProfile', 'sts:AssumeRole']) {
      expect(ESCALATION_ACTIONS).toContain(a);
    }
  });
});

describe('checkCatalogGuardrails', () => {
  const catalog = (profiles: CatalogInput['profiles']) =>
    parseCatalog({ ownerAccountId: OWNER, approvers: [`acs:ram::${OWNER}:user/alice`], partners: 'open', profiles });
  const readOnly = { type: 'Custom' as const, name: 'ecs-read', document: { Version: '1', Statement: [{ Effect: 'Allow', Action: 'ecs:Describe*', Resource: '*' }] } };
  const admin = { type: 'Custom' as const, name: 'ram-admin', document: { Version: '1', Statement: [{ Effect: 'Allow', Action: 'ram:*', Resource: '*' }] } };

  it('accepts safe custom policies and known harmless system policies', () => {
    expect(() => checkCatalogGuardrails(catalog([{ name: 'ops', maxDuration: '8h', autoApprove: true, policies: [{ type: 'System', name: 'AliyunECSReadOnlyAccess' }, readOnly] }]))).not.toThrow();
  });

  it('judges a System policy by its document: AdministratorAccess on an ordinary profile is refused', () => {
    const e = guardrailError(() => checkCatalogGuardrails(catalog([{ name: 'ops', maxDuration: '8h', policies: [{ type: 'System', name: 'AdministratorAccess' }, readOnly] }])));
    expect(e.code).toBe('POLICY_GUARDRAIL');
    expect(e.field).toBe('profiles[0].policies[0].name');
    expect(e.details).toMatchObject({ rule: 'privileged-not-declared', profile: 'ops', policy: 'AdministratorAccess', action: '*' });
  });

  it('names the offending profile and policy', () => {
    const e = guardrailError(() => checkCatalogGuardrails(catalog([{ name: 'ops', maxDuration: '8h', policies: [readOnly] }, { name: 'admin', maxDuration: '1h', policies: [readOnly, admin] }])));
    expect(e.code).toBe('POLICY_GUARDRAIL');
    expect(e.field).toBe('profiles[1].policies[1].document');
  });

  it('lets a privileged profile grant escalating actions', () => {
    expect(() => checkCatalogGuardrails(catalog([{ name: 'admin', maxDuration: '1h', privileged: true, policies: [admin] }]))).not.toThrow();
  });

  it('rejects a malformed custom document with INVALID_POLICY at its path', () => {
    const bad = { type: 'Custom' as const, name: 'bad', document: { Version: '1', Statement: [{ Effect: 'Allow', Action: 'ecs:Describe*' }] } };
    try {
      checkCatalogGuardrails(catalog([{ name: 'ops', maxDuration: '8h', policies: [bad] }]));
      throw new Error('expected INVALID_POLICY');
    } catch (e) {
      expect(e).toBeInstanceOf(ValidationError);
      expect((e as ValidationError).code).toBe('INVALID_POLICY');
      expect((e as ValidationError).field).toBe('profiles[0].policies[0].document.Statement[0].Resource');
    }
  });
});

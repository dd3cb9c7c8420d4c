import { CrossroleError } from '../../../shared/domain';
import { buildGuardPolicy, buildPartnerPolicy, evaluate, parsePolicyDocument } from '../../../shared/policy';

const OWNER = '1111111111111111';

describe('buildGuardPolicy', () => {
  it('produces the documented document, to the second, in UTC', () => {
    expect(buildGuardPolicy(new Date('2026-11-29T20:00:00.999+08:00'))).toBe(
      '{"Version":"1","Statement":[{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"DateGreaterThan":{"acs:CurrentTime":"2026-11-29T12:00:00Z"}}}]}',
    );
  });

  it('denies every action only after the expiry', () => {
    const guard = parsePolicyDocument(buildGuardPolicy(new Date('2026-11-29T12:00:00Z')));
    const admin = parsePolicyDocument({ Version: '1', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] });
    const at = (t: string) => evaluate([admin, guard], { action: 'ecs:StopInstance', resource: 'acs:ecs:cn-hangzhou:1:instance/i-1', context: { 'acs:CurrentTime': t } });
    expect(at('2026-11-29T11:59:59Z')).toBe('Allow');
    expect(at('2026-11-29T12:00:01Z')).toBe('ExplicitDeny');
  });

  it('rejects an invalid date with a typed error', () => {
    try {
      buildGuardPolicy(new Date('nope'));
      throw new Error('expected VALIDATION');
    } catch (e) {
      expect(e).toBeInstanceOf(CrossroleError);
      expect((e as CrossroleError).code).toBe('VALIDATION');
      expect((e as CrossroleError).field).toBe('expiresAt');
    }
  });
});

describe('buildPartnerPolicy', () => {
  const role = `acs:ram::${OWNER}:role/crossrole-0a1b2c3d4e5f`;

  it('allows sts:AssumeRole on exactly that role (tutorial step 2)', () => {
    const text = buildPartnerPolicy(role);
    expect(text).toBe(`{"Statement":[{"Action":"sts:AssumeRole","Effect":"Allow","Resource":"${role}"}],"Version":"1"}`);
    const doc = parsePolicyDocument(text);
    expect(evaluate([doc], { action: 'sts:AssumeRole', resource: role, context: {} })).toBe('Allow');
    expect(evaluate([doc], { action: 'sts:AssumeRole', resource: `acs:ram::${OWNER}:role/other`, context: {} })).toBe('ImplicitDeny');
    expect(evaluate([doc], { action: 'ram:CreateRole', resource: role, context: {} })).toBe('ImplicitDeny');
  });

  it.each([`acs:ram::${OWNER}:user/bob`, `acs:ram::${OWNER}:root`, 'acs:ram::1:role/x', `acs:ram::${OWNER}:role/*`])('rejects %s', (arn) => {
    try {
      buildPartnerPolicy(arn);
      throw new Error('expected INVALID_ARN');
    } catch (e) {
      expect(e).toBeInstanceOf(CrossroleError);
      expect((e as CrossroleError).code).toBe('INVALID_ARN');
      expect((e as CrossroleError).field).toBe('roleArn');
    }
  });
});

import { CrossroleError } from '../../../shared/domain/errors';
import { decide, parsePolicy } from '../../../local/access/policy';
import { buildGuardPolicy, buildPartnerPolicy } from '../../../shared/policy';

const OWNER = '1111111111111111';

describe('buildGuardPolicy', () => {
  it('produces the documented document, to the second, in UTC', () => {
    expect(buildGuardPolicy(new Date('2026-11-29T20:00:00.999+08:00'))).toBe(
      '{"Version":"1","Statement":[{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"DateGreaterThan":{"acs:CurrentTime":"2026-11-29T12:00:00Z"}}}]}',
    );
  });

  // Judged by the local cloud's own RAM engine (a witness written from Alibaba's docs), not by product code.
  describe('as RAM would judge it, next to an Allow of everything', () => {
    const guard = parsePolicy(buildGuardPolicy(new Date('2026-11-29T12:00:00Z')), 'identity');
    const admin = parsePolicy(JSON.stringify({ Version: '1', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }), 'identity');
    const at = (t: string, action = 'ecs:StopInstance', resource = 'acs:ecs:cn-hangzhou:1:instance/i-1') =>
      decide([admin, guard], { action, resource, context: { 'acs:CurrentTime': t } });

    it.each([
      ['one second before the expiry', '2026-11-29T11:59:59Z', 'Allow'],
      ['exactly at the expiry (DateGreaterThan is strict)', '2026-11-29T12:00:00Z', 'Allow'],
      ['one second after the expiry', '2026-11-29T12:00:01Z', 'ExplicitDeny'],
      ['after the expiry, written with an offset (20:00:01+08:00 is 12:00:01Z)', '2026-11-29T20:00:01+08:00', 'ExplicitDeny'],
      ['a day later, with milliseconds as Date#toISOString writes them', '2026-11-30T12:00:00.000Z', 'ExplicitDeny'],
    ])('%s: %s → %s', (_why, t, expected) => {
      expect(at(t)).toBe(expected);
    });

    it('denies every action on every resource after the expiry, RAM ones included', () => {
      for (const [action, resource] of [['ram:DetachPolicyFromRole', 'acs:ram:*:1:role/crossrole-x'], ['sts:AssumeRole', 'acs:ram::1:role/x'], ['oss:GetObject', 'acs:oss:*:*:b/k']]) {
        expect(at('2026-11-29T12:00:01Z', action, resource)).toBe('ExplicitDeny');
      }
    });

    it('leaves the call to the other policies before the expiry (it only denies)', () => {
      expect(decide([guard], { action: 'ecs:StopInstance', resource: 'acs:ecs:cn-hangzhou:1:instance/i-1', context: { 'acs:CurrentTime': '2026-11-29T11:00:00Z' } })).toBe('ImplicitDeny');
    });
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
    // Judged by the local cloud's own RAM engine.
    const doc = parsePolicy(text, 'identity');
    expect(decide([doc], { action: 'sts:AssumeRole', resource: role, context: {} })).toBe('Allow');
    expect(decide([doc], { action: 'sts:AssumeRole', resource: `acs:ram::${OWNER}:role/other`, context: {} })).toBe('ImplicitDeny');
    expect(decide([doc], { action: 'ram:CreateRole', resource: role, context: {} })).toBe('ImplicitDeny');
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

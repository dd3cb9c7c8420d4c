/**
 * The trust-policy helpers of the reconciler: what "stripped" means (trusts nobody but the owner)
 * and when a role's trust policy still says what the grant wrote.
 */
import { buildTrustPolicy, ownerOnlyTrustPolicy, removeTrustedPartner, sameTrustPolicy, trustedAccounts, trustsBeyondOwner } from '../../../shared/policy';

const OWNER = '1000000000000001';
const PARTNER = '2000000000000002';
const doc = (statement: unknown): string => JSON.stringify({ Version: '1', Statement: [statement] });

describe('ownerOnlyTrustPolicy / trustsBeyondOwner', () => {
  it('the owner-only policy trusts the owner only, and is what removing the last partner leaves', () => {
    const only = ownerOnlyTrustPolicy(OWNER);
    expect(trustedAccounts(only)).toEqual([OWNER]);
    expect(trustsBeyondOwner(only, OWNER)).toBe(false);
    const grant = buildTrustPolicy({ principals: [`acs:ram::${PARTNER}:root`], externalId: 'xid-1-abc' });
    expect(removeTrustedPartner(grant, PARTNER, OWNER).document).toBe(only);
  });

  it.each([
    ['a partner root', doc({ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { RAM: [`acs:ram::${PARTNER}:root`] } })],
    ['a partner user next to the owner', doc({ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { RAM: [`acs:ram::${OWNER}:root`, `acs:ram::${PARTNER}:user/bob`] } })],
    ['a bare account id', doc({ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { RAM: PARTNER } })],
    ['a wildcard principal', doc({ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: '*' })],
    ['a RAM wildcard', doc({ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { RAM: ['*'] } })],
    ['a service principal', doc({ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { Service: ['ecs.aliyuncs.com'] } })],
    ['an unreadable document', '{not json'],
  ])('%s is beyond the owner', (_name, text) => {
    expect(trustsBeyondOwner(text, OWNER)).toBe(true);
  });

  it('Deny statements and the owner\'s own users do not count', () => {
    expect(trustsBeyondOwner(doc({ Effect: 'Deny', Action: 'sts:AssumeRole', Principal: { RAM: [`acs:ram::${PARTNER}:root`] } }), OWNER)).toBe(false);
    expect(trustsBeyondOwner(doc({ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { RAM: [`acs:ram::${OWNER}:user/ops`] } }), OWNER)).toBe(false);
  });
});

describe('sameTrustPolicy', () => {
  const grant = buildTrustPolicy({ principals: [`acs:ram::${PARTNER}:user/bob`, `acs:ram::${PARTNER}:user/alice`], externalId: 'xid-1-abc' });

  it('ignores key order, principal order and one-element arrays', () => {
    const parsed = JSON.parse(grant) as { Statement: Array<Record<string, unknown>>; Version: string };
    const [s] = parsed.Statement;
    const reserialised = JSON.stringify({ Version: '1', Statement: [{ Principal: { RAM: [`acs:ram::${PARTNER}:user/alice`, `acs:ram::${PARTNER}:user/bob`] }, Effect: 'Allow', Action: ['sts:AssumeRole'], Condition: s?.['Condition'] }] });
    expect(sameTrustPolicy(grant, reserialised)).toBe(true);
  });

  it('sees another principal, another ExternalId, a missing condition', () => {
    expect(sameTrustPolicy(grant, buildTrustPolicy({ principals: [`acs:ram::${PARTNER}:user/bob`], externalId: 'xid-1-abc' }))).toBe(false);
    expect(sameTrustPolicy(grant, buildTrustPolicy({ principals: [`acs:ram::${PARTNER}:user/bob`, `acs:ram::${PARTNER}:user/alice`], externalId: 'xid-2-abc' }))).toBe(false);
    expect(sameTrustPolicy(grant, doc({ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { RAM: [`acs:ram::${PARTNER}:user/bob`, `acs:ram::${PARTNER}:user/alice`] } }))).toBe(false);
    expect(sameTrustPolicy(grant, 'nope')).toBe(false);
  });
});

/**
 * Worst day #4: a partner's token outlives the machinery that should end it.
 *
 * 1. A token Bob got before a revocation stops working right after it (trust mode detaches the
 *    permission policies, so sessions already issued lose their rights, not just new AssumeRoles).
 * 2. A token Bob got before expiry stops working at expiry with every Crossrole component
 *    stopped: timers off (the stack runs with `timers: false` and nothing fires them), and the
 *    delayed `expire` message deleted with its queue. The expiry guard policy in RAM alone denies.
 *
 * Test-only time travel, documented: grants cannot be shorter than STS's 900 s minimum session
 * (the catalog's smallest maximum is 1 h), so instead of waiting an hour the guard policy's
 * `acs:CurrentTime` is rewritten — by the owner's admin with the real RAM SDK, a new default
 * policy version — to a few seconds ahead. The ledger still says ACTIVE until the real expiry,
 * the role still trusts B and keeps its ECS policy: only the guard can cut Bob off.
 */
import * as E from '@alicloud/ecs20140526';
import * as R from '@alicloud/ram20150501';
import * as S from '@alicloud/sts20150401';
import { guardPolicyName } from '../../shared/domain/access-request';
import { QueueName } from '../../shared/domain/ports';
import { buildGuardPolicy } from '../../shared/policy';
import { OWNER_ACCOUNT_ID, PARTNER_ACCOUNT_ID } from '../../local/world';
import { expectCloudError, type Creds } from '../helpers/local-server';
import { credsOf, startTestStack, type ApiClient, type ApiRequest, type TestStack } from '../helpers/stack';
import { managedRoles, sleep, trustedPrincipals } from './helpers';

const REGION = 'cn-hangzhou';
jest.setTimeout(60_000);

let t: TestStack;
let partner: ApiClient;
let approver: ApiClient;

beforeAll(async () => {
  t = await startTestStack({ timers: false });
  partner = t.api('partner-admin');
  approver = t.api('approver');
  // Tutorial step 2 once for all grants: B's admin lets Bob assume Crossrole roles in A.
  const ramB = t.ram(credsOf(t.contract.principals['partner-admin']));
  const doc = { Version: '1', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: `acs:ram::${OWNER_ACCOUNT_ID}:role/crossrole-*` }] };
  await ramB.createPolicy(new R.CreatePolicyRequest({ policyName: 'AssumeCrossroleGrants', policyDocument: JSON.stringify(doc) }));
  await ramB.attachPolicyToUser(new R.AttachPolicyToUserRequest({ policyType: 'Custom', policyName: 'AssumeCrossroleGrants', userName: 'bob' }));
}, 120_000);

afterAll(async () => {
  await t?.close();
});

async function activeGrant(): Promise<ApiRequest> {
  const r = await partner.call<{ request: ApiRequest }>('intake', 'POST', '/requests', { body: { profile: 'ecs-readonly-auto', duration: '1h', reason: 'expiry guard test' } });
  expect(r.status).toBe(202);
  return t.waitForStatus(r.body.request.id, 'ACTIVE');
}

async function bobToken(g: ApiRequest): Promise<Creds> {
  const res = await t.sts(credsOf(t.contract.principals.bob)).assumeRole(new S.AssumeRoleRequest({
    roleArn: g.grant?.roleArn ?? '', roleSessionName: 'bob', durationSeconds: 900, externalId: g.externalId,
  }));
  const c = res.body?.credentials;
  return { accessKeyId: c?.accessKeyId ?? '', accessKeySecret: c?.accessKeySecret ?? '', securityToken: c?.securityToken ?? '' };
}

const describe_ = (token: Creds): Promise<E.DescribeInstancesResponse> => t.ecs(token).describeInstances(new E.DescribeInstancesRequest({ regionId: REGION }));

test('a token issued before a revocation stops working right after it', async () => {
  const g = await activeGrant();
  const token = await bobToken(g);
  expect((await describe_(token)).body?.instances?.instance?.length).toBe(3);

  const res = await approver.call('approval', 'POST', `/requests/${g.id}/revoke`, { body: { reason: 'partner offboarded' } });
  expect(res.status).toBe(200);
  await t.waitForStatus(g.id, 'REVOKED');
  await expectCloudError(describe_(token), 'Forbidden.RAM', 403);
});

test('a token issued before expiry stops working at expiry with every timer and queue stopped: the guard policy alone denies', async () => {
  const g = await activeGrant();
  const token = await bobToken(g);
  expect((await describe_(token)).body?.instances?.instance?.length).toBe(3);

  // Stop everything Crossrole would use to end the grant: timers never fire (timers: false), the
  // delayed expire message goes with its queue (recreated empty, so the trigger keeps polling nothing).
  const { mns } = t.stack;
  expect(mns.queueStats(OWNER_ACCOUNT_ID, QueueName.REVOKE).delayed).toBeGreaterThanOrEqual(1);
  mns.deleteQueue(OWNER_ACCOUNT_ID, QueueName.REVOKE);
  mns.createQueue(OWNER_ACCOUNT_ID, QueueName.REVOKE);
  expect(mns.queueStats(OWNER_ACCOUNT_ID, QueueName.REVOKE)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });

  // Time travel (see the header): the guard's instant moved to 3 s from now, in RAM only.
  const instant = new Date(Math.ceil((Date.now() + 3000) / 1000) * 1000);
  const ramA = t.ram(credsOf(t.contract.principals['owner-admin']));
  await ramA.createPolicyVersion(new R.CreatePolicyVersionRequest({
    policyName: guardPolicyName(g.id), policyDocument: buildGuardPolicy(instant), setAsDefault: true, rotateStrategy: 'DeleteOldestNonDefaultVersionWhenLimitExceeded',
  }));
  // Before the instant: still allowed.
  if (Date.now() < instant.getTime() - 500) expect((await describe_(token)).body?.instances?.instance?.length).toBe(3);

  await sleep(Math.max(0, instant.getTime() - Date.now()) + 1200);
  await expectCloudError(describe_(token), 'Forbidden.RAM', 403);

  // Nothing but the guard did it: the ledger still says ACTIVE, the role still trusts B and
  // still has its ECS policy, and no revocation ran.
  const view = await approver.call<{ request: ApiRequest; history: Array<{ action: string }> }>('approval', 'GET', `/requests/${g.id}`);
  expect(view.body.request.status).toBe('ACTIVE');
  expect(view.body.history.map((h) => h.action)).toEqual(['CREATE', 'ACTIVATE']);
  const role = managedRoles(t.stack.server).find((r) => r.requestId === g.id);
  expect(trustedPrincipals(role?.trust ?? '{}')).toEqual([`acs:ram::${PARTNER_ACCOUNT_ID}:root`]);
  expect(role?.policies.map((p) => p.policyName)).toContain('AliyunECSReadOnlyAccess');
  // A fresh session is denied too (the guard is on the role, not on the session).
  await expectCloudError(describe_(await bobToken(g)), 'Forbidden.RAM', 403);
});

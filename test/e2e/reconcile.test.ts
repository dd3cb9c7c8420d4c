/**
 * The revoke-during-provisioning race through the local stack, and its repair: RAM converges to the
 * ledger by `crossrole reconcile <id>` or by one expiry-timer fire, checked with Bob's own STS
 * AssumeRole (the real SDK against the local cloud).
 *
 * The race is provoked exactly: the use cases run in this process on the stack's ledger (Postgres)
 * and the stack's RAM (the product's RAM adapter, as the owner's admin), with a queue that drops
 * everything so the stack's own functions stay out of it. A request is approved; a revocation runs
 * before provisioning created anything (it finds no role: REVOKED); provisioning, holding the row
 * it read while APPROVED, then creates the whole grant and loses ACTIVATE; its rollback meets a
 * RAM fault (`POST /_local/faults`-style `failActions: ['GetRole']`) and throws. The partner can
 * then assume a role the ledger calls REVOKED: the bad state, asserted before it is repaired.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import * as R from '@alicloud/ram20150501';
import * as S from '@alicloud/sts20150401';
import { createRamAdapter } from '../../shared/cloud/ram-adapter';
import type { AccessRequest } from '../../shared/domain/access-request';
import { parseCatalog } from '../../shared/domain/catalog';
import type { ReconcileAnswer, RevokeAnswer } from '../../shared/domain/api';
import { silentLogger, type CallerIdentity, type QueuePort } from '../../shared/domain/ports';
import { openLedger, type Ledger } from '../../shared/ledger';
import { approveRequest, provisionGrant, revokeGrant, submitRequest, type WorkflowDeps } from '../../shared/workflow';
import { requestRevocation } from '../../shared/workflow/use-cases/decide';
import { provisionApproved } from '../../shared/workflow/use-cases/provision';
import { LOCAL_CATALOG, OWNER_ACCOUNT_ID, PARTNER_ACCOUNT_ID } from '../../local/world';
import { json, runCli } from '../helpers/cli';
import { expectCloudError } from '../helpers/local-server';
import { credsOf, startTestStack, type ApiClient, type TestStack } from '../helpers/stack';

jest.setTimeout(60_000);

let t: TestStack;
let ledger: Ledger;
let deps: WorkflowDeps;
let approver: ApiClient;

/** A queue that accepts and drops: the stack's functions must not take part in the race. */
const dropQueue: QueuePort = { send: async () => randomUUID(), receive: async () => [], delete: async () => undefined };

const caller = (arn: string, accountId: string): CallerIdentity => ({ accountId, arn, principalId: 'test', identityType: arn.includes(':user/') ? 'RAMUser' : 'Account' });

beforeAll(async () => {
  t = await startTestStack();
  approver = t.api('approver');
  ledger = await openLedger({ driver: 'pg', url: t.stack.ledgerUrl });
  const admin = t.contract.principals['owner-admin'];
  deps = {
    ledger,
    ram: createRamAdapter({ endpoint: t.contract.endpoint, protocol: 'http', credentials: { accessKeyId: admin.accessKeyId, accessKeySecret: admin.accessKeySecret }, logger: silentLogger,
      // A transient fault is meant to reach the use case at once, as after the adapter's last retry.
      retry: { maxAttempts: 1 } }),
    queue: dropQueue,
    catalog: parseCatalog(LOCAL_CATALOG),
    clock: { now: () => new Date() },
    logger: silentLogger,
    newId: randomUUID,
    newExternalId: () => `crx-${randomBytes(18).toString('base64url')}`,
    region: 'cn-hangzhou',
  };
  // Tutorial step 2 for every grant at once: B's admin lets Bob assume A's crossrole roles.
  const ramB = t.ram(credsOf(t.contract.principals['partner-admin']));
  const document = JSON.stringify({ Version: '1', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: `acs:ram::${OWNER_ACCOUNT_ID}:role/crossrole-*` }] });
  await ramB.createPolicy(new R.CreatePolicyRequest({ policyName: 'AssumeCrossroleGrants', policyDocument: document }));
  await ramB.attachPolicyToUser(new R.AttachPolicyToUserRequest({ policyType: 'Custom', policyName: 'AssumeCrossroleGrants', userName: 'bob' }));
}, 120_000);

afterAll(async () => {
  t?.stack.server.faults.clear();
  await ledger?.close();
  await t?.close();
});

function bobAssumes(r: AccessRequest): Promise<S.AssumeRoleResponse> {
  return t.sts(credsOf(t.contract.principals.bob)).assumeRole(new S.AssumeRoleRequest({
    roleArn: `acs:ram::${OWNER_ACCOUNT_ID}:role/${r.roleName}`, roleSessionName: 'bob', durationSeconds: 900, externalId: r.externalId,
  }));
}

/** The race, provoked: returns a request the ledger calls REVOKED whose role Bob can still assume. */
async function revokedButLive(reason: string): Promise<AccessRequest> {
  const partner = t.contract.principals['partner-admin'];
  const approverArn = t.contract.principals.approver.arn;
  const submitted = await submitRequest(deps, caller(partner.arn, PARTNER_ACCOUNT_ID), { profile: 'ecs-readonly', duration: '1h', reason });
  const approved = await approveRequest(deps, caller(approverArn, OWNER_ACCOUNT_ID), submitted.id);
  await requestRevocation(deps, caller(approverArn, OWNER_ACCOUNT_ID), approved.id, { reason: 'approved the wrong account' });
  expect(await revokeGrant(deps, { requestId: approved.id, kind: 'revoke' })).toMatchObject({ outcome: 'done', status: 'REVOKED' });
  // Provisioning holds the APPROVED row it read before; its rollback's GetRole fails.
  t.stack.server.faults.set({ failActions: ['GetRole'] });
  try {
    await expect(provisionApproved(deps, approved)).rejects.toMatchObject({ code: 'DEPENDENCY_UNAVAILABLE' });
  } finally {
    t.stack.server.faults.clear();
  }
  // The redelivered message finds REVOKED and is acknowledged: nothing else would ever repair it.
  expect(await provisionGrant(deps, { requestId: approved.id, kind: 'provision' })).toMatchObject({ outcome: 'stale', status: 'REVOKED' });
  const now = await ledger.get(approved.id);
  expect(now).toMatchObject({ status: 'REVOKED', revokeMode: 'trust' });
  // The bug: the partner is in.
  const session = await bobAssumes(approved);
  expect(session.body?.credentials?.accessKeyId).toBeTruthy();
  return now as AccessRequest;
}

describe('RAM converges to the ledger after the revoke-during-provisioning race', () => {
  it('crossrole reconcile <id> strips the role: Bob\'s AssumeRole is refused, and the answer says what was found and done', async () => {
    const r = await revokedButLive('race, repaired by reconcile');
    const cli = await runCli(['reconcile', r.id, '--as', 'approver', '--json'], { env: { CROSSROLE_DATA_DIR: t.dataDir, NO_COLOR: '1' } });
    expect({ code: cli.code, stderr: cli.stderr }).toEqual({ code: 0, stderr: '' });
    const answer = json<ReconcileAnswer>(cli);
    expect(answer.reconcile).toMatchObject({
      roleName: r.roleName, ledgerStatus: 'REVOKED', rolePresent: true, trustedAccounts: [PARTNER_ACCOUNT_ID],
      desired: 'no-access', outcome: 'stripped',
      actions: [`UpdateRole: trust only the owner account (was ${PARTNER_ACCOUNT_ID})`, 'DetachPolicyFromRole: System AliyunECSReadOnlyAccess'],
    });
    await expectCloudError(bobAssumes(r), 'NoPermission', 403);
    // The text form, a second time: nothing left to do.
    const again = await runCli(['reconcile', r.id, '--as', 'approver'], { env: { CROSSROLE_DATA_DIR: t.dataDir, NO_COLOR: '1' } });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('outcome       unchanged');
    expect(again.stdout).toContain(`trusts        ${OWNER_ACCOUNT_ID}`);

    // And revoke --delete on it escalates: the role is deleted now, and the answer says delete applied.
    const res = await approver.call<RevokeAnswer>('approval', 'POST', `/requests/${r.id}/revoke`, { body: { mode: 'delete', reason: 'remove it for good' } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ modeApplied: 'delete', request: { status: 'REVOKED', revokeMode: 'delete' } });
    await expectCloudError(t.ram(credsOf(t.contract.principals['owner-admin'])).getRole(new R.GetRoleRequest({ roleName: r.roleName })), 'EntityNotExist.Role', 404);
  });

  it('one expiry-timer fire strips it too', async () => {
    const r = await revokedButLive('race, repaired by the timer');
    const fired = await t.stack.fc.fireTimer('crossrole-expiry');
    expect(fired.ok).toBe(true);
    if (fired.ok) expect(fired.result).toMatchObject({ kind: 'json', value: { rolesStripped: 1, errors: 0 } });
    await expectCloudError(bobAssumes(r), 'NoPermission', 403);
    const view = await approver.call<{ history: Array<{ action: string; reason?: string }> }>('approval', 'GET', `/requests/${r.id}`);
    expect(view.body.history.at(-1)).toMatchObject({ action: 'NOTE', reason: 'reconciled: role stripped (REVOKED (trust mode))' });
  });

  it('reconcile is for approvers and operators: the partner is refused', async () => {
    const res = await t.api('partner-admin').call('approval', 'POST', `/requests/${randomUUID()}/reconcile`);
    expect({ status: res.status, code: res.body?.error?.code }).toEqual({ status: 403, code: 'FORBIDDEN_NOT_APPROVER' });
  });
});

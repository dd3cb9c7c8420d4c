/**
 * The MNS service plugged into the real local server (local/server.ts) with the real IAM:
 * RAM users' policies decide what the @alicloud/mns client may do, and `/_local/reset` empties
 * the queues.
 */
import { Journal } from '../../local/core/journal';
import { createMnsService, type MnsService } from '../../local/mns';
import { startLocalServer, type LocalServer } from '../../local/server';
import { sdk, sdkError, type TestKey } from './mns-harness';

const ACCOUNT_A = '1511928242963727';
let server: LocalServer;
let mns: MnsService;
let journal: Journal;
let root: TestKey;
let approver: TestKey;

beforeAll(async () => {
  server = await startLocalServer({
    port: 0,
    services: (ctx) => {
      journal = new Journal(ctx.dataDir, 'mns');
      mns = createMnsService({ identity: ctx.identity, journal, region: 'cn-hangzhou', clock: ctx.now });
      return [mns];
    },
  });
  const a = server.ram.createAccount(ACCOUNT_A, 'Company A');
  root = { ...a.rootAccessKey, principal: { accountId: ACCOUNT_A, arn: a.rootArn, kind: 'root', principalId: ACCOUNT_A, accessKeyId: a.rootAccessKey.accessKeyId } };
  server.ram.createUser(ACCOUNT_A, 'approver');
  const key = server.ram.createAccessKey(ACCOUNT_A, 'approver');
  server.ram.createPolicy(ACCOUNT_A, {
    policyName: 'approvals-consumer',
    policyDocument: {
      Version: '1',
      Statement: [{ Effect: 'Allow', Action: ['mns:ReceiveMessage', 'mns:DeleteMessage'], Resource: 'acs:mns:*:*:/queues/crossrole-approvals/messages' }],
    },
  });
  server.ram.attachPolicyToUser(ACCOUNT_A, 'Custom', 'approvals-consumer', 'approver');
  approver = { accessKeyId: key.accessKeyId, accessKeySecret: key.accessKeySecret, principal: { ...root.principal, kind: 'user', name: 'approver' } };
});

afterAll(async () => {
  await server.close();
  journal.close();
});

it('serves the SDK through local/server.ts with RAM policies from the real IAM', async () => {
  // Prepare
  const owner = sdk(server.url, root, ACCOUNT_A);
  const alice = sdk(server.url, approver, ACCOUNT_A);
  expect((await owner.createQueue('crossrole-approvals')).code).toBe(201);
  await owner.sendMessage('crossrole-approvals', { MessageBody: 'approve r-1' });

  // Act
  const got = await alice.receiveMessage('crossrole-approvals', 1);
  const deleted = await alice.deleteMessage('crossrole-approvals', got.body.ReceiptHandle);
  const cannotSend = await sdkError(alice.sendMessage('crossrole-approvals', { MessageBody: 'x' }));
  const cannotCreate = await sdkError(alice.createQueue('mine'));

  // Assess
  expect(got.body.MessageBody).toBe('approve r-1');
  expect(deleted.code).toBe(204);
  expect(cannotSend.name).toBe('MNSAccessDeniedError');
  expect(cannotCreate.name).toBe('MNSAccessDeniedError');
  expect(mns.listQueues(ACCOUNT_A)).toEqual(['crossrole-approvals']);
});

it('POST /_local/reset empties the queues', async () => {
  mns.createQueue(ACCOUNT_A, 'to-forget');
  await server.reset();
  expect(mns.listQueues(ACCOUNT_A)).toEqual([]);
});

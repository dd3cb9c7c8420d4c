/**
 * The cloud adapters against the local cloud, through the real SDKs: the RAM grant lifecycle and
 * its idempotency rules, STS AssumeRole, the MNS queue adapter, and the FC 3.0 client.
 */
import { join } from 'node:path';
import { Journal } from '../../local/core/journal';
import { createFcService, type FcRuntime } from '../../local/fc';
import { createFcClient } from '../../shared/cloud/fc-adapter';
import { createMnsService, type MnsService } from '../../local/mns';
import { createRamAdapter, type RamAdapter } from '../../shared/cloud/ram-adapter';
import { createQueueAdapter } from '../../shared/cloud/mns-adapter';
import { createStsClient } from '../../shared/cloud/sts-adapter';
import { CrossroleError } from '../../shared/domain/errors';
import { silentLogger, type Logger } from '../../shared/domain/ports';
import { ACCOUNT as FC_ACCOUNT, FakeIdentity, FakeIssuer, FakeQueues, KEYS as FC_KEYS, REGION as FC_REGION, serve } from '../integration/fc-runtime/fakes';
import { ACCOUNT_A, ACCOUNT_B, seedTutorial, startTestServer, type LocalServer, type Tutorial } from '../helpers/local-server';

const logger: Logger = silentLogger;
const fastRetry = { baseDelayMs: 1, maxDelayMs: 5 };
const trustB = JSON.stringify({
  Version: '1',
  Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { RAM: [`acs:ram::${ACCOUNT_B}:root`] }, Condition: { StringEquals: { 'sts:ExternalId': 'ext-123456' } } }],
});
const ECS_RO = { type: 'System' as const, name: 'AliyunECSReadOnlyAccess' };

async function codeOf(p: Promise<unknown>): Promise<{ code: string; cloudCode: unknown }> {
  const e = await p.then(() => undefined, (x: unknown) => x);
  if (!(e instanceof CrossroleError)) throw new Error(`expected a CrossroleError, got ${String(e)}`);
  return { code: e.code, cloudCode: e.details?.['cloudCode'] };
}

let server: LocalServer;
let cast: Tutorial;
let mns: MnsService;
let ram: RamAdapter;

beforeAll(async () => {
  server = await startTestServer({
    services: (ctx) => {
      mns = createMnsService({ identity: ctx.identity, journal: new Journal(undefined, 'mns'), region: 'cn-hangzhou' });
      return [mns];
    },
  });
  cast = seedTutorial(server);
  server.ram.attachPolicyToUser(ACCOUNT_B, 'System', 'AliyunSTSAssumeRoleAccess', 'Bob');
  ram = createRamAdapter({ endpoint: server.endpoint, protocol: 'http', credentials: cast.adminA, logger, retry: fastRetry, deleteConflictRetry: fastRetry });
});

afterAll(async () => {
  await server.close();
});

describe('RAM adapter against the local RAM', () => {
  it('moves an extended guard and its role\'s expiry tag; deletes a versioned guard after its older versions', async () => {
    // Its own adapter: the lifecycle test below counts the shared one's calls.
    const x = createRamAdapter({ endpoint: server.endpoint, protocol: 'http', credentials: cast.adminA, logger, retry: fastRetry, deleteConflictRetry: fastRetry });
    const guard = (at: string): string => JSON.stringify({ Version: '1', Statement: [{ Effect: 'Deny', Action: '*', Resource: '*', Condition: { DateGreaterThan: { 'acs:CurrentTime': at } } }] });
    await x.createRole({ name: 'crossrole-ext', trustPolicy: trustB, maxSessionDuration: 3600, description: 'grant', tags: { 'crossrole:expires-at': '2030-01-01T00:00:00.000Z' } });
    await x.createPolicy('crossrole-guard-ext', guard('2030-01-01T00:00:00Z'), 'guard');
    // Seven moves: RotateStrategy keeps the policy at RAM's five versions, the newest the default.
    for (let h = 1; h <= 7; h++) await x.setPolicyDocument('crossrole-guard-ext', guard(`2030-01-01T0${h}:00:00Z`));
    const versions = await x.listPolicyVersions('crossrole-guard-ext');
    expect(versions).toHaveLength(5);
    expect(versions.find((v) => v.isDefault)).toMatchObject({ versionId: 'v8' });
    expect((await x.getPolicyDocument('crossrole-guard-ext'))?.document).toContain('2030-01-01T07:00:00Z');
    await x.tagRole('crossrole-ext', { 'crossrole:expires-at': '2030-01-01T07:00:00.000Z' });
    expect((await x.getRole('crossrole-ext'))?.tags['crossrole:expires-at']).toBe('2030-01-01T07:00:00.000Z');
    expect(await codeOf(x.deletePolicy('crossrole-guard-ext'))).toEqual({ code: 'DELETE_CONFLICT', cloudCode: 'DeleteConflict.Policy.Version' });
    expect(await x.deleteOlderPolicyVersions('crossrole-guard-ext')).toBe(4);
    expect(await x.deleteOlderPolicyVersions('crossrole-guard-ext')).toBe(0);
    await x.deletePolicy('crossrole-guard-ext');
    expect(await x.getPolicyDocument('crossrole-guard-ext')).toBeUndefined();
    expect(await x.deleteOlderPolicyVersions('crossrole-guard-ext')).toBe(0);
    expect(await codeOf(x.tagRole('crossrole-nope', { a: 'b' }))).toMatchObject({ code: 'NOT_FOUND' });
    await x.deleteRole('crossrole-ext');
  });

  it('runs the grant lifecycle with the port\'s idempotency rules', async () => {
    const tags = { 'crossrole:request-id': 'req-1', 'crossrole:managed': 'true' };
    const created = await ram.createRole({ name: 'crossrole-life', trustPolicy: trustB, maxSessionDuration: 3600, description: 'grant', tags });
    expect(created).toMatchObject({ name: 'crossrole-life', arn: `acs:ram::${ACCOUNT_A}:role/crossrole-life`, maxSessionDuration: 3600, tags });
    expect(JSON.parse(created.trustPolicy)).toEqual(JSON.parse(trustB));

    const read = await ram.getRole('crossrole-life');
    expect(read?.tags).toEqual(tags);
    expect(JSON.parse(read?.trustPolicy ?? '{}')).toEqual(JSON.parse(trustB));

    expect(await codeOf(ram.createRole({ name: 'crossrole-life', trustPolicy: trustB, maxSessionDuration: 3600, description: 'grant', tags })))
      .toEqual({ code: 'ALREADY_EXISTS', cloudCode: 'EntityAlreadyExists.Role' });

    await ram.attachPolicyToRole('crossrole-life', ECS_RO);
    await ram.attachPolicyToRole('crossrole-life', ECS_RO);
    expect(await ram.listPoliciesForRole('crossrole-life')).toEqual([{ ...ECS_RO, defaultVersion: 'v1' }]);

    await ram.createPolicy('crossrole-guard-life', '{"Version":"1","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}', 'guard');
    await ram.createPolicy('crossrole-guard-life', '{"Version": "1", "Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*"}]}', 'guard');
    expect((await codeOf(ram.createPolicy('crossrole-guard-life', '{"Version":"1","Statement":[{"Effect":"Allow","Action":"ecs:Describe*","Resource":"*"}]}', 'x'))).code)
      .toBe('ALREADY_EXISTS');
    await ram.attachPolicyToRole('crossrole-life', { type: 'Custom', name: 'crossrole-guard-life' });

    expect(await codeOf(ram.deleteRole('crossrole-life'))).toEqual({ code: 'DELETE_CONFLICT', cloudCode: 'DeleteConflict.Role.Policy' });
    expect(await codeOf(ram.deletePolicy('crossrole-guard-life'))).toMatchObject({ code: 'DELETE_CONFLICT' });

    const noPartner = JSON.stringify({ Version: '1', Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: ['fc.aliyuncs.com'] } }] });
    await ram.updateTrustPolicy('crossrole-life', noPartner);
    expect(JSON.parse((await ram.getRole('crossrole-life'))?.trustPolicy ?? '{}')).toEqual(JSON.parse(noPartner));
    await ram.detachPolicyFromRole('crossrole-life', ECS_RO);
    await ram.detachPolicyFromRole('crossrole-life', ECS_RO);
    await ram.detachPolicyFromRole('crossrole-life', { type: 'Custom', name: 'crossrole-guard-life' });
    await ram.detachPolicyFromRole('crossrole-life', { type: 'Custom', name: 'never-existed' });
    await ram.deletePolicy('crossrole-guard-life');
    await ram.deletePolicy('crossrole-guard-life');
    await ram.deleteRole('crossrole-life');
    await ram.deleteRole('crossrole-life');
    await ram.detachPolicyFromRole('crossrole-life', ECS_RO);
    expect(await ram.getRole('crossrole-life')).toBeUndefined();
    expect(await codeOf(ram.updateTrustPolicy('crossrole-life', trustB))).toEqual({ code: 'NOT_FOUND', cloudCode: 'EntityNotExist.Role' });

    const stats = ram.callStats();
    expect(stats['CreateRole']).toEqual({ calls: 2, retries: 0, failures: 1 });
    expect(stats['AttachPolicyToRole']?.calls).toBe(3);
    expect(Object.values(stats).reduce((n, s) => n + s.calls, 0)).toBe(ram.callCount());
  });

  it('reads and re-writes a guard\'s document (the reconciler\'s repair); a versioned guard cannot be deleted', async () => {
    const deny = '{"Version":"1","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}';
    const later = '{"Version":"1","Statement":[{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"DateGreaterThan":{"acs:CurrentTime":"2030-01-01T00:00:00Z"}}}]}';
    await ram.createRole({ name: 'crossrole-versioned', trustPolicy: trustB, maxSessionDuration: 3600, description: 'grant', tags: {} });
    await ram.createPolicy('crossrole-guard-versioned', deny, 'guard');
    await ram.attachPolicyToRole('crossrole-versioned', { type: 'Custom', name: 'crossrole-guard-versioned' });
    expect(await ram.getPolicyDocument('crossrole-guard-versioned')).toMatchObject({ versionId: 'v1' });
    expect(JSON.parse((await ram.getPolicyDocument('crossrole-guard-versioned'))?.document ?? '{}')).toEqual(JSON.parse(deny));
    expect(await ram.getPolicyDocument('crossrole-guard-never')).toBeUndefined();
    await ram.setPolicyDocument('crossrole-guard-versioned', later);
    expect(await ram.getPolicyDocument('crossrole-guard-versioned')).toMatchObject({ versionId: 'v2' });
    expect(await ram.listPoliciesForRole('crossrole-versioned')).toEqual([{ type: 'Custom', name: 'crossrole-guard-versioned', defaultVersion: 'v2' }]);
    expect(await codeOf(ram.setPolicyDocument('crossrole-guard-never', later))).toEqual({ code: 'NOT_FOUND', cloudCode: 'EntityNotExist.Policy' });
    // RAM keeps v1: DeletePolicy is refused until the older versions are gone (the code terraform-provider-alicloud handles),
    // which is why a delete-mode revocation deletes the role first and may leave such a guard.
    await ram.detachPolicyFromRole('crossrole-versioned', { type: 'Custom', name: 'crossrole-guard-versioned' });
    await ram.deleteRole('crossrole-versioned');
    expect(await codeOf(ram.deletePolicy('crossrole-guard-versioned'))).toEqual({ code: 'DELETE_CONFLICT', cloudCode: 'DeleteConflict.Policy.Version' });
  });

  it('lists roles by tag across pages (Marker/MaxItems)', async () => {
    const paged = createRamAdapter({ endpoint: server.endpoint, protocol: 'http', credentials: cast.adminA, logger, pageSize: 2 });
    for (let i = 0; i < 5; i++) {
      await paged.createRole({ name: `crossrole-page-${i}`, trustPolicy: trustB, maxSessionDuration: 3600, description: 'p', tags: { 'crossrole:batch': 'b1', n: String(i) } });
    }
    await paged.createRole({ name: 'crossrole-page-other', trustPolicy: trustB, maxSessionDuration: 3600, description: 'p', tags: { 'crossrole:batch': 'b2' } });
    await paged.createRole({ name: 'unrelated-role', trustPolicy: trustB, maxSessionDuration: 3600, description: 'p', tags: {} });
    const before = paged.callStats()['ListRoles']?.calls ?? 0;
    const roles = await paged.listRolesByTag('crossrole:batch', 'b1');
    expect(roles.map((r) => r.name).sort()).toEqual([0, 1, 2, 3, 4].map((i) => `crossrole-page-${i}`));
    expect(roles.every((r) => r.tags['crossrole:batch'] === 'b1' && r.trustPolicy.includes('sts:AssumeRole'))).toBe(true);
    expect((paged.callStats()['ListRoles']?.calls ?? 0) - before).toBeGreaterThanOrEqual(3);
    expect(await paged.listRolesByTag('crossrole:batch', 'nothing')).toEqual([]);
  });

  it('does not retry NoPermission and names the action', async () => {
    server.ram.createUser(ACCOUNT_A, 'nobody');
    const key = server.ram.createAccessKey(ACCOUNT_A, 'nobody');
    const denied = createRamAdapter({ endpoint: server.endpoint, protocol: 'http', credentials: { accessKeyId: key.accessKeyId, accessKeySecret: key.accessKeySecret }, logger, retry: fastRetry });
    const e = await denied.createRole({ name: 'crossrole-denied', trustPolicy: trustB, maxSessionDuration: 3600, description: 'x', tags: {} }).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: 'CLOUD_ERROR', details: { cloudCode: 'NoPermission', action: 'CreateRole' } });
    expect((e as Error).message).toContain('CreateRole');
    expect(denied.callCount()).toBe(1);
  });

  it('retries injected 5xx failures, then gives up with DEPENDENCY_UNAVAILABLE', async () => {
    const flaky = createRamAdapter({ endpoint: server.endpoint, protocol: 'http', credentials: cast.adminA, logger, retry: { ...fastRetry, maxAttempts: 3 } });
    server.faults.set({ failActions: ['GetRole'] });
    try {
      expect(await codeOf(flaky.getRole('whatever'))).toEqual({ code: 'DEPENDENCY_UNAVAILABLE', cloudCode: 'InternalError' });
      expect(flaky.callStats()['GetRole']).toEqual({ calls: 3, retries: 2, failures: 1 });
    } finally {
      server.faults.clear();
    }
  });

  it('signs with keys from a CredentialProvider, read on every call', async () => {
    let reads = 0;
    const viaProvider = createRamAdapter({ endpoint: server.endpoint, protocol: 'http', credentials: { get: async () => { reads++; return cast.adminA; } }, logger });
    expect(await viaProvider.getRole('crossrole-not-there')).toBeUndefined();
    await viaProvider.createRole({ name: 'crossrole-provider', trustPolicy: trustB, maxSessionDuration: 3600, description: 'p', tags: { a: 'b' } });
    expect((await viaProvider.getRole('crossrole-provider'))?.tags).toEqual({ a: 'b' });
    expect(reads).toBe(viaProvider.callCount());
  });

  it('maps an unreachable endpoint to DEPENDENCY_UNAVAILABLE', async () => {
    const gone = createRamAdapter({ endpoint: '127.0.0.1:1', protocol: 'http', credentials: cast.adminA, logger, retry: { ...fastRetry, maxAttempts: 2 } });
    expect((await codeOf(gone.getRole('x'))).code).toBe('DEPENDENCY_UNAVAILABLE');
    expect(gone.callCount()).toBe(2);
  });
});

describe('STS adapter against the local STS', () => {
  it('assumes a role that trusts the partner, with ExternalId, and reports the caller', async () => {
    await ram.createRole({ name: 'crossrole-sts', trustPolicy: trustB, maxSessionDuration: 3600, description: 'sts', tags: {} });
    const sts = createStsClient({ endpoint: server.endpoint, protocol: 'http', credentials: cast.bob, logger });
    const creds = await sts.assumeRole({ roleArn: `acs:ram::${ACCOUNT_A}:role/crossrole-sts`, roleSessionName: 'bob-session', externalId: 'ext-123456', durationSeconds: 900 });
    expect(creds.accessKeyId).toMatch(/^STS\./);
    expect(creds.expiration.getTime()).toBeGreaterThan(Date.now());

    const asRole = createStsClient({ endpoint: server.endpoint, protocol: 'http', credentials: creds, logger });
    const me = await asRole.getCallerIdentity();
    expect(me.accountId).toBe(ACCOUNT_A);
    expect(me.arn).toContain('crossrole-sts');

    const wrongExternalId = await sts.assumeRole({ roleArn: `acs:ram::${ACCOUNT_A}:role/crossrole-sts`, roleSessionName: 'bob-session', externalId: 'wrong-id', durationSeconds: 900 })
      .catch((x: unknown) => x);
    expect(wrongExternalId).toMatchObject({ code: 'CLOUD_ERROR', details: { cloudCode: 'NoPermission', action: 'AssumeRole' } });
  });
});

describe('MNS queue adapter against the local MNS', () => {
  const queue = 'crossrole-provision' as const;

  it('sends, receives and deletes JSON messages; unknown handles and empty queues are not errors', async () => {
    mns.createQueue(ACCOUNT_A, queue);
    const q = createQueueAdapter({ endpoint: server.url, accountId: ACCOUNT_A, region: 'cn-hangzhou', credentials: cast.adminA, logger, retry: fastRetry });
    const id = await q.send(queue, { requestId: 'req-<&>-1', kind: 'provision', version: 2 });
    expect(id).not.toBe('');
    const [m, ...rest] = await q.receive(queue, { max: 4, waitSeconds: 1, visibilityTimeout: 60 });
    expect(rest).toEqual([]);
    expect(m).toBeDefined();
    expect(JSON.parse(m!.body)).toEqual({ requestId: 'req-<&>-1', kind: 'provision', version: 2 });
    expect(m!.dequeueCount).toBe(1);
    await q.delete(queue, m!.receiptHandle);
    await q.delete(queue, m!.receiptHandle);
    await q.delete(queue, 'not-a-handle');
    expect(await q.receive(queue, { max: 1, waitSeconds: 0 })).toEqual([]);

    await q.send(queue, { requestId: 'req-2', kind: 'provision' }, { delaySeconds: 0, priority: 1 });
    const [one] = await q.receive(queue, { max: 1, waitSeconds: 1 });
    expect(JSON.parse(one!.body)).toEqual({ requestId: 'req-2', kind: 'provision' });
    await q.delete(queue, one!.receiptHandle);
    expect(q.callStats()['SendMessage']?.calls).toBe(2);
  });

  it('works with STS credentials (token in the security-token header), rotating through a provider', async () => {
    const trust = JSON.stringify({ Version: '1', Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { RAM: [`acs:ram::${ACCOUNT_B}:root`] } }] });
    await ram.createRole({ name: 'crossrole-mns-user', trustPolicy: trust, maxSessionDuration: 3600, description: 'mns', tags: {} });
    await ram.attachPolicyToRole('crossrole-mns-user', { type: 'System', name: 'AliyunMNSFullAccess' });
    const sts = createStsClient({ endpoint: server.endpoint, protocol: 'http', credentials: cast.bob, logger });
    const assume = () => sts.assumeRole({ roleArn: `acs:ram::${ACCOUNT_A}:role/crossrole-mns-user`, roleSessionName: 'mns', durationSeconds: 900 });
    let current = await assume();
    const q = createQueueAdapter({ endpoint: server.url, accountId: ACCOUNT_A, region: 'cn-hangzhou', credentials: { get: async () => current }, logger, retry: fastRetry });
    await q.send(queue, { requestId: 'req-sts', kind: 'provision' });
    current = await assume();
    const [m] = await q.receive(queue, { max: 1, waitSeconds: 1 });
    expect(JSON.parse(m!.body)).toMatchObject({ requestId: 'req-sts' });
    await q.delete(queue, m!.receiptHandle);
  });

  it('reports a missing queue as DEPENDENCY_UNAVAILABLE', async () => {
    const q = createQueueAdapter({ endpoint: server.url, accountId: ACCOUNT_A, region: 'cn-hangzhou', credentials: cast.adminA, logger, retry: fastRetry });
    const e = await q.send('crossrole-deadletter', { requestId: 'x', kind: 'revoke' }).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: 'DEPENDENCY_UNAVAILABLE', details: { cloudCode: 'QueueNotExist' } });
    expect((e as Error).message).toMatch(/queue does not exist/);
  });
});

describe('FC 3.0 client against the local FC 3.0 API', () => {
  // The real @alicloud/fc20230330 client (the adapter's default factory) on the 2023-03-30 paths.
  const fixture = join(__dirname, '..', 'integration', 'fc-runtime', 'fixture', 's.yaml');
  const httpEvent = (path: string): unknown => ({ requestContext: { http: { path } }, body: '' });
  let fc: FcRuntime;
  let fcServer: Awaited<ReturnType<typeof serve>>;

  beforeAll(async () => {
    fc = createFcService({ sYamlPath: fixture, accountId: FC_ACCOUNT, region: FC_REGION, credentials: new FakeIssuer(), identity: new FakeIdentity(), queues: new FakeQueues(), queueTriggers: false, timers: false });
    fcServer = await serve(fc);
  });

  afterAll(async () => {
    await fcServer.close();
    await fc.close?.();
  });

  it('invokes a function and maps function and API failures', async () => {
    const client = createFcClient({ endpoint: fcServer.url, credentials: FC_KEYS.root, timeoutMs: 10_000 });
    const ok = await client.invoke('fx-http', httpEvent('/string'));
    expect(ok.result).toBe('plain text');
    expect(ok.requestId).toMatch(/^1-[0-9a-f]{8}-[0-9a-f]{24}$/);

    const thrown = await client.invoke('fx-http', httpEvent('/throw')).catch((x: unknown) => x);
    expect(thrown).toMatchObject({ code: 'CLOUD_ERROR', details: { fcErrorType: 'UnhandledInvocationError' } });
    expect((thrown as Error).message).toContain('boom from handler');

    expect(await codeOf(client.invoke('no-such-function', {}))).toEqual({ code: 'NOT_FOUND', cloudCode: 'FunctionNotFound' });
    const denied = await codeOf(createFcClient({ endpoint: fcServer.url, credentials: FC_KEYS.nobody }).invoke('fx-http', {}));
    expect(denied).toEqual({ code: 'CLOUD_ERROR', cloudCode: 'AccessDenied' });
    const queued = await client.invoke('fx-http', httpEvent('/string'), { async: true });
    expect(queued.result).toBeUndefined();
    expect(queued.requestId).toMatch(/^1-/);
    await fc.whenIdle();
  });

  it('reads functions and triggers for a deployment check', async () => {
    const client = createFcClient({ endpoint: fcServer.url, credentials: FC_KEYS.root });
    expect(await client.getFunction('fx-queue')).toMatchObject({ name: 'fx-queue', runtime: 'nodejs20', state: 'Active', environmentVariableNames: ['OUT_FILE'] });
    expect(await client.getFunction('no-such-function')).toBeUndefined();
    const triggers = await client.listTriggers('fx-queue');
    const queues = triggers.map((t) => [t.name, (t.config['eventSourceConfig'] as { eventSourceParameters: { sourceMNSParameters: { QueueName: string } } }).eventSourceParameters.sourceMNSParameters.QueueName]);
    expect(queues).toEqual([['driven', 'fx-driven'], ['encoded', 'fx-encoded'], ['work', 'fx-work']]);
    expect(await client.getTrigger('fx-http', 'http')).toMatchObject({ type: 'http', urlInternet: `${fcServer.url}/fn/fx-http` });
    expect(await client.getTrigger('fx-http', 'nope')).toBeUndefined();
  });
});

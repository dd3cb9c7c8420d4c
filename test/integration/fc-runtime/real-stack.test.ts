/**
 * The FC runtime wired into the real local server, IAM (STS as the FC service) and MNS: a
 * function whose role may send to one queue only can send there and is refused on another,
 * and the refused message ends in the dead-letter queue after the retries.
 */
import { join } from 'node:path';
import { Journal } from '../../../local/core/journal';
import { createFcService, type FcRuntime } from '../../../local/fc';
import { createMnsService, type MnsService } from '../../../local/mns';
import { startLocalServer, type LocalServer } from '../../../local/server';
import { waitFor } from './fakes';

const ACCOUNT = '1234567890123456';
const REGION = 'cn-hangzhou';

let server: LocalServer;
let mns: MnsService;
let fc: FcRuntime;
const failures: unknown[] = [];
const logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: (msg: string, fields?: Record<string, unknown>) => {
    if (msg === 'fc queue trigger: invocation failed') failures.push(fields?.error);
  },
  error: () => undefined,
};

beforeAll(async () => {
  server = await startLocalServer({
    port: 0,
    services: (ctx) => {
      mns = createMnsService({ identity: ctx.identity, journal: new Journal(undefined), region: REGION });
      fc = createFcService({
        sYamlPath: join(__dirname, 'fixture', 's-relay.yaml'),
        accountId: ACCOUNT,
        region: REGION,
        credentials: ctx.serviceRoles,
        identity: ctx.identity,
        queues: mns,
        timers: false,
        env: { MNS_ENDPOINT: ctx.url },
        queueWaitSeconds: 0.2,
        logger,
        retryDelayMs: () => 10,
      });
      return [mns, fc];
    },
  });
  const ram = server.ram;
  ram.createAccount(ACCOUNT);
  ram.createRole(ACCOUNT, {
    roleName: 'fx-relay-role',
    assumeRolePolicyDocument: { Version: '1', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { Service: ['fc.aliyuncs.com'] } }] },
  });
  ram.createPolicy(ACCOUNT, {
    policyName: 'fx-relay-send',
    policyDocument: { Version: '1', Statement: [{ Effect: 'Allow', Action: ['mns:SendMessage'], Resource: [`acs:mns:*:${ACCOUNT}:/queues/fx-allowed/messages`] }] },
  });
  ram.attachPolicyToRole(ACCOUNT, 'Custom', 'fx-relay-send', 'fx-relay-role');
  for (const q of ['fx-inbox', 'fx-allowed', 'fx-forbidden', 'fx-dead']) mns.createQueue(ACCOUNT, q);
});

afterAll(async () => {
  await server.close();
  await fc.close?.();
});

describe('FC runtime on the real local IAM and MNS', () => {
  it('sends with the function role to the queue its policy allows', async () => {
    mns.sendMessage(ACCOUNT, 'fx-inbox', JSON.stringify({ target: 'fx-allowed', text: 'hello' }));
    const got = await waitFor(() => mns.peekMessages(ACCOUNT, 'fx-allowed')[0], 8000, 'relayed message');
    expect(got.body).toBe('hello');
    await waitFor(() => mns.queueStats(ACCOUNT, 'fx-inbox').inFlight === 0, 3000, 'original deleted');
    expect(mns.queueStats(ACCOUNT, 'fx-inbox')).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
    expect(failures).toEqual([]);
  });

  it('is refused on another queue, retried, and dead-lettered', async () => {
    mns.sendMessage(ACCOUNT, 'fx-inbox', JSON.stringify({ target: 'fx-forbidden', text: 'nope' }));
    const dead = await waitFor(() => mns.peekMessages(ACCOUNT, 'fx-dead')[0], 8000, 'dead letter');
    const event = JSON.parse(dead.body) as { data: { messageBody: string } };
    expect(JSON.parse(event.data.messageBody)).toEqual({ target: 'fx-forbidden', text: 'nope' });
    expect(mns.peekMessages(ACCOUNT, 'fx-forbidden')).toEqual([]);
    // First attempt and three retries, each refused by RAM policy evaluation in MNS.
    expect(failures).toEqual(Array.from({ length: 4 }, () => 'send to fx-forbidden failed: MNSAccessDeniedError'));
    await waitFor(() => mns.queueStats(ACCOUNT, 'fx-inbox').inFlight === 0, 3000, 'original deleted');
    expect(mns.queueStats(ACCOUNT, 'fx-inbox')).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
  });

  it('answers the HTTP trigger prefix and the FC API through the server', async () => {
    const res = await fetch(`${server.url}/fn/fx-relay/`);
    // fx-relay has no HTTP trigger: the FC service (not the server's 404) answers.
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ ErrorCode: 'FunctionNotFound' });
  });
});

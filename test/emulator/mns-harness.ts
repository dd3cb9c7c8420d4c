/**
 * Test harness for the local MNS service: a minimal node:http adapter that builds a LocalRequest
 * exactly as the contract describes, and a small fake IdentityProvider (fixed keys, an STS key
 * with a token, simple action/resource policies). Used until local/server.ts wires the real ones.
 */
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import type { AuthzContext, IdentityProvider, KeyLookup, Principal } from '../../local/core/contract';
import { toLocalRequest } from '../../local/core/contract';
import { Journal } from '../../local/core/journal';
import { createMnsService, type MnsService } from '../../local/mns';

export const REGION = 'cn-hangzhou';
export const ACCOUNT = '1234567890123456';
export const OTHER_ACCOUNT = '6543210987654321';

export interface TestKey {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string;
  principal: Principal;
  /** `action` and `resource` patterns with `*`; undefined = account root (everything in its account). */
  policy?: Array<{ action: string; resource: string }>;
  expiresAt?: Date;
}

function principal(accountId: string, kind: Principal['kind'], name: string | undefined, accessKeyId: string): Principal {
  const arn = kind === 'root' ? `acs:ram::${accountId}:root` : kind === 'user' ? `acs:ram::${accountId}:user/${name}` : `acs:ram::${accountId}:assumed-role/${name}/session`;
  return { accountId, arn, kind, name, principalId: `${accountId}-${name ?? 'root'}`, accessKeyId };
}

export const KEYS = {
  root: { accessKeyId: 'LTAI5tROOTKEY000000001', accessKeySecret: 'RootSecret0123456789abcdefghijk', principal: principal(ACCOUNT, 'root', undefined, 'LTAI5tROOTKEY000000001') },
  otherRoot: { accessKeyId: 'LTAI5tOTHERROOT0000001', accessKeySecret: 'OtherSecret0123456789abcdefghij', principal: principal(OTHER_ACCOUNT, 'root', undefined, 'LTAI5tOTHERROOT0000001') },
  // May only receive and delete on crossrole-approvals (like the architecture's approver).
  approver: {
    accessKeyId: 'LTAI5tAPPROVER00000001',
    accessKeySecret: 'ApproverSecret0123456789abcdefg',
    principal: principal(ACCOUNT, 'user', 'approver', 'LTAI5tAPPROVER00000001'),
    policy: [
      { action: 'mns:ReceiveMessage', resource: `acs:mns:*:${ACCOUNT}:/queues/crossrole-approvals/messages` },
      { action: 'mns:DeleteMessage', resource: `acs:mns:*:${ACCOUNT}:/queues/crossrole-approvals/messages` },
    ],
  },
  sts: {
    accessKeyId: 'STS.NUgYrLnoC37mZZCNnAbezFAKE',
    accessKeySecret: 'StsFakeSecret9876543210zyxwvuts',
    securityToken: 'CAIS+fakeSecurityToken/with+plus=and/slash==',
    principal: principal(ACCOUNT, 'assumed-role', 'worker', 'STS.NUgYrLnoC37mZZCNnAbezFAKE'),
    policy: [{ action: 'mns:*', resource: `acs:mns:*:${ACCOUNT}:/queues/*` }],
  },
  // The SDK vectors' key (protocols.md §3.3, signature-test-vectors.json).
  vector: { accessKeyId: 'LTAI5tFAKEACCESSKEYID01', accessKeySecret: 'FakeSecret0123456789abcdefghijkl', principal: principal(ACCOUNT, 'root', undefined, 'LTAI5tFAKEACCESSKEYID01') },
} satisfies Record<string, TestKey>;

const glob = (pattern: string, value: string): boolean =>
  new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`).test(value);

export class FakeIdentity implements IdentityProvider {
  readonly calls: Array<{ action: string; resource: string }> = [];
  private readonly keys = new Map<string, TestKey>();

  constructor(keys: TestKey[] = Object.values(KEYS)) {
    for (const k of keys) this.keys.set(k.accessKeyId, k);
  }

  lookupKey(accessKeyId: string, securityToken: string | undefined, now: Date): KeyLookup {
    const k = this.keys.get(accessKeyId);
    if (!k) return { ok: false, code: 'InvalidAccessKeyId.NotFound', message: 'Specified access key is not found.' };
    if (accessKeyId.startsWith('STS.')) {
      if (securityToken === undefined) return { ok: false, code: 'MissingSecurityToken', message: 'SecurityToken is mandatory for this action.' };
      if (securityToken !== k.securityToken) return { ok: false, code: 'InvalidSecurityToken.MismatchWithAccessKey', message: 'Specified SecurityToken mismatch with the AccessKey.' };
      if (k.expiresAt && k.expiresAt <= now) return { ok: false, code: 'InvalidSecurityToken.Expired', message: 'Specified SecurityToken is expired.' };
    }
    return { ok: true, secret: k.accessKeySecret, principal: k.principal };
  }

  isAllowed(p: Principal, action: string, resource: string, _ctx: AuthzContext): boolean {
    this.calls.push({ action, resource });
    const account = resource.split(':')[3];
    if (account !== p.accountId) return false;
    const k = this.keys.get(p.accessKeyId);
    if (!k) return false;
    if (k.policy === undefined) return true;
    return k.policy.some((s) => glob(s.action, action) && glob(s.resource, resource));
  }
}

export interface Harness {
  port: number;
  endpoint: string;
  service: MnsService;
  identity: FakeIdentity;
  journal: Journal;
  close(): Promise<void>;
}

/** Serve the MNS service on 127.0.0.1:<free port>. */
export async function startHarness(opts: { dataDir?: string; clock?: () => Date; identity?: FakeIdentity; retentionSweepIntervalMs?: number } = {}): Promise<Harness> {
  const identity = opts.identity ?? new FakeIdentity();
  const journal = new Journal(opts.dataDir, 'mns');
  const service = createMnsService({ identity, journal, region: REGION, clock: opts.clock, retentionSweepIntervalMs: opts.retentionSweepIntervalMs });
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const local = toLocalRequest(req, Buffer.concat(chunks), new Date());
      if (!service.matches(local)) {
        res.writeHead(404).end();
        return;
      }
      service.handle(local).then(
        (r) => {
          res.writeHead(r.status, r.headers);
          res.end(r.body);
        },
        (err: unknown) => {
          res.writeHead(500).end(String(err));
        },
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    endpoint: `http://127.0.0.1:${port}`,
    service,
    identity,
    journal,
    async close() {
      await service.close?.();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      journal.close();
    },
  };
}

// ---------------------------------------------------------------- the real SDK, typed minimally

type SdkResult<B = Record<string, string>> = { code: number; headers: Record<string, string | undefined>; body: B };
/** Every leaf comes back as a string; the fields a test reads are named. */
export interface SdkMessage {
  MessageId: string;
  MessageBodyMD5: string;
  ReceiptHandle: string;
  MessageBody: string;
  EnqueueTime: string;
  FirstDequeueTime: string;
  NextVisibleTime: string;
  DequeueCount: string;
  Priority: string;
}

/** The subset of @alicloud/mns 1.2.0 the tests drive (the package ships no typings). */
export interface MnsSdkClient {
  createQueue(name: string, attrs?: Record<string, string | number>): Promise<SdkResult<undefined>>;
  deleteQueue(name: string): Promise<SdkResult<undefined>>;
  listQueue(start?: string, limit?: number, prefix?: string): Promise<SdkResult<Array<{ QueueURL: string }> | undefined>>;
  getQueueAttributes(name: string): Promise<SdkResult<Record<string, string>>>;
  setQueueAttributes(name: string, attrs: Record<string, string | number>): Promise<SdkResult<undefined>>;
  sendMessage(queue: string, params: { MessageBody: string; DelaySeconds?: number; Priority?: number }): Promise<SdkResult<SdkMessage>>;
  batchSendMessage(queue: string, params: Array<{ MessageBody: string; DelaySeconds?: number; Priority?: number }>): Promise<SdkResult<SdkMessage[]>>;
  receiveMessage(queue: string, waitSeconds?: number): Promise<SdkResult<SdkMessage>>;
  batchReceiveMessage(queue: string, n: number, waitSeconds?: number): Promise<SdkResult<SdkMessage[]>>;
  peekMessage(queue: string): Promise<SdkResult<SdkMessage>>;
  batchPeekMessage(queue: string, n: number): Promise<SdkResult<SdkMessage[]>>;
  deleteMessage(queue: string, handle: string): Promise<SdkResult<undefined>>;
  batchDeleteMessage(queue: string, handles: string[]): Promise<SdkResult<Array<{ ErrorCode: string; ErrorMessage: string; ReceiptHandle: string }> | undefined>>;
  changeMessageVisibility(queue: string, handle: string, seconds: number): Promise<SdkResult<{ ReceiptHandle: string; NextVisibleTime: string }>>;
}

type MnsSdkCtor = new (accountId: string, opts: { endpoint: string; accessKeyId: string; accessKeySecret: string; securityToken?: string }) => MnsSdkClient;

const requireCjs = createRequire(__filename);
const MNSClient = requireCjs('@alicloud/mns') as MnsSdkCtor;

export function sdk(endpoint: string, key: TestKey = KEYS.root, accountId = ACCOUNT): MnsSdkClient {
  return new MNSClient(accountId, { endpoint, accessKeyId: key.accessKeyId, accessKeySecret: key.accessKeySecret, securityToken: key.securityToken });
}

/** The SDK's error, whose only contract is `name = 'MNS<Code>Error'` (protocols.md §3.7). */
export async function sdkError(p: Promise<unknown>): Promise<{ name: string; message: string }> {
  try {
    await p;
  } catch (err) {
    const e = err as Error;
    return { name: e.name, message: e.message };
  }
  throw new Error('expected the SDK call to fail');
}

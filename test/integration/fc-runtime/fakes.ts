/**
 * In-memory fakes for the local FC runtime tests: a ServiceRoleIssuer that records what it
 * minted, a QueueBackend with visibility timeouts and long polling, an IdentityProvider with fixed
 * keys, and a node:http adapter that turns a LocalService into a server on a free port.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AuthzContext, IdentityProvider, IssuedCredentials, KeyLookup, LocalResponse, LocalService, Principal, ServiceRoleIssuer } from '../../../local/core/contract';
import { toLocalRequest } from '../../../local/core/contract';
import type { QueueBackend, QueueMessage } from '../../../local/fc/types';

export const ACCOUNT = '1234567890123456';
export const REGION = 'cn-hangzhou';

export class FakeIssuer implements ServiceRoleIssuer {
  readonly issued: Array<{ roleArn: string; service: string; sessionName: string; durationSeconds: number; creds: IssuedCredentials }> = [];
  private n = 0;
  /** Roles that "do not trust FC". */
  readonly refuse = new Set<string>();
  lifetimeMs = 3600_000;

  assumeRoleAsService(roleArn: string, service: string, sessionName: string, durationSeconds: number): IssuedCredentials {
    if (this.refuse.has(roleArn)) throw new Error(`EntityNotExist.Role: ${roleArn}`);
    this.n++;
    const creds: IssuedCredentials = {
      accessKeyId: `STS.fake${this.n}`,
      accessKeySecret: `secret-${this.n}`,
      securityToken: `token-${this.n}-for-${roleArn}`,
      expiration: `${new Date(Date.now() + this.lifetimeMs).toISOString().slice(0, 19)}Z`,
    };
    this.issued.push({ roleArn, service, sessionName, durationSeconds, creds });
    return creds;
  }

  latestFor(roleArn: string): IssuedCredentials | undefined {
    return [...this.issued].reverse().find((i) => i.roleArn === roleArn)?.creds;
  }
}

interface Stored {
  id: string;
  body: string;
  dequeueCount: number;
  visibleAt: number;
  handle?: string;
  enqueueTime: number;
}

export class FakeQueues implements QueueBackend {
  readonly queues = new Map<string, Stored[]>();
  readonly deleted: Array<{ queue: string; messageId: string }> = [];
  readonly receives: Array<{ queue: string; visibilityTimeout?: number }> = [];
  private seq = 0;
  private readonly waiters = new Set<() => void>();

  private q(account: string, name: string): Stored[] {
    const key = `${account}/${name}`;
    let q = this.queues.get(key);
    if (!q) {
      q = [];
      this.queues.set(key, q);
    }
    return q;
  }

  sendMessage(accountId: string, queue: string, body: string): { messageId: string } {
    const id = `MSG${String(++this.seq).padStart(8, '0')}`;
    this.q(accountId, queue).push({ id, body, dequeueCount: 0, visibleAt: 0, enqueueTime: Date.now() });
    for (const w of this.waiters) w();
    return { messageId: id };
  }

  async receiveMessage(accountId: string, queue: string, opts: { waitSeconds?: number; visibilityTimeout?: number }): Promise<QueueMessage | undefined> {
    this.receives.push({ queue, ...(opts.visibilityTimeout === undefined ? {} : { visibilityTimeout: opts.visibilityTimeout }) });
    const deadline = Date.now() + (opts.waitSeconds ?? 0) * 1000;
    for (;;) {
      const now = Date.now();
      const m = this.q(accountId, queue).find((x) => x.visibleAt <= now);
      if (m) {
        m.dequeueCount++;
        m.handle = `H-${m.id}-${m.dequeueCount}`;
        m.visibleAt = now + (opts.visibilityTimeout ?? 30) * 1000;
        return { messageId: m.id, receiptHandle: m.handle, body: m.body, dequeueCount: m.dequeueCount, enqueueTime: m.enqueueTime };
      }
      if (now >= deadline) return undefined;
      await new Promise<void>((resolve) => {
        const w = (): void => {
          this.waiters.delete(w);
          clearTimeout(t);
          resolve();
        };
        const t = setTimeout(w, Math.min(50, Math.max(1, deadline - now)));
        this.waiters.add(w);
      });
    }
  }

  deleteMessage(accountId: string, queue: string, receiptHandle: string): void {
    const q = this.q(accountId, queue);
    const i = q.findIndex((m) => m.handle === receiptHandle);
    if (i < 0) throw new Error(`MessageNotExist: ${receiptHandle}`);
    const [m] = q.splice(i, 1);
    if (m) this.deleted.push({ queue, messageId: m.id });
  }

  bodies(accountId: string, queue: string): string[] {
    return this.q(accountId, queue).map((m) => m.body);
  }
}

export interface FakeKey {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string;
  principal: Principal;
  /** [action, resource-glob] pairs; undefined = account root. */
  allow?: Array<[string, string]>;
}

const glob = (pattern: string, value: string): boolean =>
  new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`).test(value);

export const KEYS = {
  root: { accessKeyId: 'LTAI5tFCROOT000000001', accessKeySecret: 'RootSecret0123456789abcdefghijk', principal: { accountId: ACCOUNT, arn: `acs:ram::${ACCOUNT}:root`, kind: 'root', principalId: ACCOUNT, accessKeyId: 'LTAI5tFCROOT000000001' } },
  sts: {
    accessKeyId: 'STS.FcInvokerFAKE0001',
    accessKeySecret: 'StsSecret0123456789abcdefghijk',
    securityToken: 'CAIS+fake/token==',
    principal: { accountId: ACCOUNT, arn: `acs:ram::${ACCOUNT}:assumed-role/invoker/s1`, kind: 'assumed-role', name: 'invoker', sessionName: 's1', principalId: '3001:s1', accessKeyId: 'STS.FcInvokerFAKE0001' },
    allow: [['fc:InvokeFunction', `acs:fc:*:${ACCOUNT}:functions/fx-timer`], ['fc:GetFunction', `acs:fc:*:${ACCOUNT}:services/*/functions/fx-*`]],
  },
  // Authenticated, but allowed nothing.
  nobody: { accessKeyId: 'LTAI5tFCNOBODY0000001', accessKeySecret: 'NobodySecret0123456789abcdefgh', principal: { accountId: ACCOUNT, arn: `acs:ram::${ACCOUNT}:user/nobody`, kind: 'user', name: 'nobody', principalId: '2001', accessKeyId: 'LTAI5tFCNOBODY0000001' }, allow: [] },
} satisfies Record<string, FakeKey>;

export class FakeIdentity implements IdentityProvider {
  readonly checks: Array<{ arn: string; action: string; resource: string }> = [];

  constructor(private readonly keys: FakeKey[] = Object.values(KEYS)) {}

  lookupKey(accessKeyId: string, securityToken: string | undefined): KeyLookup {
    const k = this.keys.find((x) => x.accessKeyId === accessKeyId);
    if (!k) return { ok: false, code: 'InvalidAccessKeyId.NotFound', message: 'not found' };
    if (k.securityToken !== undefined && k.securityToken !== securityToken) return { ok: false, code: 'InvalidSecurityToken.MismatchWithAccessKey', message: 'token mismatch' };
    return { ok: true, secret: k.accessKeySecret, principal: k.principal };
  }

  isAllowed(principal: Principal, action: string, resource: string, _ctx: AuthzContext): boolean {
    this.checks.push({ arn: principal.arn, action, resource });
    const k = this.keys.find((x) => x.principal.arn === principal.arn);
    if (!k) return false;
    if (!resource.includes(`:${principal.accountId}:`)) return false;
    if (k.allow === undefined) return principal.kind === 'root';
    return k.allow.some(([a, r]) => glob(a, action) && glob(r, resource));
  }
}

/** Serve one LocalService on 127.0.0.1:<free port>, building LocalRequest as the contract says. */
export async function serve(service: LocalService): Promise<{ url: string; port: number; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const lr = toLocalRequest(req, Buffer.concat(chunks), new Date());
      const respond: Promise<LocalResponse> = service.matches(lr) ? service.handle(lr) : Promise.resolve({ status: 404, body: 'no service' });
      respond.then((r) => {
        res.writeHead(r.status, r.headers ?? {});
        res.end(r.body ?? '');
      }, (e: unknown) => {
        res.writeHead(500);
        res.end(String(e));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

export async function waitFor<T>(probe: () => T | undefined | false, timeoutMs = 5000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

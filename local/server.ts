/**
 * The local cloud's HTTP server: one Node http server on 127.0.0.1 that hands each request to
 * the first registered LocalService whose `matches` claims it (RAM, STS, ECS built in; MNS, FC
 * and others plugged in through `services`), plus admin endpoints under `/_local/`.
 *
 * Run alone for manual use: `npx tsx local/server.ts --port 9494 [--data-dir .crossrole] [--strict-limits] [--seed]`.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadLocalConfig } from './config';
import type { IdentityProvider, LocalRequest, LocalResponse, LocalService, ServiceRoleIssuer } from './core/contract';
import { toLocalRequest } from './core/contract';
import { FaultInjector, type FaultConfig } from './core/faults';
import { Journal } from './core/journal';
import { PopAuthenticator } from './core/pop-auth';
import { RateLimiter } from './core/rate-limiter';
import { createEcsService, ECS_VERSION } from './ecs';
import { EcsStore } from './ecs/store';
import { AccessControl } from './access';
import { createRamService, RAM_VERSION, RamStore, type RamQuotas } from './ram';
import { createStsService, STS_VERSION, StsSessions, StsStore } from './sts';

/** What a plugged-in service gets to build itself. */
interface LocalServiceContext {
  /** Resolves access keys / STS tokens and evaluates RAM policies for any service. */
  identity: IdentityProvider;
  /** Lets a runtime (FC) assume a role as a cloud service. */
  serviceRoles: ServiceRoleIssuer;
  ram: RamStore;
  /** Verifier of POP signatures (shared nonce cache), for services speaking POP RPC. */
  authenticator: PopAuthenticator;
  dataDir: string | undefined;
  strictLimits: boolean;
  /** `127.0.0.1:<port>` (POP SDK endpoint form). */
  endpoint: string;
  /** `http://127.0.0.1:<port>`. */
  url: string;
  faults: FaultInjector;
  now: () => Date;
}

export interface StartLocalServerOptions {
  /** 0 = a free port. Default 0. */
  port?: number;
  host?: '127.0.0.1';
  /** undefined = memory only. */
  dataDir?: string;
  strictLimits?: boolean;
  quotas?: Partial<RamQuotas>;
  /** Extra services (MNS, FC, ...), asked after RAM/STS/ECS. */
  services?: (ctx: LocalServiceContext) => LocalService[];
  /** Server clock (tests). */
  now?: () => Date;
}

export interface LocalServer {
  url: string;
  endpoint: string;
  host: string;
  port: number;
  /** RAM state (accounts, users, groups, keys, roles, policies, tags): seed it with plain calls. */
  ram: RamStore;
  /** STS sessions and AssumeRole. */
  sts: StsStore;
  /** Authentication and authorization as RAM decides them. */
  access: AccessControl;
  ecs: EcsStore;
  faults: FaultInjector;
  services: readonly LocalService[];
  /** Forget all state (RAM, STS, ECS, every service's `reset`). */
  reset(): Promise<void>;
  close(): Promise<void>;
}

const MAX_BODY = 10 * 1024 * 1024;

function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        resolve(undefined);
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, r: LocalResponse): void {
  const body = r.body === undefined ? undefined : typeof r.body === 'string' ? Buffer.from(r.body) : r.body;
  res.writeHead(r.status, { ...r.headers, ...(body === undefined ? { 'content-length': '0' } : { 'content-length': String(body.length) }) });
  res.end(body);
}

const json = (status: number, body: unknown): LocalResponse => ({ status, headers: { 'content-type': 'application/json;charset=utf-8' }, body: JSON.stringify(body) });

export async function startLocalServer(options: StartLocalServerOptions = {}): Promise<LocalServer> {
  const host = options.host ?? '127.0.0.1';
  const now = options.now ?? (() => new Date());
  const strictLimits = options.strictLimits === true;
  // RAM and STS share one journal (`iam.jsonl`): a role and the sessions of it are durable together.
  const iamJournal = new Journal(options.dataDir, 'iam');
  const ecsJournal = new Journal(options.dataDir, 'ecs');
  const ram = new RamStore(iamJournal, { strictLimits, now, ...(options.quotas === undefined ? {} : { quotas: options.quotas }) });
  const sessions = new StsSessions(iamJournal, now);
  const faults = new FaultInjector();
  const access = new AccessControl(ram, sessions, faults);
  const sts = new StsStore(ram, sessions, access, now);
  const ecs = new EcsStore(ecsJournal);
  const authenticator = new PopAuthenticator(access);
  const limiter = strictLimits ? new RateLimiter() : undefined;
  const withLimiter = limiter === undefined ? {} : { limiter };
  const services: LocalService[] = [
    createRamService({ ram, authorizer: access, authenticator, faults, ...withLimiter }),
    createStsService({ sts, authorizer: access, authenticator, faults, ...withLimiter }),
    createEcsService({ store: ecs, authorizer: access, authenticator }),
  ];

  const reset = async (): Promise<void> => {
    ram.reset();
    access.reset();
    ecs.reset();
    authenticator.nonces.reset();
    limiter?.reset();
    faults.clear();
    for (const s of services) if (s.reset) await s.reset();
  };

  const admin = async (req: LocalRequest): Promise<LocalResponse> => {
    const route = `${req.method} ${req.path}`;
    switch (route) {
      case 'GET /_local/health':
        return json(200, { status: 'ok', services: services.map((s) => s.name) });
      case 'POST /_local/reset':
        await reset();
        return json(200, { status: 'reset' });
      case 'GET /_local/faults':
        return json(200, faults.get());
      case 'POST /_local/faults': {
        let cfg: FaultConfig;
        try {
          cfg = JSON.parse(req.body.toString('utf8') || '{}') as FaultConfig;
        } catch {
          return json(400, { error: 'invalid JSON' });
        }
        faults.set(cfg);
        return json(200, faults.get());
      }
      default:
        return json(404, { error: `no admin endpoint ${route}` });
    }
  };

  const server = createServer({ maxHeaderSize: 64 * 1024 }, (req, res) => {
    void (async () => {
      const receivedAt = now();
      const body = await readBody(req);
      if (body === undefined) {
        send(res, json(413, { error: 'request body too large' }));
        return;
      }
      const lr = toLocalRequest(req, body, receivedAt);
      const service = services.find((s) => s.matches(lr));
      // Admin endpoints of the server itself; a service may claim its own `/_local/<svc>/` paths.
      if (lr.path.startsWith('/_local/') && !service) {
        send(res, await admin(lr));
        return;
      }
      if (!service) {
        send(res, json(404, { Code: 'NotFound', Message: `No local service answers ${lr.method} ${lr.path}` }));
        return;
      }
      send(res, await service.handle(lr));
    })().catch((e: unknown) => {
      console.error('[local] unhandled error', e);
      if (!res.headersSent) send(res, json(500, { Code: 'InternalError', Message: 'The local server failed to answer.' }));
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 5000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const endpoint = `${host}:${port}`;
  const url = `http://${endpoint}`;

  if (options.services) {
    services.push(
      ...options.services({ identity: access, serviceRoles: sts, ram, authenticator, dataDir: options.dataDir, strictLimits, endpoint, url, faults, now }),
    );
  }

  let closed = false;
  return {
    url,
    endpoint,
    host,
    port,
    ram,
    sts,
    access,
    ecs,
    faults,
    services,
    reset,
    close: async () => {
      if (closed) return;
      closed = true;
      for (const s of services) if (s.close) await s.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      iamJournal.close();
      ecsJournal.close();
    },
  };
}

/** `--seed`: two demo accounts with root keys and a few instances, printed for copy-paste. */
function seedDemo(s: LocalServer): void {
  const a = s.ram.createAccount('1000000000000001', 'Company A');
  const b = s.ram.createAccount('2000000000000002', 'Company B');
  if (s.ecs.listInstances(a.accountId, 'cn-hangzhou').length === 0) s.ecs.seedInstances(a.accountId, 'cn-hangzhou', 3);
  console.log(JSON.stringify({ endpoint: s.endpoint, accounts: [a, b] }, null, 2));
}

// The file name check keeps this from firing when server.ts is bundled into local/main.ts.
if (require.main === module && /server\.[jt]s$/.test(require.main.filename)) {
  const config = loadLocalConfig();
  const seed = process.argv.includes('--seed');
  startLocalServer({ port: config.port, host: config.host, ...(config.dataDir === undefined ? {} : { dataDir: config.dataDir }), strictLimits: config.strictLimits })
    .then((s) => {
      console.log(`local cloud (RAM ${RAM_VERSION}, STS ${STS_VERSION}, ECS ${ECS_VERSION}) listening on ${s.url}${config.dataDir ? `, state in ${config.dataDir}` : ' (memory only)'}`);
      if (seed) seedDemo(s);
      const stop = (): void => {
        void s.close().then(() => process.exit(0));
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    })
    .catch((e: unknown) => {
      console.error(e);
      process.exit(1);
    });
}

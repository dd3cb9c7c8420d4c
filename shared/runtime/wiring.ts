/**
 * Dependency wiring, built once per function instance (cold start) and reused while warm.
 * Adapters take their endpoints from the validated config and their credentials from the
 * current invocation's `context.credentials` (FC rotates them), falling back to configured keys.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { CallerIdentity, Clock, IdentityVerifier, Logger, NotificationOutbox, RamPort } from '../domain/ports';
import { CrossroleError } from '../domain/errors';
import type { CloudCredentials, CredentialProvider } from '../cloud/credentials';
import type { RamAdapterOptions } from '../cloud/ram-adapter';
import { createQueueAdapter } from '../cloud/mns-adapter';
import { createIdentityVerifier } from '../identity/verify';
import { IDENTITY_HEADER } from '../identity/proof-format';
import type { Ledger } from '../ledger';
import type { NotifyDeps, WorkflowDeps } from '../workflow';
import { getConfig, type AppConfig } from './config';
import { openFunctionLedger } from './ledger-wiring';
import { createLogger } from './logger';
import { auditingRamCalls, recordingRam } from './ram-recording';
import { withNotifyFastPath } from './notify-fast-path';
import { fetchWebhookSender, webhookResolver } from './webhook-sender';

/** The part of FC's `context` we use (help.aliyun.com/en/functioncompute/context-1-1). */
export interface FcContext {
  requestId?: string;
  credentials?: { accessKeyId: string; accessKeySecret: string; securityToken?: string };
  function?: { name?: string };
}

export interface AppDeps extends WorkflowDeps {
  config: AppConfig;
  identity: IdentityVerifier;
  ledger: Ledger;
  /** The ledger's outbox (the same connection), for the scan and the notifier. */
  notifications: NotificationOutbox;
}

/**
 * Functions that act on RAM pass the adapter factory in; the HTTP functions don't, so their
 * bundles carry no RAM SDK (about 0.8 MB less to load on every cold start).
 */
export type RamFactory = (options: RamAdapterOptions) => RamPort;

/** The RAM port of a function that has no business calling RAM. */
const noRam: RamPort = new Proxy({} as RamPort, {
  get(_target, name) {
    return () => {
      throw new CrossroleError('INTERNAL', `this function has no RAM access (called ${String(name)})`);
    };
  },
});

const systemClock: Clock = { now: () => new Date() };

/** Credentials of the latest invocation win: FC hands each invocation fresh STS keys. */
class InvocationCredentials implements CredentialProvider {
  current: CloudCredentials | undefined;
  constructor(private readonly fallback: CloudCredentials | undefined) {}
  async get(): Promise<CloudCredentials> {
    const c = this.current ?? this.fallback;
    if (!c) throw new CrossroleError('DEPENDENCY_UNAVAILABLE', 'no cloud credentials: neither the FC context nor ALIBABA_CLOUD_ACCESS_KEY_ID provides any');
    return c;
  }
}

let instance: { deps: Promise<AppDeps>; credentials: InvocationCredentials } | undefined;

/** A base64url ExternalId: 32 random bytes, within STS's `[\w+=,.@:/-]{2,1224}`. */
function newExternalId(): string {
  return `crx-${randomBytes(24).toString('base64url').replace(/[^A-Za-z0-9_-]/g, '')}`;
}

async function build(config: AppConfig, credentials: CredentialProvider, logger: Logger, ramFactory: RamFactory | undefined): Promise<AppDeps> {
  // The RAM writes of each unit of work go to the audit event it writes (ram-recording.ts).
  const opened = auditingRamCalls(await openFunctionLedger(config, { credentials, logger }));
  const ram = ramFactory ? recordingRam(ramFactory({ endpoint: config.endpoints.ram, protocol: config.protocol, credentials, logger }), systemClock) : noRam;
  const queue = createQueueAdapter({ endpoint: config.endpoints.mns, accountId: config.ownerAccountId, region: config.region, credentials, logger });
  // With webhooks configured, every committed transition that raises an event announces it (notify-fast-path.ts).
  const ledger = config.catalog.notifications.webhooks.length > 0 ? withNotifyFastPath(opened, queue, logger) : opened;
  const identity = createIdentityVerifier({ allowedStsUrls: config.identityStsUrls, nonces: ledger, clock: systemClock, logger, maxProofBytes: 8 * 1024 });
  return {
    config,
    ledger,
    notifications: opened,
    ram,
    queue,
    identity,
    catalog: config.catalog,
    clock: systemClock,
    logger,
    newId: randomUUID,
    newExternalId,
    region: config.region,
  };
}

/** The instance's dependencies; refreshes the credentials from this invocation's context. */
export function getAppDeps(context: FcContext = {}, ramFactory?: RamFactory): Promise<AppDeps> {
  if (!instance) {
    const config = getConfig();
    const logger = createLogger({ level: config.logLevel, fields: { function: context.function?.name } });
    const credentials = new InvocationCredentials(config.credentials);
    // Before building: reading the ledger's secret at cold start already needs this invocation's keys.
    if (context.credentials) credentials.current = { ...context.credentials };
    const deps = build(config, credentials, logger, ramFactory);
    // A failed cold start must not poison the instance forever: retry on the next invocation.
    deps.catch(() => {
      instance = undefined;
    });
    instance = { deps, credentials };
  }
  if (context.credentials) instance.credentials.current = { ...context.credentials };
  return instance.deps;
}

/** The notifier's dependencies: no RAM (the instance is built without the RAM factory), outbound HTTP, the webhooks' environment. */
export function notifierDeps(deps: AppDeps): AppDeps & NotifyDeps {
  return { ...deps, webhooks: fetchWebhookSender, resolveWebhook: webhookResolver(deps.config.webhookEnv) };
}

/** Authenticate an HTTP caller from its identity proof header. */
export function authenticate(deps: AppDeps, headers: Record<string, string>): Promise<CallerIdentity> {
  return deps.identity.verify(headers[IDENTITY_HEADER]);
}

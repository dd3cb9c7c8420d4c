/**
 * The local MNS (queue) service: a LocalService plug-in that the real, unmodified
 * `@alicloud/mns` client accepts, plus a programmatic admin API (MnsAdmin) for the local runtime
 * (FC queue triggers) and seeding.
 *
 * Which account a request addresses: real MNS puts it in the host name
 * (`<uid>.mns.<region>.aliyuncs.com`). When the Host header has that form, its uid is used;
 * otherwise (the usual `127.0.0.1:<port>` endpoint) the authenticated caller's own account is.
 * A caller addressing another account's host is then denied by the IdentityProvider, which
 * refuses cross-account resources.
 *
 * The folder: codec (XML), router (each route's RAM action and resource), handlers, store and its
 * pure queue state, long-poll waiters, the retention sweep. Imports local/core only; plugged into
 * the server by the launcher (local/stack.ts), and fed to the FC runtime's queue triggers through
 * the QueueBackend interface, never imported by local/fc. Never imports the product's policy,
 * cloud, workflow, runtime, ledger or identity code.
 */
import type { IdentityProvider, LocalRequest, LocalResponse, LocalService } from '../core/contract';
import { errorMessage } from '../core/errors';
import type { Journal } from '../core/journal';
import { authenticate, header } from './auth';
import { errorResponse, newRequestId } from './codec';
import { MnsError, outOfRange } from './errors';
import { HANDLERS, type HandlerContext } from './handlers';
import { attributesFromOptions, LIMITS, optionsFromAttributes, type PeekedMessage, type QueueOptions, type QueueStats, type ReceivedMessage, type SentMessage } from './models';
import { parseQuery, ramAuthorization, route, validateQueueName } from './router';
import { QueueStore } from './store';

interface MnsServiceOptions {
  identity: IdentityProvider;
  journal: Journal;
  region: string;
  /** Service clock for message times, visibility and retention (default: wall clock). */
  clock?: () => Date;
  /** How often expired messages nobody reads are deleted (default 60 s; 0 = only when read). */
  retentionSweepIntervalMs?: number;
}

/** Direct access to the queues, bypassing HTTP, signatures and RAM (local runtime and seeding). */
interface MnsAdmin {
  /**
   * Idempotent with the same attributes; throws MnsError `QueueAlreadyExist` with different ones
   * and `InvalidArgument` for a value out of its documented range. Omitted attributes take the
   * MNS defaults (e.g. messageRetentionPeriod 345600 s).
   */
  createQueue(accountId: string, name: string, attrs?: QueueOptions): 'created' | 'unchanged';
  /** Changes only the attributes given (SetQueueAttributes); same validation as createQueue. */
  setQueueAttributes(accountId: string, name: string, attrs: QueueOptions): void;
  getQueueAttributes(accountId: string, name: string): Required<QueueOptions>;
  deleteQueue(accountId: string, name: string): void;
  listQueues(accountId: string): string[];
  sendMessage(accountId: string, queue: string, body: string, opts?: { delaySeconds?: number; priority?: number }): SentMessage;
  /**
   * Receive one message, long-polling up to `waitSeconds` (default: the queue's
   * PollingWaitSeconds); undefined when none arrived. `visibilityTimeout` overrides the queue's.
   */
  receiveMessage(accountId: string, queue: string, opts?: { waitSeconds?: number; visibilityTimeout?: number }): Promise<ReceivedMessage | undefined>;
  peekMessages(accountId: string, queue: string, max?: number): PeekedMessage[];
  /** Throws MnsError `MessageNotExist` for a stale handle, `ReceiptHandleError` for a malformed one. */
  deleteMessage(accountId: string, queue: string, receiptHandle: string): void;
  changeVisibility(accountId: string, queue: string, receiptHandle: string, visibilityTimeout: number): { receiptHandle: string; nextVisibleTime: number };
  queueStats(accountId: string, queue: string): QueueStats;
}

export type MnsService = LocalService & MnsAdmin;

const HOST_ACCOUNT = /^(\d+)\.mns[.-]/i;

export function createMnsService(options: MnsServiceOptions): MnsService {
  const clock = options.clock ?? (() => new Date());
  const store = new QueueStore(options.journal, clock, { retentionSweepIntervalMs: options.retentionSweepIntervalMs });
  const { identity, region } = options;

  async function handle(req: LocalRequest): Promise<LocalResponse> {
    const requestId = newRequestId();
    const host = header(req, 'host') ?? '';
    try {
      const principal = authenticate(req, identity, clock());
      const query = parseQuery(req.rawQuery);
      const r = route(req, query);
      const accountId = HOST_ACCOUNT.exec(host)?.[1] ?? principal.accountId;
      const authz = ramAuthorization(r, region, accountId);
      if (!identity.isAllowed(principal, authz.action, authz.resource, { sourceIp: req.sourceIp, currentTime: clock() })) {
        throw new MnsError('AccessDenied', 'The OwnerId that your Access Key Id associated to is forbidden for this operation.');
      }
      const headers: Record<string, string | undefined> = {};
      for (const k of ['x-mns-marker', 'x-mns-ret-number', 'x-mns-prefix']) headers[k] = header(req, k);
      const ctx: HandlerContext = { store, accountId, queue: r.queue ?? '', query, headers, body: req.body, requestId, host };
      return await HANDLERS[r.action](ctx);
    } catch (err) {
      if (err instanceof MnsError) return errorResponse(err, requestId, host);
      // An emulator bug, not a client mistake: still answer in MNS's format so the SDK throws.
      return errorResponse(new MnsError('InternalError', `Internal error: ${errorMessage(err)}`), requestId, host);
    }
  }

  const checkName = (name: string): void => validateQueueName(name);

  return {
    name: 'mns',
    matches(req: LocalRequest): boolean {
      if (req.path === '/queues' || req.path.startsWith('/queues/')) return true;
      // Other MNS paths (e.g. /topics) still get an MNS-formatted error rather than another service's.
      return header(req, 'x-mns-version') !== undefined && (header(req, 'authorization') ?? '').startsWith('MNS ');
    },
    handle,
    close(): Promise<void> {
      store.close();
      return Promise.resolve();
    },
    reset(): Promise<void> {
      store.reset();
      return Promise.resolve();
    },

    createQueue(accountId, name, attrs = {}) {
      checkName(name);
      return store.createQueue(accountId, name, attributesFromOptions(attrs));
    },
    setQueueAttributes: (accountId, name, attrs) => store.setQueueAttributes(accountId, name, attributesFromOptions(attrs)),
    getQueueAttributes: (accountId, name) => optionsFromAttributes(store.getQueue(accountId, name).record.attributes),
    deleteQueue: (accountId, name) => store.deleteQueue(accountId, name),
    listQueues: (accountId) => store.listQueues(accountId, { limit: Number.MAX_SAFE_INTEGER }).names,
    sendMessage: (accountId, queue, body, opts = {}) => store.send(accountId, queue, { body, ...opts }),
    async receiveMessage(accountId, queue, opts = {}) {
      // Unlike HTTP's integer `waitseconds`, sub-second waits are accepted (the FC runtime's `queueWaitSeconds`).
      if (opts.waitSeconds !== undefined && !(opts.waitSeconds >= 0 && opts.waitSeconds <= LIMITS.waitSecondsHigh)) {
        throw outOfRange('waitseconds', 0, LIMITS.waitSecondsHigh);
      }
      const [m] = await store.receive(accountId, queue, 1, opts);
      return m;
    },
    peekMessages: (accountId, queue, max = 1) => store.peek(accountId, queue, max),
    deleteMessage: (accountId, queue, receiptHandle) => store.deleteMessage(accountId, queue, receiptHandle),
    changeVisibility: (accountId, queue, receiptHandle, visibilityTimeout) => store.changeVisibility(accountId, queue, receiptHandle, visibilityTimeout),
    queueStats: (accountId, queue) => store.stats(accountId, queue),
  };
}

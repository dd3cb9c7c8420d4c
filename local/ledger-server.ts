/**
 * The local ledger: PGlite in the data directory, served over the PostgreSQL wire protocol on
 * 127.0.0.1 so the functions reach it exactly as they reach ApsaraDB RDS in the cloud — through
 * `pg` and a DATABASE_URL. pglite-socket multiplexes connections and keeps a transaction on the
 * connection that opened it.
 *
 * pglite-socket queues every protocol message on its own and keeps a connection's turn only
 * inside an explicit transaction. An extended-protocol query (Parse, Bind, Describe, Execute,
 * Sync) outside one could therefore interleave with another connection's: its Bind then met the
 * other's unnamed statement ("unnamed prepared statement does not exist") as soon as two
 * functions ran queries concurrently. `ExtendedQueryQueue` also keeps the turn of a connection
 * from its first extended-protocol message to its Sync.
 */
import { cpSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

export interface LocalLedgerServer {
  url: string;
  close(): Promise<void>;
}

interface QueuedMessage {
  handlerId: number;
  message: Uint8Array;
  resolve: (bytes: number) => void;
  reject: (e: unknown) => void;
  onData: (data: Uint8Array) => void;
}

/** Frontend message types that open or continue an extended-protocol exchange, ended by Sync ('S'). */
const EXTENDED = new Set(['P', 'B', 'D', 'E', 'C', 'H'].map((c) => c.charCodeAt(0)));

/** A drop-in for pglite-socket's internal query queue (same methods, same semantics plus the rule above). */
class ExtendedQueryQueue {
  private queue: QueuedMessage[] = [];
  private processing = false;
  private lastHandlerId: number | null = null;
  /** The connection between its first extended-protocol message and its Sync. */
  private pinned: number | null = null;

  constructor(private readonly db: PGlite) {}

  enqueue(handlerId: number, message: Uint8Array, onData: (data: Uint8Array) => void): Promise<number> {
    return new Promise((resolve, reject) => {
      this.queue.push({ handlerId, message, resolve, reject, onData });
      if (!this.processing) void this.processQueue();
    });
  }

  private owner(): number | null {
    if (this.pinned !== null) return this.pinned;
    return this.db.isInTransaction() ? this.lastHandlerId : null;
  }

  async processQueue(): Promise<void> {
    if (this.processing || this.queue.length === 0) return;
    this.processing = true;
    try {
      while (this.queue.length > 0) {
        const owner = this.owner();
        const index = owner === null ? 0 : this.queue.findIndex((q) => q.handlerId === owner);
        // The connection holding the turn has not sent its next message yet: wait for it.
        if (index === -1) break;
        const [item] = this.queue.splice(index, 1);
        if (!item) break;
        const first = item.message[0];
        let bytes = 0;
        try {
          await this.db.runExclusive(async () => {
            await this.db.execProtocolRawStream(item.message, {
              onRawData: (data: Uint8Array) => {
                bytes += data.length;
                item.onData(data);
              },
            });
          });
        } catch (e) {
          this.pinned = null;
          item.reject(e);
          continue;
        }
        this.lastHandlerId = item.handlerId;
        this.pinned = first !== undefined && EXTENDED.has(first) ? item.handlerId : null;
        item.resolve(bytes);
      }
    } finally {
      this.processing = false;
    }
  }

  getQueueLength(): number {
    return this.queue.length;
  }

  clearQueueForHandler(handlerId: number): void {
    this.queue = this.queue.filter((q) => {
      if (q.handlerId !== handlerId) return true;
      q.reject(new Error('Handler disconnected'));
      return false;
    });
    // A connection gone mid-exchange must not keep everybody else waiting.
    if (this.pinned === handlerId) this.pinned = null;
  }

  async clearTransactionIfNeeded(handlerId: number): Promise<void> {
    if (this.db.isInTransaction() && this.lastHandlerId === handlerId) {
      await this.db.exec('ROLLBACK');
      this.lastHandlerId = null;
    }
    await this.processQueue();
  }
}

/**
 * @param template a freshly initialised PGlite data directory (made by `npm run build`): an empty
 *   `dataDir` starts as a copy of it rather than running initdb, which takes seconds.
 */
export async function startLedgerServer(dataDir: string | undefined, port = 0, template?: string): Promise<LocalLedgerServer> {
  if (dataDir !== undefined && !existsSync(join(dataDir, 'PG_VERSION')) && template !== undefined && existsSync(join(template, 'PG_VERSION'))) {
    rmSync(dataDir, { recursive: true, force: true });
    cpSync(template, dataDir, { recursive: true, filter: (src) => !src.endsWith('.crossrole-template') });
  }
  if (dataDir !== undefined) mkdirSync(dataDir, { recursive: true });
  const db = await PGlite.create(dataDir ?? 'memory://');
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port, maxConnections: 64 });
  // Handlers take the server's queue when a connection arrives, so replacing it before start() is enough.
  (server as unknown as { queryQueue: ExtendedQueryQueue }).queryQueue = new ExtendedQueryQueue(db);
  await server.start();
  const address = (server as unknown as { port: number }).port;
  return {
    url: `postgres://postgres@127.0.0.1:${address}/postgres`,
    async close() {
      await server.stop();
      await db.close();
    },
  };
}

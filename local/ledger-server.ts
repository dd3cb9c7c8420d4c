/**
 * The local ledger: PGlite in the data directory, served over the PostgreSQL wire protocol on
 * 127.0.0.1 so the functions reach it exactly as they reach ApsaraDB RDS in the cloud — through
 * `pg` and a DATABASE_URL. pglite-socket multiplexes connections and keeps a transaction on the
 * connection that opened it.
 */
import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

export interface LocalLedgerServer {
  url: string;
  close(): Promise<void>;
}

export async function startLedgerServer(dataDir: string | undefined, port = 0): Promise<LocalLedgerServer> {
  if (dataDir !== undefined) mkdirSync(dataDir, { recursive: true });
  const db = await PGlite.create(dataDir ?? 'memory://');
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port, maxConnections: 64 });
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

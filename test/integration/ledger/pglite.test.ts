/** The repository contract on PGlite, in a temporary data directory copied from the template. */
import { migrate } from '../../../shared/ledger';
import { openPgliteDb } from '../../../shared/ledger/pglite-driver';
import { SqlLedger } from '../../../shared/ledger/outbox';
import { copyLedgerTemplate, templateTimings } from '../../helpers/ledger-template';
import { describeRepositoryContract } from './repository-contract';

describeRepositoryContract('PGlite (data directory on disk)', async (clock) => {
  const { dir, cleanup } = await copyLedgerTemplate();
  const started = Date.now();
  const db = await openPgliteDb(dir);
  await migrate(db);
  console.info(`ledger template: init ${templateTimings.initMs} ms (0 = cached), copy ${templateTimings.copyMs} ms, open ${Date.now() - started} ms`);
  return {
    repo: new SqlLedger(db, clock),
    db,
    dispose: async () => {
      await db.close();
      cleanup();
    },
  };
});

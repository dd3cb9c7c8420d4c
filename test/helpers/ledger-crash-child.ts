/**
 * Child process for the kill -9 durability test (run with `node --import tsx`).
 * argv[2] = PGlite data directory. Prints READY once open; then for each stdin line:
 *   create            -> creates an APPROVED request, prints "ACK <id> <version>" after the write returned
 *   activate <id> <v> -> APPROVED->ACTIVE, prints "ACK <id> <version>"
 * and otherwise waits, to be killed with SIGKILL at any moment.
 */
import { createInterface } from 'node:readline';
import { Status, Transition } from '../../shared/domain/state-machine';
import { openLedger } from '../../shared/ledger';
import { minimalRequest } from './ledger-fixtures';

async function main(): Promise<void> {
  const dataDir = process.argv[2];
  if (dataDir === undefined) throw new Error('usage: ledger-crash-child <dataDir>');
  const ledger = await openLedger({ driver: 'pglite', dataDir });
  process.stdout.write('READY\n');
  const lines = createInterface({ input: process.stdin });
  // One command at a time, in order, like a worker handling messages.
  let chain = Promise.resolve();
  lines.on('line', (line) => {
    chain = chain.then(async () => {
      const [cmd, id, version] = line.trim().split(' ');
      if (cmd === 'create') {
        const r = await ledger.create(minimalRequest({ status: Status.APPROVED }), { actor: 'crash-child' });
        process.stdout.write(`ACK ${r.id} ${r.version}\n`);
      } else if (cmd === 'activate' && id !== undefined && version !== undefined) {
        const r = await ledger.transition(id, Number(version), Transition.ACTIVATE, { expiresAt: '2100-01-01T00:00:00.000Z' }, { actor: 'crash-child' });
        process.stdout.write(`ACK ${r.id} ${r.version}\n`);
      }
    });
  });
}

main().catch((e: unknown) => {
  process.stderr.write(`${String(e)}\n`);
  process.exit(1);
});

/**
 * Child process for the durability test: serves the local MNS service over a data directory and
 * prints `{"port":N}` once listening. The test kills it with SIGKILL and starts it again.
 */
import { startHarness } from './mns-harness';

const dataDir = process.argv[2];
if (dataDir === undefined) throw new Error('usage: mns-child.ts <dataDir>');
void startHarness({ dataDir }).then((h) => {
  process.stdout.write(`${JSON.stringify({ port: h.port })}\n`);
});

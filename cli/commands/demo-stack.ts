/**
 * The local stack `crossrole demo` plays against: the one running here (its `local.json`), or one
 * it starts for the run, as a child process of the `npm start` launcher. The shipped CLI never
 * loads the local cloud's code (eslint.config.mjs); it only reads the contract file.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LocalContract } from '../../shared/contract/local-contract';
import { localContractPath } from '../config';
import { readLocalContract, type Session } from '../context';
import { CliError } from '../errors';
import { projectRoot } from './operator';
import { sleep } from './wait';

/** Cold start of `npm start` on an empty directory (PGlite from its template) is a few seconds. */
const STACK_START_TIMEOUT_MS = 60_000;

async function reachable(contract: LocalContract): Promise<boolean> {
  try {
    await fetch(`http://${contract.endpoint}/`, { signal: AbortSignal.timeout(2000) });
    return true;
  } catch {
    return false;
  }
}

interface StackHandle {
  dataDir: string;
  contract: LocalContract;
  stop?: () => Promise<void>;
}

export async function findOrStartStack(session: Session, say: (t: string) => void): Promise<StackHandle> {
  const path = localContractPath(session.env, session.options.dataDir);
  if (existsSync(path)) {
    const contract = readLocalContract(path);
    if (await reachable(contract)) {
      say(`Using the local stack running at http://${contract.endpoint} (${path}).`);
      return { dataDir: join(path, '..'), contract };
    }
  }
  const dir = mkdtempSync(join(tmpdir(), 'crossrole-demo-'));
  say('No local stack is running here: starting one (timers off) in a temporary directory...');
  const child = spawn(process.execPath, [join(projectRoot(), 'dist', 'local', 'main.js'), '--port', '0', '--data-dir', dir, '--no-timers', '--fast-retries'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const stop = (): Promise<void> => new Promise<void>((done) => {
    const cleanup = (): void => {
      rmSync(dir, { recursive: true, force: true });
      done();
    };
    if (child.exitCode !== null || child.signalCode !== null) return cleanup();
    const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(kill);
      cleanup();
    });
    child.kill('SIGTERM');
  });
  const contractFile = join(dir, 'local.json');
  const deadline = Date.now() + STACK_START_TIMEOUT_MS;
  // local/main.ts prints "ready in" after writing local.json.
  while (!output.includes('ready in') || !existsSync(contractFile)) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new CliError('LOCAL_STACK_START_FAILED', `the local stack did not start${child.exitCode !== null ? ` (exit ${child.exitCode})` : ' in time'}:\n${output.trim()}`, {
        hint: 'build first (`npm run build`), or start it yourself with `npm start` and run the demo again.',
      });
    }
    await sleep(100);
  }
  const contract = readLocalContract(contractFile);
  say(`Started on http://${contract.endpoint}; it is stopped at the end.`);
  return { dataDir: dir, contract, stop };
}

/**
 * `npm start`'s bundle (dist/local/main.js) as a child process in its own process group, for the
 * kill -9 tests: started on a fixed port and data directory, killed as a group, restarted on the
 * same directory. The contract (local.json) and the ledger URL come from what it prints and writes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LocalContract } from '../../local/stack';
import { PROJECT_ROOT } from '../helpers/build';

const MAIN = join(PROJECT_ROOT, 'dist', 'local', 'main.js');

export interface Child {
  proc: ChildProcess;
  output: string[];
}

/** Start the stack and resolve once it printed that it is ready. */
export async function startChild(port: number, dataDir: string, args: readonly string[] = ['--no-timers', '--fast-retries']): Promise<Child> {
  const proc = spawn(process.execPath, [MAIN, '--port', String(port), '--data-dir', dataDir, ...args], {
    cwd: PROJECT_ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`stack did not start:\n${output.join('').slice(-3000)}`)), 60_000);
    const onData = (b: Buffer): void => {
      output.push(b.toString('utf8'));
      if (output.length > 400) output.splice(0, 200);
      if (output.join('').includes('Ctrl-C stops')) {
        clearTimeout(timer);
        resolve();
      }
    };
    proc.stdout?.on('data', onData);
    proc.stderr?.on('data', onData);
    proc.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`stack exited (${code ?? signal ?? '?'}) before it was ready:\n${output.join('').slice(-3000)}`));
    });
  });
  return { proc, output };
}

/** Signal the whole process group (the stack and its worker threads) and wait for the exit. */
export async function killGroup(c: Child, signal: NodeJS.Signals): Promise<void> {
  if (c.proc.exitCode !== null || c.proc.signalCode !== null || c.proc.pid === undefined) return;
  const exited = new Promise<void>((resolve) => c.proc.once('exit', () => resolve()));
  try {
    process.kill(-c.proc.pid, signal);
  } catch {
    return; // already gone
  }
  await exited;
}

export function contractOf(dataDir: string): LocalContract {
  return JSON.parse(readFileSync(join(dataDir, 'local.json'), 'utf8')) as LocalContract;
}

/** The ledger URL the stack printed (`ledger  postgres://...`). */
export function ledgerUrlOf(c: Child): string {
  const url = /ledger\s+(postgres:\/\/\S+)/.exec(c.output.join(''))?.[1];
  if (url === undefined) throw new Error(`the stack printed no ledger URL:\n${c.output.join('').slice(-2000)}`);
  return url;
}

/** Fire the expiry function's timer through the local FC admin endpoint; resolves when the scan has run. */
export async function fireExpiry(port: number): Promise<{ ok: boolean; ms: number; body: unknown }> {
  const t = performance.now();
  const res = await fetch(`http://127.0.0.1:${port}/_local/fc/timers/crossrole-expiry/fire`, { method: 'POST' });
  const body = (await res.json()) as { ok?: boolean };
  return { ok: res.status === 200 && body.ok === true, ms: performance.now() - t, body };
}

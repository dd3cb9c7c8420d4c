/**
 * kill -9 durability of the PGlite ledger: a child process acknowledges writes only after the
 * repository call returned, is SIGKILLed right after the last ACK, and every acknowledged write
 * must be there when the directory is reopened. Three crash rounds on the same directory.
 */
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';
import { Status, Transition } from '../../../shared/domain/state-machine';
import { openLedger } from '../../../shared/ledger';
import { copyLedgerTemplate } from '../../helpers/ledger-template';

const ROOT = join(__dirname, '..', '..', '..');
const CHILD = join(ROOT, 'test', 'helpers', 'ledger-crash-child.ts');

/** Lines of a child's stdout, awaited one at a time. */
function lineReader(child: ChildProcessWithoutNullStreams): (timeoutMs?: number) => Promise<string> {
  let buffer = '';
  const queue: string[] = [];
  const waiters: ((line: string) => void)[] = [];
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout.on('data', (d: Buffer) => {
    buffer += d.toString();
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      const w = waiters.shift();
      if (w) w(line);
      else queue.push(line);
    }
  });
  return (timeoutMs = 20_000) =>
    new Promise((resolve, reject) => {
      const ready = queue.shift();
      if (ready !== undefined) return resolve(ready);
      const timer = setTimeout(() => reject(new Error(`no line from child within ${timeoutMs} ms; stderr: ${stderr}`)), timeoutMs);
      waiters.push((line) => {
        clearTimeout(timer);
        resolve(line);
      });
    });
}

function killed(child: ChildProcessWithoutNullStreams): Promise<NodeJS.Signals | null> {
  return new Promise((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
}

describe('PGlite ledger survives kill -9 after an acknowledged write', () => {
  let dir: string;
  let cleanup: () => void;

  beforeAll(async () => {
    ({ dir, cleanup } = await copyLedgerTemplate());
  }, 60_000);
  afterAll(() => cleanup?.());

  it('every ACKed create and transition is there after SIGKILL, over three crash rounds', async () => {
    const acked = new Map<string, number>();
    const activated = new Set<string>();
    for (let round = 0; round < 3; round++) {
      const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dir], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
      const exited = killed(child);
      const next = lineReader(child);
      expect(await next()).toBe('READY');
      const ask = async (cmd: string): Promise<[string, number]> => {
        child.stdin.write(`${cmd}\n`);
        const [tag, id, version] = (await next()).split(' ');
        expect(tag).toBe('ACK');
        return [id!, Number(version)];
      };
      const [a] = await ask('create');
      const [b, bv] = await ask('create');
      acked.set(a, 1);
      const [, activeVersion] = await ask(`activate ${b} ${bv}`);
      acked.set(b, activeVersion);
      activated.add(b);
      // The last write was acknowledged: kill now, with no chance to flush or close.
      child.kill('SIGKILL');
      expect(await exited).toBe('SIGKILL');

      const ledger = await openLedger({ driver: 'pglite', dataDir: dir });
      try {
        for (const [id, version] of acked) {
          const r = await ledger.get(id);
          expect(r).toMatchObject({ id, version, status: activated.has(id) ? Status.ACTIVE : Status.APPROVED });
          const actions = (await ledger.history(id)).map((e) => e.action);
          expect(actions).toEqual(activated.has(id) ? ['CREATE', Transition.ACTIVATE] : ['CREATE']);
        }
      } finally {
        await ledger.close();
      }
    }
    expect(acked.size).toBe(6);
  }, 90_000);
});

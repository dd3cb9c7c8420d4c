/**
 * The CLI at sizes where small-scale tests pass by luck: JSON output larger than a pipe buffer,
 * read by a slow consumer in another process, and an approvals queue where stale messages of
 * decided requests stand in front of the pending ones.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import MNSClient from '@alicloud/mns';
import { LOCAL_CATALOG } from '../../local/world';
import { baseEnv, ensureCliBuilt, json, ROOT, runCli, runCliSequence, startStackProcess, tempDir, type CliResult, type StackProcess } from '../helpers/cli';

/** Reads nothing for half a second, then one chunk at a time with a pause after each; echoes it all at the end. */
const SLOW_READER = `
  const chunks = [];
  process.stdin.pause();
  setTimeout(() => {
    process.stdin.on('data', (d) => {
      chunks.push(d);
      process.stdin.pause();
      setTimeout(() => process.stdin.resume(), 20);
    });
    process.stdin.resume();
  }, 500);
  process.stdin.on('end', () => process.stdout.write(Buffer.concat(chunks)));
`;

/** `crossrole <args> | slow-reader`, two processes joined by a real pipe: what a script sees. */
function pipedToSlowReader(args: readonly string[], env: Record<string, string> = {}): Promise<CliResult> {
  const reader = spawn(process.execPath, ['-e', SLOW_READER], { stdio: ['pipe', 'pipe', 'inherit'] });
  const cli = spawn(process.execPath, [join(ROOT, 'bin', 'crossrole.js'), ...args], { cwd: ROOT, env: baseEnv(env), stdio: ['ignore', reader.stdin, 'pipe'] });
  // Only the CLI holds the pipe's write end now: the reader sees EOF when the CLI exits.
  reader.stdin.destroy();
  let stdout = '';
  let stderr = '';
  reader.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  cli.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((res) => cli.on('close', res));
  const read = new Promise<void>((res) => reader.on('close', () => res()));
  return Promise.all([exited, read]).then(([code]) => ({ code, stdout, stderr }));
}

describe('piped --json output', () => {
  const tmp = tempDir('crossrole-pipe-');
  beforeAll(async () => {
    await ensureCliBuilt();
  }, 120_000);
  afterAll(() => tmp.cleanup());

  it('reaches a slow reader whole (> 200 KB), with exit status 0', async () => {
    // `config check --json` echoes the catalog: 600 profiles with long descriptions make ~480 KB.
    const base = LOCAL_CATALOG.profiles[0];
    if (base === undefined) throw new Error('the local catalog has no profile');
    const profiles = Array.from({ length: 600 }, (_, i) => ({ ...base, name: `p${i}`, description: 'd'.repeat(480) }));
    const file = join(tmp.dir, 'big-catalog.json');
    writeFileSync(file, JSON.stringify({ ...LOCAL_CATALOG, profiles }));
    const r = await pipedToSlowReader(['config', 'check', file, '--json']);
    expect(r.stdout.length).toBeGreaterThan(200_000);
    const parsed = json<{ valid: boolean; catalog: { profiles: unknown[] } }>(r);
    expect(parsed.valid).toBe(true);
    expect(parsed.catalog.profiles).toHaveLength(600);
    expect(r.code).toBe(0);
  }, 30_000);

  it('keeps a failing exit status (and its JSON error) through the same pipe', async () => {
    const r = await pipedToSlowReader(['config', 'check', join(tmp.dir, 'missing.json'), '--json']);
    expect(json<{ error: { code: string } }>(r).error.code).toBe('INVALID_CONFIG');
    expect(r.code).toBe(1);
  }, 30_000);
});

describe('inbox over a long queue', () => {
  let stack: StackProcess;
  beforeAll(async () => {
    await ensureCliBuilt();
    stack = await startStackProcess();
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
  });

  function queueCounts(): Promise<number> {
    const admin = stack.contract.principals['owner-admin'];
    const mns = new MNSClient(stack.contract.ownerAccountId, { accessKeyId: admin.accessKeyId, accessKeySecret: admin.accessKeySecret, endpoint: `http://${stack.contract.endpoint}`, region: 'cn-hangzhou' });
    return mns.getQueueAttributes('crossrole-approvals').then(({ body }) => ['ActiveMessages', 'InactiveMessages', 'DelayMessages'].reduce((n, k) => n + Number(body[k] ?? 0), 0));
  }

  it('lists exactly the 5 pending requests behind 25 decided ones, and removes the 25 stale messages', async () => {
    const ask = (n: number): string[] => ['request', '--as', 'partner-admin', '--access-profile', 'ecs-readonly', '--duration', '1h', '--reason', `load ${n}`, '--json'];
    const submitted = await runCliSequence(Array.from({ length: 30 }, (_, n) => ask(n)), { dataDir: stack.dataDir });
    expect(submitted.map((r) => r.code)).toEqual(Array(30).fill(0));
    const ids = submitted.map((r) => json<{ request: { id: string; status: string } }>(r).request.id);
    // The first 25 (first in the queue too) are decided without the inbox: their messages go stale.
    const decided = ids.slice(0, 25);
    const pending = ids.slice(25);
    const decisions = await runCliSequence(decided.map((id, i) => (i % 5 === 0
      ? ['cancel', id, '--as', 'partner-admin', '--json']
      : ['reject', id, '--as', 'approver', '--reason', 'no ticket', '--json'])), { dataDir: stack.dataDir });
    expect(decisions.map((r) => r.code)).toEqual(Array(25).fill(0));
    expect(await queueCounts()).toBe(30);

    const env = { CROSSROLE_DATA_DIR: stack.dataDir, NO_COLOR: '1' };
    const listed = await runCli(['inbox', '--as', 'approver', '--json'], { env });
    expect(listed.code).toBe(0);
    const inbox = json<{ items: Array<{ request: { id: string; status: string } }>; removed: number; unknown: string[] }>(listed);
    expect(inbox.items.map((i) => i.request.id).sort()).toEqual([...pending].sort());
    expect(inbox.items.every((i) => i.request.status === 'PENDING')).toBe(true);
    expect(inbox).toMatchObject({ removed: 25, unknown: [] });
    expect(await queueCounts()).toBe(5);

    // The pending messages were left for the next run (and for other approvers).
    const again = json<{ items: Array<{ request: { id: string } }>; removed: number }>(await runCli(['inbox', '--as', 'approver', '--json'], { env }));
    expect(again.items.map((i) => i.request.id).sort()).toEqual([...pending].sort());
    expect(again.removed).toBe(0);
    expect(await queueCounts()).toBe(5);
  }, 90_000);
});

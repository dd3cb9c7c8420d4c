/**
 * Durability: what SendMessage (and receive/delete) acknowledged survives `kill -9` of the
 * process serving the queue, because the journal fsyncs before the response is written.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sdk, sdkError } from './mns-harness';

const CHILD = join(__dirname, 'mns-child.ts');

let dataDir: string;
const children: ChildProcess[] = [];

function startChild(): Promise<{ child: ChildProcess; endpoint: string }> {
  // `node --import tsx`, not the tsx CLI: the CLI forks, and SIGKILL must hit the serving process.
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dataDir], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString('utf8');
      const line = out.split('\n')[0];
      if (out.includes('\n') && line !== undefined) {
        const { port } = JSON.parse(line) as { port: number };
        // Nothing more is read: release the pipe so it cannot keep jest alive.
        child.stdout?.destroy();
        resolve({ child, endpoint: `http://127.0.0.1:${port}` });
      }
    });
    child.on('exit', (code) => reject(new Error(`child exited early (${String(code)})`)));
  });
}

function kill9(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.on('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

beforeAll(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'mns-durable-'));
});

afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

it('acknowledged sends, receives and deletes survive kill -9', async () => {
  // Prepare
  const first = await startChild();
  const c1 = sdk(first.endpoint);
  await c1.createQueue('durable', { VisibilityTimeout: 600, MessageRetentionPeriod: 604_800 });
  const kept = await c1.sendMessage('durable', { MessageBody: 'must survive', Priority: 2 });
  await c1.sendMessage('durable', { MessageBody: 'in flight' });
  await c1.sendMessage('durable', { MessageBody: 'deleted' });
  const inFlight = (await c1.receiveMessage('durable')).body; // 'must survive' (priority 2) first
  const gone = await c1.batchReceiveMessage('durable', 2);
  const deleted = gone.body.find((m) => m.MessageBody === 'deleted');
  await c1.deleteMessage('durable', deleted?.ReceiptHandle ?? '');
  // Short timers that may or may not run out while the server is down: the restart's speed
  // depends on the machine's load, so the exact counts are only asserted when it was quick.
  await c1.changeMessageVisibility('durable', inFlight.ReceiptHandle, 3);
  const last = await c1.sendMessage('durable', { MessageBody: 'sent last', DelaySeconds: 3 });
  const timersSetAt = Date.now();

  // Act: no graceful shutdown.
  await kill9(first.child);
  const second = await startChild();
  const c2 = sdk(second.endpoint);
  const attrs = (await c2.getQueueAttributes('durable')).body;
  const elapsed = Date.now() - timersSetAt;
  await new Promise((r) => setTimeout(r, Math.max(0, 3_200 - elapsed)));
  const again = (await c2.receiveMessage('durable', 2)).body;

  // Assess
  expect(inFlight.MessageId).toBe(kept.body.MessageId);
  expect(attrs).toMatchObject({ VisibilityTimeout: '600', MessageRetentionPeriod: '604800' });
  if (elapsed < 2_500) expect(attrs).toMatchObject({ InactiveMessages: '2', ActiveMessages: '0', DelayMessages: '1' });
  // Whatever the timing: nothing lost, nothing duplicated (the deleted one stays deleted).
  expect(Number(attrs.InactiveMessages) + Number(attrs.ActiveMessages) + Number(attrs.DelayMessages)).toBe(3);
  expect(again.MessageId).toBe(kept.body.MessageId);
  expect(again.MessageBody).toBe('must survive');
  expect(again.DequeueCount).toBe('2');
  expect(again.Priority).toBe('2');
  // The other in-flight message kept its 600 s visibility and its handle across the restart.
  const stillHidden = gone.body.find((m) => m.MessageBody === 'in flight');
  expect((await c2.changeMessageVisibility('durable', stillHidden?.ReceiptHandle ?? '', 1)).code).toBe(200);
  expect((await sdkError(c2.deleteMessage('durable', deleted?.ReceiptHandle ?? ''))).name).toBe('MNSMessageNotExistError');
  const peeked = (await c2.batchPeekMessage('durable', 16)).body;
  expect(peeked.map((m) => m.MessageId)).toEqual([last.body.MessageId]);
  await kill9(second.child);
}, 30_000);

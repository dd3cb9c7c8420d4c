/**
 * The CLI exits right after `run()` resolves: it must not resolve before stdout and stderr have
 * handed everything to the reader, or piped output is cut short (with exit status 0).
 */
import { Writable } from 'node:stream';
import { flushed } from '../../../cli/ui';
import { run } from '../../../cli/index';

// @clack/prompts is ESM only (jest runs CommonJS); nothing here prompts or spins.
jest.mock('@clack/prompts', () => ({}));

/** A reader that takes one chunk every few milliseconds, as a slow pipe consumer does. */
function slowSink(): { stream: Writable & { isTTY?: boolean }; received: () => number } {
  let received = 0;
  const stream = new Writable({
    highWaterMark: 1024,
    write(chunk: Buffer, _enc, cb) {
      setTimeout(() => {
        received += chunk.length;
        cb();
      }, 2);
    },
  });
  return { stream, received: () => received };
}

describe('flushed', () => {
  it('resolves only once a slow reader has taken every byte written before', async () => {
    const sink = slowSink();
    const chunk = 'x'.repeat(16 * 1024);
    for (let i = 0; i < 16; i++) sink.stream.write(chunk);
    expect(sink.received()).toBeLessThan(16 * chunk.length);
    await flushed(sink.stream);
    expect(sink.received()).toBe(16 * chunk.length);
  });

  it('resolves at once when nothing is pending, and when the stream is gone', async () => {
    const idle = slowSink();
    await flushed(idle.stream);
    const broken = new Writable({ write: (_c, _e, cb) => cb(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' })) });
    broken.on('error', () => undefined);
    broken.write('a');
    broken.write('b');
    await flushed(broken);
    broken.destroy();
    await flushed(broken);
  });
});

describe('run', () => {
  it('returns the exit status only after stdout and stderr have drained', async () => {
    const out = slowSink();
    const err = slowSink();
    // Help text is written in one go and is longer than the sink's buffer.
    const code = await run(['node', 'crossrole', 'request', '--help'], {
      stdout: out.stream, stderr: err.stream, stdinIsTTY: false, env: { cwd: '/', home: '/', noColor: true, forceColor: false },
    });
    expect(code).toBe(0);
    expect(out.received()).toBeGreaterThan(1024);
    expect(out.stream.writableLength).toBe(0);

    const usage = await run(['node', 'crossrole', 'no-such-command'], {
      stdout: out.stream, stderr: err.stream, stdinIsTTY: false, env: { cwd: '/', home: '/', noColor: true, forceColor: false },
    });
    expect(usage).toBe(2);
    expect(err.received()).toBeGreaterThan(0);
    expect(err.stream.writableLength).toBe(0);
  });
});

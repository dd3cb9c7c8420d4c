/**
 * Helpers for testing the `crossrole` CLI as users run it: the local stack as a child process
 * (`node dist/local/main.js`), the CLI as separate processes (`node bin/crossrole.js ...`), and
 * the interactive inbox through a pseudo-terminal (util-linux `script`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { LocalContract } from '../../local/stack';
import { ensureBuilt, freePort } from './build';

export const ROOT = resolve(__dirname, '..', '..');
const CLI = join(ROOT, 'bin', 'crossrole.js');

/** The CLI and local-stack bundles are part of the one build. */
export const ensureCliBuilt = ensureBuilt;

export { freePort };

export interface StackProcess {
  dataDir: string;
  contract: LocalContract;
  child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

/** `node dist/local/main.js` on a free port in a temporary data directory, timers off, fast retries. */
export async function startStackProcess(): Promise<StackProcess> {
  const dataDir = mkdtempSync(join(tmpdir(), 'crossrole-cli-'));
  const port = await freePort();
  const child = spawn(process.execPath, [join(ROOT, 'dist', 'local', 'main.js'), '--port', String(port), '--data-dir', dataDir, '--no-timers', '--fast-retries'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const deadline = Date.now() + 60_000;
  while (!out.includes('ready in') || !existsSync(join(dataDir, 'local.json'))) {
    if (child.exitCode !== null) throw new Error(`the local stack exited ${child.exitCode}:\n${out}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the local stack was not ready in time:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const contract = JSON.parse(readFileSync(join(dataDir, 'local.json'), 'utf8')) as LocalContract;
  return {
    dataDir,
    contract,
    child,
    output: () => out,
    stop: () => new Promise<void>((res) => {
      const done = (): void => {
        rmSync(dataDir, { recursive: true, force: true });
        res();
      };
      if (child.exitCode !== null) return done();
      const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
      child.once('exit', () => {
        clearTimeout(kill);
        done();
      });
      child.kill('SIGTERM');
    }),
  };
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliRunOptions {
  /** Replaces the inherited environment's CROSSROLE_* and ALIBABA_CLOUD_* variables (others pass through). */
  env?: Record<string, string | undefined>;
  cwd?: string;
  timeoutMs?: number;
}

/** A clean environment: nothing of the developer's Alibaba Cloud or Crossrole settings leaks in. */
export function baseEnv(extra: Record<string, string | undefined> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined || k.startsWith('ALIBABA_CLOUD_') || k.startsWith('CROSSROLE_') || k === 'NO_COLOR' || k === 'FORCE_COLOR') continue;
    env[k] = v;
  }
  // Never the developer's own client config (`crossrole configure`): it would outrank a local.json found in the working directory.
  env['CROSSROLE_CONFIG_DIR'] = join(tmpdir(), 'crossrole-tests-have-no-client-config');
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) env[k] = v;
  return env;
}

/** `node bin/crossrole.js <args>` as a separate process. */
export function runCli(args: readonly string[], options: CliRunOptions = {}): Promise<CliResult> {
  return new Promise((res, rej) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: options.cwd ?? ROOT, env: baseEnv(options.env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      rej(new Error(`crossrole ${args.join(' ')} timed out\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, options.timeoutMs ?? 30_000);
    child.on('error', rej);
    child.on('close', (code) => {
      clearTimeout(timer);
      res({ code, stdout, stderr });
    });
  });
}

/**
 * Many command lines through `main()` of the built CLI in one node process: one start-up instead
 * of one per command, for tests that need dozens of requests. Each result in order; stops at the
 * first command that exits non-zero.
 */
export function runCliSequence(commands: ReadonlyArray<readonly string[]>, options: { dataDir: string; timeoutMs?: number }): Promise<CliResult[]> {
  const script = `
    const { main } = require(${JSON.stringify(join(ROOT, 'dist', 'cli', 'index.js'))});
    (async () => {
      const results = [];
      for (const args of ${JSON.stringify(commands)}) {
        let stdout = '';
        let stderr = '';
        const env = { cwd: process.cwd(), home: process.cwd(), noColor: true, forceColor: false, dataDir: ${JSON.stringify(options.dataDir)} };
        const code = await main(['node', 'crossrole', ...args], { stdout: { write: (s) => { stdout += s; return true; } }, stderr: { write: (s) => { stderr += s; return true; } }, stdinIsTTY: false, env });
        results.push({ code, stdout, stderr });
        if (code !== 0) break;
      }
      process.stdout.write(JSON.stringify(results), () => process.exit(0));
    })();`;
  return new Promise((res, rej) => {
    const child = spawn(process.execPath, ['-e', script], { cwd: ROOT, env: baseEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      rej(new Error(`command sequence timed out\nstderr: ${stderr}`));
    }, options.timeoutMs ?? 60_000);
    child.on('error', rej);
    child.on('close', (code) => {
      clearTimeout(timer);
      try {
        res(JSON.parse(stdout) as CliResult[]);
      } catch {
        rej(new Error(`command sequence failed (exit ${code}):\nstdout: ${stdout.slice(0, 2000)}\nstderr: ${stderr}`));
      }
    });
  });
}

export interface PtyStep {
  /** Wait until the (escape-stripped) screen output contains this... */
  waitFor: string;
  /** ...then type this (`\r` = Enter). */
  send: string;
}

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;?]*[A-Za-z]/g;

/**
 * The CLI on a pseudo-terminal (`script -qfec`), answering prompts as a person would. Output is
 * returned with escape sequences stripped.
 */
export function runCliInPty(args: readonly string[], steps: readonly PtyStep[], options: CliRunOptions = {}): Promise<CliResult> {
  const quoted = [CLI, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  return new Promise((res, rej) => {
    const child = spawn('script', ['-qfec', `stty cols 140 rows 60; '${process.execPath}' ${quoted}`, '/dev/null'], {
      cwd: options.cwd ?? ROOT,
      env: baseEnv({ TERM: 'xterm', ...options.env }),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let raw = '';
    let next = 0;
    let searchFrom = 0;
    const screen = (): string => raw.replace(ANSI, '');
    const advance = (): void => {
      const step = steps[next];
      if (step === undefined) return;
      const text = screen();
      const at = text.indexOf(step.waitFor, searchFrom);
      if (at < 0) return;
      searchFrom = at + step.waitFor.length;
      next++;
      // Give the prompt a moment to switch the terminal to raw mode before typing.
      setTimeout(() => {
        child.stdin.write(step.send);
        advance();
      }, 150);
    };
    child.stdout.on('data', (d: Buffer) => {
      raw += d.toString();
      advance();
    });
    child.stderr.on('data', (d: Buffer) => (raw += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      rej(new Error(`crossrole ${args.join(' ')} (pty) timed out at step ${next}\n${screen()}`));
    }, options.timeoutMs ?? 30_000);
    child.on('error', rej);
    child.on('close', (code) => {
      clearTimeout(timer);
      res({ code, stdout: screen(), stderr: '' });
    });
  });
}

/** Parse the JSON a `--json` command printed. */
export function json<T = Record<string, unknown>>(r: CliResult): T {
  try {
    return JSON.parse(r.stdout) as T;
  } catch {
    throw new Error(`not JSON (exit ${r.code}):\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  }
}

export function tempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

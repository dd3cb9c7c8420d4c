/**
 * The CLI as partners install it: `npm run pack:cli` (scripts/pack-cli.js) makes the tarball,
 * `npm install -g <tarball> --prefix <tmp>` installs it offline into an empty prefix, and the
 * installed `crossrole` runs from a working directory outside the repository, with the clean
 * environment of test/helpers/cli.ts. One install per test file; extend the journey with `run`.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { baseEnv, ROOT, type CliResult } from './cli';

export interface PackedCli {
  tarball: string;
  prefix: string;
  /** The installed executable, `<prefix>/bin/crossrole`. */
  bin: string;
  /** The installed package's directory (bin/, lib/crossrole.js, the catalogs). */
  packageDir: string;
  /** An empty working directory outside the repository. */
  cwd: string;
  run(args: readonly string[], env?: Record<string, string | undefined>): Promise<CliResult>;
  cleanup(): void;
}

export function installPackedCli(): PackedCli {
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'pack-cli.js'), '--quiet'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  const tarball = join(ROOT, 'dist', `crossrole-cli-${version}.tgz`);
  const prefix = mkdtempSync(join(tmpdir(), 'crossrole-prefix-'));
  const cwd = mkdtempSync(join(tmpdir(), 'crossrole-partner-'));
  // --offline: the tarball has no dependencies to fetch, and the test must not need the registry.
  execFileSync('npm', ['install', '--global', tarball, '--prefix', prefix, '--offline', '--no-audit', '--no-fund', '--loglevel', 'error'], {
    cwd, env: baseEnv({ npm_config_update_notifier: 'false' }), stdio: ['ignore', 'ignore', 'pipe'],
  });
  const packageDir = join(prefix, 'lib', 'node_modules', 'crossrole-cli');
  const bin = join(prefix, 'bin', 'crossrole');
  return {
    tarball,
    prefix,
    bin,
    packageDir,
    cwd,
    run: (args, env = {}) => new Promise<CliResult>((res, rej) => {
      const child = spawn(bin, [...args], { cwd, env: baseEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        rej(new Error(`installed crossrole ${args.join(' ')} timed out\nstdout: ${stdout}\nstderr: ${stderr}`));
      }, 30_000);
      child.on('error', rej);
      child.on('close', (code) => {
        clearTimeout(timer);
        res({ code, stdout, stderr });
      });
    }),
    cleanup: () => {
      for (const d of [prefix, cwd]) rmSync(d, { recursive: true, force: true });
    },
  };
}

/** Every file of the installed package, relative to its directory. */
export function installedFiles(cli: PackedCli): string[] {
  return readdirSync(cli.packageDir, { recursive: true, encoding: 'utf8' }).sort();
}

/**
 * Configuration is read in one place (style.md convention 6): production code under functions/,
 * shared/ and cli/ reads the environment only in its config module.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..', '..');
const SCANNED = ['functions', 'shared', 'cli'];
/** shared/runtime/config.ts for the functions; the CLI has its own config module. */
const ALLOWED = (rel: string): boolean => rel === 'shared/runtime/config.ts' || /^cli\/(?:.*\/)?config\.ts$/.test(rel);
// `process.env`, `process['env']`, and destructuring `const { env } = process`.
const ENV_READ = /process\s*(?:\?\.|\.)\s*env\b|process\s*\[\s*['"`]env['"`]\s*\]|\{[^}]*\benv\b[^}]*\}\s*=\s*process\b/;

function tsFiles(dir: string): string[] {
  let out: string[] = [];
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of entries) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out = out.concat(tsFiles(p));
    else if (/\.(?:ts|mts|cts)$/.test(name)) out.push(p);
  }
  return out;
}

/** Lines that read the environment, skipping comment lines (docs may mention the rule). */
function envReads(text: string): string[] {
  return text
    .split('\n')
    .map((line, i) => ({ line, n: i + 1 }))
    .filter(({ line }) => !/^\s*(?:\/\/|\*|\/\*)/.test(line) && ENV_READ.test(line))
    .map(({ line, n }) => `${n}: ${line.trim()}`);
}

describe('environment access', () => {
  it('the detector finds the forms it must find', () => {
    expect(envReads('const a = process.env.X;')).toHaveLength(1);
    expect(envReads("const a = process['env'];")).toHaveLength(1);
    expect(envReads('const { env } = process;')).toHaveLength(1);
    expect(envReads('const a = process?.env;')).toHaveLength(1);
    expect(envReads('// process.env is read in config.ts only')).toHaveLength(0);
    expect(envReads('const environment = processEnvLike;')).toHaveLength(0);
  });

  it('shared/runtime/config.ts really is where the functions read it', () => {
    expect(envReads(readFileSync(join(ROOT, 'shared/runtime/config.ts'), 'utf8')).length).toBeGreaterThan(0);
  });

  it('no other file under functions/, shared/ or cli/ reads process.env', () => {
    const offenders: string[] = [];
    for (const top of SCANNED) {
      for (const file of tsFiles(join(ROOT, top))) {
        const rel = relative(ROOT, file).split('\\').join('/');
        if (ALLOWED(rel)) continue;
        for (const hit of envReads(readFileSync(file, 'utf8'))) offenders.push(`${rel}:${hit}`);
      }
    }
    expect(offenders).toEqual([]);
  });
});

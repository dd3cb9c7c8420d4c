/**
 * The local cloud is a witness: it must not share the product's understanding of the cloud.
 * Its services import nothing of the product's policy code, cloud adapters or workflow; only the
 * launcher of `npm start` (stack.ts, world.ts, main.ts) deploys product code into it, as
 * bootstrap would. The policy engine is the local cloud's own (local/access/policy).
 * (Whole-file scan of import specifiers, no network; ESLint enforces the same rule.)
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..', '..');
const LOCAL = join(ROOT, 'local');
const ENGINE = 'local/access/engine.ts';
const LAUNCHER = ['local/stack.ts', 'local/world.ts', 'local/main.ts'];
const FORBIDDEN = /from\s+'(?:\.\.\/)+shared\/(policy|cloud|workflow)(?:\/[^']*)?'|import\(\s*'(?:\.\.\/)+shared\/(policy|cloud|workflow)/;

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return tsFiles(p);
    return p.endsWith('.ts') ? [p] : [];
  });
}

const files = tsFiles(LOCAL).map((p) => ({ path: relative(ROOT, p), text: readFileSync(p, 'utf8') }));

describe('local/ layering', () => {
  it('finds the local cloud sources', () => {
    expect(files.map((f) => f.path)).toContain(ENGINE);
    expect(files.length).toBeGreaterThan(30);
  });

  it('no service of the local cloud imports shared/policy, shared/cloud or shared/workflow', () => {
    const offenders = files.filter((f) => !LAUNCHER.includes(f.path) && FORBIDDEN.test(f.text)).map((f) => f.path);
    expect(offenders).toEqual([]);
  });

  it('the engine door opens on the local cloud\'s own engine and nothing of the product', () => {
    const engine = files.find((f) => f.path === ENGINE)?.text ?? '';
    const imports = [...engine.matchAll(/from\s+'([^']+)'/g)].map((m) => m[1]);
    expect(imports).toEqual(['./policy']);
  });

  it('nothing in local/ imports the removed local/iam', () => {
    expect(files.filter((f) => /['/]iam\//.test(f.text.match(/from\s+'[^']+'/g)?.join('\n') ?? '')).map((f) => f.path)).toEqual([]);
  });
});

/**
 * The local cloud is a witness: it must not share the product's understanding of the cloud.
 * Only local/access/engine.ts may reach the product's policy code (until it is replaced by an
 * independent engine), and nothing in local/ may import the product's cloud adapters or
 * workflow. (Whole-file scan of import specifiers, no network.)
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..', '..');
const LOCAL = join(ROOT, 'local');
const ENGINE = 'local/access/engine.ts';
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

  it('only local/access/engine.ts imports shared/policy; nothing imports shared/cloud or shared/workflow', () => {
    const offenders = files.filter((f) => f.path !== ENGINE && FORBIDDEN.test(f.text)).map((f) => f.path);
    expect(offenders).toEqual([]);
  });

  it('the engine imports the policy code and nothing else of the product', () => {
    const engine = files.find((f) => f.path === ENGINE)?.text ?? '';
    const imports = [...engine.matchAll(/from\s+'([^']+)'/g)].map((m) => m[1]);
    expect(imports).toEqual(['../../shared/policy']);
  });

  it('nothing in local/ imports the removed local/iam', () => {
    expect(files.filter((f) => /['/]iam\//.test(f.text.match(/from\s+'[^']+'/g)?.join('\n') ?? '')).map((f) => f.path)).toEqual([]);
  });
});

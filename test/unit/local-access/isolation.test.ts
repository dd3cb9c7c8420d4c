/**
 * The local policy engine is a witness: if it shared the product's understanding of RAM it could not
 * catch the product's mistakes. So it may import nothing outside its own folder: not shared/, not
 * other local/ services, not even a package.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../../..');
const ENGINE = join(ROOT, 'local/access/policy');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []);
}

/** Every module specifier: static imports/exports, `import type`, dynamic import() and require(). */
function specifiers(source: string): string[] {
  const found: string[] = [];
  for (const re of [/\bfrom\s*['"]([^'"]+)['"]/g, /\bimport\s*['"]([^'"]+)['"]/g, /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g, /\brequire\s*\(\s*['"]([^'"]+)['"]\s*\)/g]) {
    for (const m of source.matchAll(re)) if (m[1] !== undefined) found.push(m[1]);
  }
  return found;
}

describe('local/access/policy imports nothing outside itself', () => {
  const files = sourceFiles(ENGINE);

  it('finds the engine sources (the check below is not vacuous)', () => {
    expect(files.map((f) => f.slice(ENGINE.length + 1)).sort()).toEqual(expect.arrayContaining(['index.ts', 'document.ts', 'evaluate.ts', 'conditions.ts', 'wildcard.ts']));
  });

  it('the specifier scanner sees every import form', () => {
    const sample = "import { a } from './a';\nimport type { B } from \"../../shared/policy\";\nexport * from './c';\nimport './d';\nconst e = require('e');\nvoid import('./f');";
    expect(specifiers(sample)).toEqual(expect.arrayContaining(['./a', '../../shared/policy', './c', './d', 'e', './f']));
  });

  it.each(files.map((f) => [f.slice(ROOT.length + 1), f] as const))('%s imports only siblings in local/access/policy', (_name, file) => {
    for (const spec of specifiers(readFileSync(file, 'utf8'))) {
      expect(spec).toMatch(/^\.\/[a-z-]+$/);
      expect(resolve(file, '..', spec).startsWith(ENGINE)).toBe(true);
    }
  });

  it('no file names shared/ at all, not even in a comment-free string', () => {
    for (const file of files) {
      const code = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
      expect(code).not.toMatch(/shared\//);
    }
  });
});

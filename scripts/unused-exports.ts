// `npm run unused-exports [-- --barrels|--all|--check]`: every export of shared/, cli/, local/ and
// functions/ that no other source file uses, and every export used only by tests, via TypeScript's checker (so barrels,
// `export *`, namespace imports, `import()` and type-only uses all resolve to the declaration).
// Entry points that are loaded by name rather than imported (FC handlers, the CLI's run/main) count
// as used. `--barrels` lists what each barrel's importers take through it; `--all` lists every export
// with the files that use it; `--check` exits 1 when an export is unused.
import ts from 'typescript';
import { dirname, join, relative } from 'node:path';

const ROOT = join(__dirname, '..');
const SCOPE = ['shared/', 'cli/', 'local/', 'functions/'];
/** Loaded by name: s.yaml's `index.handler`, bin/crossrole.js and test/helpers/cli.ts on dist/cli. */
const ENTRY = (file: string, name: string): boolean =>
  (/^functions\/[^/]+\/index\.ts$/.test(file) && name === 'handler') || (file === 'cli/index.ts' && (name === 'run' || name === 'main'));

const rel = (f: string): string => relative(ROOT, f).split('\\').join('/');
const inScope = (f: string): boolean => SCOPE.some((s) => f.startsWith(s));

const configFile = ts.readConfigFile(join(ROOT, 'tsconfig.json'), ts.sys.readFile);
const parsed = ts.parseJsonConfigFileContent(configFile.config, ts.sys, ROOT);
const program = ts.createProgram(parsed.fileNames, parsed.options);
const checker = program.getTypeChecker();
const sources = program.getSourceFiles().filter((s) => !s.isDeclarationFile && !s.fileName.includes('node_modules'));

/** Own exports: declared in the file itself (re-exports of a barrel are listed apart). */
interface Export { file: string; name: string; users: Set<string>; internal: boolean }
const bySymbol = new Map<ts.Symbol, Export>();
const exportsList: Export[] = [];
/** Barrel re-exports: barrel file -> name -> files importing that name through the barrel. */
const barrels = new Map<string, Map<string, Set<string>>>();

const resolve = (s: ts.Symbol): ts.Symbol => (s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s);

for (const sf of sources) {
  const file = rel(sf.fileName);
  if (!inScope(file)) continue;
  const mod = checker.getSymbolAtLocation(sf);
  if (!mod) continue;
  for (const e of checker.getExportsOfModule(mod)) {
    const target = resolve(e);
    const declaredHere = target.declarations?.some((d) => d.getSourceFile() === sf) ?? false;
    if (declaredHere) {
      const x: Export = { file, name: e.name, users: new Set(), internal: false };
      if (ENTRY(file, e.name)) x.users.add('(entry point)');
      bySymbol.set(target, x);
      exportsList.push(x);
    } else {
      if (!barrels.has(file)) barrels.set(file, new Map());
      barrels.get(file)?.set(e.name, new Set());
    }
  }
}

function moduleFile(spec: ts.Expression | undefined, from: ts.SourceFile): string | undefined {
  if (!spec || !ts.isStringLiteral(spec)) return undefined;
  const r = ts.resolveModuleName(spec.text, from.fileName, parsed.options, ts.sys).resolvedModule;
  return r && !r.isExternalLibraryImport ? rel(r.resolvedFileName) : undefined;
}

function useBarrel(barrel: string | undefined, name: string, user: string): void {
  if (barrel && barrel !== user) barrels.get(barrel)?.get(name)?.add(user);
}

for (const sf of sources) {
  const file = rel(sf.fileName);
  if (file.startsWith('test/lint-fixtures/')) continue;
  const namespaces = new Map<ts.Symbol, string>();
  const visit = (node: ts.Node): void => {
    // Through which barrel a name is imported (for trimming barrels to what others use).
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) {
      const via = moduleFile(node.moduleSpecifier, sf);
      const clause = ts.isImportDeclaration(node) ? node.importClause?.namedBindings : node.exportClause;
      if (clause && (ts.isNamedImports(clause) || ts.isNamedExports(clause))) {
        for (const el of clause.elements) useBarrel(via, (el.propertyName ?? el.name).text, file);
      } else if (clause && ts.isNamespaceImport(clause) && via) {
        const s = checker.getSymbolAtLocation(clause.name);
        if (s) namespaces.set(s, via);
      }
    }
    if (ts.isPropertyAccessExpression(node) && ts.isIdentifier(node.expression)) {
      const ns = checker.getSymbolAtLocation(node.expression);
      const via = ns && namespaces.get(ns);
      if (via) useBarrel(via, node.name.text, file);
    }
    // `const { x } = await import('./m.js')`: the binding names a property of the module's type.
    if (ts.isBindingElement(node) && ts.isObjectBindingPattern(node.parent)) {
      const key = node.propertyName ?? node.name;
      if (ts.isIdentifier(key)) {
        const prop = checker.getTypeAtLocation(node.parent).getProperty(key.text);
        if (prop) record(prop, node, file, sf);
      }
    }
    if (ts.isIdentifier(node)) {
      // `{ x }` in an object literal names the property; the value it reads is the variable x.
      const s = ts.isShorthandPropertyAssignment(node.parent) && node.parent.name === node
        ? checker.getShorthandAssignmentValueSymbol(node.parent)
        : checker.getSymbolAtLocation(node);
      if (s) record(s, node, file, sf);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
}

function record(s: ts.Symbol, node: ts.Node, file: string, sf: ts.SourceFile): void {
  const x = bySymbol.get(resolve(s));
  if (!x) return;
  // A barrel's `export { x } from './m'` is not a use: only what imports x through the barrel is.
  if (ts.isExportSpecifier(node.parent) && node.parent.parent.parent.moduleSpecifier) return;
  if (x.file !== file) {
    x.users.add(file);
    return;
  }
  // A use inside the declaring module, other than the declaration's own name or its `export` list.
  const isDeclName = resolve(s).declarations?.some((d) => (d as ts.NamedDeclaration).name === node) ?? false;
  if (!isDeclName && !ts.isExportSpecifier(node.parent) && node.getSourceFile() === sf) x.internal = true;
}

const isTest = (f: string): boolean => f.startsWith('test/');
const all = process.argv.includes('--all');
const unused = exportsList.filter((x) => x.users.size === 0);
const testOnly = exportsList.filter((x) => x.users.size > 0 && [...x.users].every(isTest));
const out = (s: string): boolean => process.stdout.write(`${s}\n`);

out(`exports: ${exportsList.length} own exports in ${SCOPE.join(', ')}`);
for (const dir of SCOPE) {
  const mine = exportsList.filter((x) => x.file.startsWith(dir));
  const none = mine.filter((x) => x.users.size === 0).length;
  const tests = mine.filter((x) => x.users.size > 0 && [...x.users].every(isTest)).length;
  out(`  ${dir.padEnd(11)} ${String(mine.length).padStart(4)} exports, ${String(none).padStart(3)} used by no other file, ${String(tests).padStart(3)} only by tests`);
}
out(`unused by any other file: ${unused.length} (internal use: drop the export keyword; none: dead code)`);
for (const x of unused) out(`  ${x.file}: ${x.name}${x.internal ? '  (used inside its module)' : ''}`);
out(`used only by tests: ${testOnly.length}`);
for (const x of testOnly) out(`  ${x.file}: ${x.name}  <- ${[...x.users].join(', ')}`);
const barrelLines: string[] = [];
for (const [barrel, names] of barrels) {
  const dir = dirname(barrel);
  for (const [name, users] of names) {
    const outside = [...users].filter((u) => !u.startsWith(`${dir}/`));
    if (outside.length === 0) barrelLines.push(`  ${barrel}: ${name}${users.size > 0 ? `  (only from inside ${dir}/)` : ''}`);
  }
}
const reexports = [...barrels.values()].reduce((n, names) => n + names.size, 0);
out(`barrel re-exports nothing outside the folder imports through the barrel: ${barrelLines.length} of ${reexports}`);
for (const l of barrelLines) out(l);
if (process.argv.includes('--barrels')) {
  out('names each barrel re-exports, with the files outside its folder that import them through it:');
  for (const [barrel, names] of barrels) {
    const dir = dirname(barrel);
    for (const [name, users] of names) {
      const outside = [...users].filter((u) => !u.startsWith(`${dir}/`));
      if (outside.length > 0) out(`  ${barrel}: ${name}  <- ${outside.join(', ')}`);
    }
  }
}
if (all) {
  out('every export:');
  for (const x of exportsList) out(`  ${x.file}: ${x.name}  <- ${[...x.users].join(', ') || '(none)'}`);
}
if (process.argv.includes('--check') && unused.length > 0) process.exitCode = 1;

/**
 * `npm run build` and the catalog (scripts/build.js): a catalog with problems fails the build
 * before anything is bundled, every problem listed, and the previous build is left as it was; a
 * build records which catalog its code packages carry, so the local stack's builds notice another.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CATALOG_STAMP, DEFAULT_CATALOG, isBuildStale } from '../../scripts/build-state';
import { ensureBuilt, PROJECT_ROOT } from '../helpers/build';

jest.setTimeout(60_000);

let dir: string;
beforeAll(async () => {
  await ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'crossrole-build-'));
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function build(args: string[], env: NodeJS.ProcessEnv = {}): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, [join(PROJECT_ROOT, 'scripts', 'build.js'), ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, CROSSROLE_CATALOG_FILE: '', ...env }, timeout: 50_000 });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

const BAD = {
  ownerAccountId: '42',
  approvers: ['acs:ram::1111111111111111:user/alice'],
  partners: 'open',
  profiles: [
    { name: 'admin', policies: [{ type: 'System', name: 'AdministratorAccess' }], maxDuration: '8h', autoApprove: true },
    { name: 'ok', policies: [{ type: 'System', name: 'AliyunECSReadOnlyAccess' }], maxDuration: '1 h' },
  ],
};

describe('npm run build --catalog', () => {
  it('fails on a bad catalog, listing every problem, and leaves the previous build untouched', () => {
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify(BAD));
    const stamp = statSync(join(PROJECT_ROOT, 'dist', '.build-stamp')).mtimeMs;
    const bundle = statSync(join(PROJECT_ROOT, 'dist', 'functions', 'intake', 'index.js')).mtimeMs;
    const shipped = readFileSync(join(PROJECT_ROOT, 'dist', 'functions', 'intake', 'catalog.json'), 'utf8');
    for (const r of [build(['--quiet', '--catalog', 'bad.json']), build(['--quiet'], { CROSSROLE_CATALOG_FILE: file })]) {
      expect(r.status).toBe(1);
      expect(r.out).toMatch(/the catalog bad\.json is invalid \(\d+ errors\); nothing was built/);
      for (const field of ['ownerAccountId', 'profiles[0].autoApprove', 'profiles[0].maxDuration', 'profiles[1].maxDuration']) expect(r.out).toContain(field);
    }
    expect(statSync(join(PROJECT_ROOT, 'dist', '.build-stamp')).mtimeMs).toBe(stamp);
    expect(statSync(join(PROJECT_ROOT, 'dist', 'functions', 'intake', 'index.js')).mtimeMs).toBe(bundle);
    expect(readFileSync(join(PROJECT_ROOT, 'dist', 'functions', 'intake', 'catalog.json'), 'utf8')).toBe(shipped);
  });

  it('fails on a missing catalog file, saying how to name one', () => {
    const r = build(['--quiet', '--catalog', 'nope.json']);
    expect(r.status).toBe(1);
    expect(r.out).toMatch(/cannot read the catalog nope\.json: .*pass --catalog <file> or set CROSSROLE_CATALOG_FILE/);
  });

  it('records the catalog it shipped: a build for another catalog is stale for the local stack', () => {
    expect(JSON.parse(readFileSync(CATALOG_STAMP, 'utf8'))).toMatchObject({ file: DEFAULT_CATALOG });
    expect(isBuildStale()).toBe(false);
    const other = join(dir, 'other.json');
    writeFileSync(other, readFileSync(join(PROJECT_ROOT, 'examples', 'catalog.json')));
    expect(isBuildStale(other)).toBe(true);
  });
});

/**
 * The build's catalog gate (scripts/catalog-check.ts, bundled and run by scripts/build.js) and how
 * the build picks its catalog (scripts/build-state.js).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkCatalogText } from '../../../scripts/catalog-check';
import { DEFAULT_CATALOG, resolveCatalogFile } from '../../../scripts/build-state';

const ROOT = join(__dirname, '..', '..', '..');
const OWNER = '1111111111111111';

describe('checkCatalogText', () => {
  it('passes the example and the local catalogs, shipping the document as written', () => {
    for (const file of ['examples/catalog.json', 'deploy/local-catalog.json']) {
      const text = readFileSync(join(ROOT, file), 'utf8');
      const r = checkCatalogText(text, file);
      if (!r.ok) throw new Error(`${file}: ${r.errors.join('; ')}`);
      expect(JSON.parse(r.json)).toEqual(JSON.parse(text));
    }
  });

  it('lists every problem at once, each at its field, and ships nothing', () => {
    const r = checkCatalogText(JSON.stringify({
      ownerAccountId: '123',
      approvers: [`acs:ram::${OWNER}:user/alice`],
      partners: 'open',
      profiles: [
        { name: 'admin', policies: [{ type: 'System', name: 'AdministratorAccess' }], maxDuration: '8h', autoApprove: true },
        { name: 'ok', policies: [{ type: 'System', name: 'AliyunECSReadOnlyAccess' }], maxDuration: '1 h' },
      ],
    }), 'prod.json');
    if (r.ok) throw new Error('a broken catalog passed the build');
    expect(r.errors.length).toBeGreaterThanOrEqual(4);
    expect(r.errors.join('\n')).toMatch(/ownerAccountId/);
    expect(r.errors.join('\n')).toMatch(/profiles\[1\]\.maxDuration/);
    expect(r.errors.join('\n')).toMatch(/POLICY_GUARDRAIL profiles\[0\]\.autoApprove/);
    expect(r).not.toHaveProperty('json');
  });

  it('refuses text that is not JSON, naming the file', () => {
    const r = checkCatalogText('{"ownerAccountId":', 'prod.json');
    expect(r.ok).toBe(false);
    expect(r.ok ? [] : r.errors).toEqual([expect.stringMatching(/^error +INVALID_CONFIG prod\.json: is not valid JSON/)]);
  });

  it('keeps warnings (unknown System policies) without failing', () => {
    const r = checkCatalogText(JSON.stringify({
      ownerAccountId: OWNER, approvers: [`acs:ram::${OWNER}:user/alice`], partners: 'open',
      profiles: [{ name: 'mystery', policies: [{ type: 'System', name: 'AliyunSomethingReadOnlyAccess' }], maxDuration: '1h' }],
    }), 'c.json');
    expect(r.ok).toBe(true);
    expect(r.warnings).toEqual([expect.stringMatching(/^warning UNKNOWN_POLICY profiles\[0\]\.policies\[0\]\.name/)]);
  });
});

describe('resolveCatalogFile', () => {
  it('takes --catalog, then CROSSROLE_CATALOG_FILE, then the local stack\'s catalog', () => {
    expect(resolveCatalogFile(['--quiet', '--catalog', 'prod.json'], { CROSSROLE_CATALOG_FILE: 'env.json' }, '/work')).toBe('/work/prod.json');
    expect(resolveCatalogFile(['--catalog=/etc/c.json'], {}, '/work')).toBe('/etc/c.json');
    expect(resolveCatalogFile([], { CROSSROLE_CATALOG_FILE: 'env.json' }, '/work')).toBe('/work/env.json');
    expect(resolveCatalogFile([], { CROSSROLE_CATALOG_FILE: ' ' }, '/work')).toBe(DEFAULT_CATALOG);
    expect(DEFAULT_CATALOG).toBe(join(ROOT, 'deploy', 'local-catalog.json'));
  });

  it('refuses --catalog without a file', () => {
    expect(() => resolveCatalogFile(['--catalog'], {})).toThrow(/--catalog needs a file/);
    expect(() => resolveCatalogFile(['--catalog', '--quiet'], {})).toThrow(/--catalog needs a file/);
  });
});

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import { CATALOG_SCHEMA_FILE, catalogJsonSchema, renderCatalogJsonSchema } from '../../../shared/domain/catalog-json-schema';

const ROOT = join(__dirname, '..', '..', '..');
const example = (): Record<string, unknown> => JSON.parse(readFileSync(join(ROOT, 'examples', 'catalog.json'), 'utf8')) as Record<string, unknown>;

describe('catalog.schema.json', () => {
  it('is what `npm run schema` generates from the zod schema (run it after changing catalog.ts)', () => {
    expect(readFileSync(join(ROOT, CATALOG_SCHEMA_FILE), 'utf8')).toBe(renderCatalogJsonSchema());
  });

  const validate = new Ajv2020({ allErrors: true, strict: false }).compile(catalogJsonSchema());

  it('accepts examples/catalog.json, which points at it', () => {
    const doc = example();
    expect(doc['$schema']).toBe('../catalog.schema.json');
    expect(validate(doc)).toBe(true);
  });

  it.each<[string, (d: Record<string, unknown>) => void]>([
    ['an unknown key', (d) => (d['owner'] = 'x')],
    ['a bad account id', (d) => (d['ownerAccountId'] = '123')],
    ['a profile without policies', (d) => ((d['profiles'] as Array<Record<string, unknown>>)[0]!['policies'] = [])],
    ['a policy of no known type', (d) => ((d['profiles'] as Array<Record<string, unknown>>)[0]!['policies'] = [{ type: 'Managed', name: 'x' }])],
    ['a duration in words', (d) => ((d['profiles'] as Array<Record<string, unknown>>)[0]!['maxDuration'] = 'two hours')],
  ])('refuses %s, like the zod schema', (_name, mutate) => {
    const doc = example();
    mutate(doc);
    expect(validate(doc)).toBe(false);
  });

  it('describes the input: defaulted fields are optional and show their default', () => {
    const s = catalogJsonSchema() as { required: string[]; properties: Record<string, { default?: unknown }> };
    expect(s.required).toEqual(expect.arrayContaining(['ownerAccountId', 'approvers', 'partners', 'profiles']));
    expect(s.required).not.toContain('pendingTtl');
    expect(s.properties['pendingTtl']?.default).toBe('72h');
  });
});

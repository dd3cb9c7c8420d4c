// `npm run schema`: write catalog.schema.json from the zod catalog schema; `--check` only compares
// (exit 1 when the file is stale), for CI.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CATALOG_SCHEMA_FILE, renderCatalogJsonSchema } from '../shared/domain/catalog-json-schema';

const file = join(__dirname, '..', CATALOG_SCHEMA_FILE);
const wanted = renderCatalogJsonSchema();
const current = ((): string | undefined => {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
})();

if (process.argv.includes('--check')) {
  if (current !== wanted) {
    process.stderr.write(`${CATALOG_SCHEMA_FILE} is out of date: run \`npm run schema\`\n`);
    process.exit(1);
  }
  process.stdout.write(`${CATALOG_SCHEMA_FILE} is up to date\n`);
} else if (current === wanted) {
  process.stdout.write(`${CATALOG_SCHEMA_FILE} unchanged\n`);
} else {
  writeFileSync(file, wanted);
  process.stdout.write(`wrote ${CATALOG_SCHEMA_FILE}\n`);
}

/**
 * The catalog the local stack's functions run with, kept as data in deploy/local-catalog.json:
 * `npm run build` ships it in each function's code package by default (catalog.json), the stack
 * checks the build carries it and derives the execution-role policy from it, and the CLI shows its
 * profiles when it talks to the local stack. One file, every reader.
 * The bundlers inline it (esbuild, jest), so no path has to be found at run time.
 */
import document from '../../deploy/local-catalog.json';
import { catalogSchema, parseCatalog, type Catalog, type CatalogInput } from '../domain/catalog';

/** The document as written (no defaults filled in), after checking it against the catalog schema. */
export function localCatalogInput(): CatalogInput {
  const r = catalogSchema.safeParse(document);
  if (!r.success) throw new Error(`deploy/local-catalog.json is not a valid catalog: ${r.error.issues[0]?.message ?? 'invalid'}`);
  // Validated just above; the JSON import's inferred type is only wider (`string` for literals).
  return structuredClone(document) as CatalogInput;
}

export function localCatalog(): Catalog {
  return parseCatalog(document);
}

/**
 * The catalog as the CLI can know it: a file given with --catalog, or, against the local stack,
 * the catalog the local functions run with. The APIs do not serve the catalog, so without either
 * the CLI shows profile names only.
 */
import { readFileSync } from 'node:fs';
import { findProfile, parseCatalog, type Catalog, type Profile } from '../shared/domain/catalog';
import { checkCatalogGuardrails } from '../shared/policy';
import { LOCAL_CATALOG } from '../local/world';
import type { Session } from './context';
import { CliError, toCliError } from './errors';

/** The catalog file as JSON, not yet validated. Unreadable or not JSON: INVALID_CONFIG. */
export function readCatalogJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new CliError('INVALID_CONFIG', `cannot read the catalog ${path}: ${e instanceof Error ? e.message : String(e)}`, { hint: 'pass a JSON file (the same document as CROSSROLE_CONFIG).' });
  }
}

/** A catalog file, validated and through the guardrails (first error only: `config check` lists them all). */
export function loadCatalogFile(path: string): Catalog {
  const raw = readCatalogJson(path);
  try {
    const catalog = parseCatalog(raw);
    checkCatalogGuardrails(catalog);
    return catalog;
  } catch (e) {
    const err = toCliError(e);
    throw new CliError(err.code, `${path}: ${err.field !== undefined && !err.message.startsWith(err.field) ? `${err.field}: ` : ''}${err.message}`, { hint: 'fix the catalog and run `crossrole config check` again.' });
  }
}

export function knownCatalog(session: Session, catalogPath?: string): Catalog | undefined {
  if (catalogPath !== undefined) return loadCatalogFile(catalogPath);
  return session.local() ? parseCatalog(LOCAL_CATALOG) : undefined;
}

export function knownProfile(catalog: Catalog | undefined, name: string): Profile | undefined {
  return catalog === undefined ? undefined : findProfile(catalog, name);
}

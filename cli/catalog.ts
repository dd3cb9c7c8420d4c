/**
 * The catalog as the CLI can know it: a file given with --catalog, or, against the local stack,
 * the catalog the local functions run with; for the profiles' policies, else the intake API
 * (`GET /profiles`), so a partner needs no copy of the owner's catalog.
 */
import { readFileSync } from 'node:fs';
import { findProfile, parseCatalog, type Catalog, type Profile } from '../shared/domain/catalog';
import { localCatalog } from '../shared/contract/local-catalog';
import { checkCatalogGuardrails } from '../shared/policy';
import type { Session } from './context';
import { CliError, toCliError } from './errors';
import type { ProfilePolicies } from './format';
import { errorMessage } from '../shared/domain/errors';

/** JSON text (a file's content, or CROSSROLE_CONFIG), not yet validated. Not JSON: INVALID_CONFIG. */
function parseJsonText(text: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new CliError('INVALID_CONFIG', `cannot read the catalog ${source}: ${errorMessage(e)}`, { hint: 'pass the catalog JSON file (the one npm run build -- --catalog ships to the functions).' });
  }
}

/** The catalog file as JSON, not yet validated. Unreadable or not JSON: INVALID_CONFIG. */
export function readCatalogJson(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new CliError('INVALID_CONFIG', `cannot read the catalog ${path}: ${errorMessage(e)}`, { hint: 'pass the catalog JSON file (the one npm run build -- --catalog ships to the functions).' });
  }
  return parseJsonText(text, path);
}

/** A catalog file, validated and through the guardrails (first error only: `config check` lists them all). */
export function loadCatalogFile(path: string): Catalog {
  return validated(readCatalogJson(path), path);
}

/** A catalog given as JSON text (a file's content, or CROSSROLE_CONFIG), validated as the functions validate it. */
export function parseCatalogText(text: string, source: string): Catalog {
  return validated(parseJsonText(text, source), source);
}

function validated(raw: unknown, source: string): Catalog {
  try {
    const catalog = parseCatalog(raw);
    checkCatalogGuardrails(catalog);
    return catalog;
  } catch (e) {
    const err = toCliError(e);
    throw new CliError(err.code, `${source}: ${err.field !== undefined && !err.message.startsWith(err.field) ? `${err.field}: ` : ''}${err.message}`, { hint: 'fix the catalog and run `crossrole config check` again.' });
  }
}

export function knownCatalog(session: Session, catalogPath?: string): Catalog | undefined {
  if (catalogPath !== undefined) return loadCatalogFile(catalogPath);
  return session.local() ? localCatalog() : undefined;
}

export function knownProfile(catalog: Catalog | undefined, name: string): Profile | undefined {
  return catalog === undefined ? undefined : findProfile(catalog, name);
}

/**
 * A profile's policies, for showing a request: the catalog file or the local stack's catalog when
 * there is one, else the API's GET /profiles. Best effort: a caller the API does not answer (an
 * older deployment, a refusal) sees the profile's name only.
 */
export async function profilePoliciesOf(session: Session, name: string, catalogPath?: string): Promise<ProfilePolicies | undefined> {
  const catalog = knownCatalog(session, catalogPath);
  if (catalog !== undefined) return findProfile(catalog, name);
  try {
    return (await session.api().profiles()).profiles.find((p) => p.name === name);
  } catch {
    return undefined;
  }
}

/**
 * The build's catalog gate (scripts/build.js bundles this file and calls it before bundling the
 * functions): the catalog a deployment ships in each code package must pass the product's own
 * checks, every problem listed at once (`crossrole config check`'s report), and then load exactly
 * as a function loads it at cold start (parseCatalog + guardrails), so a catalog the functions
 * would refuse can never be deployed.
 */
import { parseCatalog } from '../shared/domain/catalog';
import { CATALOG_FILE_NAME } from '../shared/domain/deployment';
import { errorMessage } from '../shared/domain/errors';
import { checkCatalogDocument, checkCatalogGuardrails, type CatalogProblem } from '../shared/policy';

export { CATALOG_FILE_NAME };

export type CatalogBuildCheck =
  | { ok: true; /** The document as written, re-serialised: what goes into each code package. */ json: string; warnings: string[]; owner: string; profiles: string[] }
  | { ok: false; errors: string[]; warnings: string[] };

function line(p: CatalogProblem): string {
  return `${p.severity === 'error' ? 'error  ' : 'warning'} ${p.code} ${p.field}: ${p.message}`;
}

/** Check a catalog file's text; `source` names it in the messages. */
export function checkCatalogText(text: string, source: string): CatalogBuildCheck {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return { ok: false, errors: [`error   INVALID_CONFIG ${source}: is not valid JSON: ${errorMessage(e)}`], warnings: [] };
  }
  const report = checkCatalogDocument(raw);
  const warnings = report.warnings.map(line);
  if (!report.valid) return { ok: false, errors: report.errors.map(line), warnings };
  // The runtime's own path (shared/runtime/config.ts): the report above should imply it; if the two
  // ever disagree, the build must follow what the functions will do.
  try {
    const catalog = parseCatalog(raw);
    checkCatalogGuardrails(catalog);
    return { ok: true, json: `${JSON.stringify(raw, null, 2)}\n`, warnings, owner: catalog.ownerAccountId, profiles: catalog.profiles.map((p) => p.name) };
  } catch (e) {
    return { ok: false, errors: [`error   INVALID_CONFIG ${source}: the functions would refuse it: ${errorMessage(e)}`], warnings };
  }
}

/**
 * The catalog's JSON Schema, generated from the zod schema (catalog.ts) so the two cannot drift:
 * `npm run schema` writes it to catalog.schema.json at the repository root, and a unit test fails
 * when that file is not what this produces. The schema describes the input (defaults are optional);
 * what JSON Schema cannot say (durations within limits, approver ARNs, the guardrails) is left to
 * `crossrole config check`.
 */
import { z } from 'zod';
import { catalogSchema } from './catalog';

export const CATALOG_SCHEMA_FILE = 'catalog.schema.json';

export function catalogJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(catalogSchema, { io: 'input', target: 'draft-2020-12' }),
    description: 'A Crossrole catalog: who owns, who approves, who may ask, and what can be granted. Check one with `crossrole config check <file>`.',
  };
}

/** The file's exact content: two-space indentation, one trailing newline. */
export function renderCatalogJsonSchema(): string {
  return `${JSON.stringify(catalogJsonSchema(), null, 2)}\n`;
}

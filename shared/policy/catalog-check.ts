/**
 * `crossrole config check` as data: every problem of a catalog document at once (schema issues,
 * malformed Custom documents, guardrail violations, unknown System policies), and what each profile
 * grants. Loaders stop at the first error instead (parseCatalog, checkCatalogGuardrails).
 */
import { profileSchema, validateCatalog, withDurationSeconds, type Catalog, type CatalogProfile } from '../domain/catalog';
import { assessProfile, type CatalogProblem, type ProfileAssessment } from './privilege';

/** A profile's assessment (its problems go to the report's errors and warnings), and what it asks of requesters. */
export interface ProfileReport extends Omit<ProfileAssessment, 'problems'> {
  /** Position in the catalog's `profiles`. */
  index: number;
  /** Who must say yes: nobody (auto-approved), nobody before but an approver after (break-glass), or one approver other than the requester. */
  approval: 'none' | 'review-after' | 'one-approver';
  /** Distinct approvers needed (the profile's `approvals`; 1 when auto-approved or not set). */
  approvals: number;
  /** The requester must send `acknowledgePrivileged: true`. */
  acknowledgementRequired: boolean;
}

export interface CatalogReport {
  /** No errors (warnings allowed). */
  valid: boolean;
  errors: CatalogProblem[];
  warnings: CatalogProblem[];
  /** The parsed catalog, when the schema and cross-field rules pass. */
  catalog?: Catalog;
  /** Every profile that parsed on its own, even when the catalog as a whole did not. */
  profiles: ProfileReport[];
}

function schemaProblem(issue: { field: string; message: string }): CatalogProblem {
  return { severity: 'error', code: 'INVALID_CONFIG', rule: 'schema', field: issue.field, message: issue.message };
}

/** The profiles worth judging: all of them when the catalog parsed, else each one that parses alone. */
function parsedProfiles(input: unknown, catalog: Catalog | undefined): Array<{ profile: CatalogProfile; index: number }> {
  if (catalog !== undefined) return catalog.profiles.map((profile, index) => ({ profile, index }));
  const raw = typeof input === 'object' && input !== null && !Array.isArray(input) ? (input as Record<string, unknown>)['profiles'] : undefined;
  if (!Array.isArray(raw)) return [];
  return raw.flatMap((p: unknown, index) => {
    const r = profileSchema.safeParse(p);
    return r.success ? [{ profile: withDurationSeconds(r.data), index }] : [];
  });
}

/**
 * A webhook secret written into the catalog works, but the catalog ships in every function's code
 * package: `{"env": NAME}` keeps it in crossrole-notifier's environment alone. Localhost URLs are
 * the local stack's, where it does not matter.
 */
function notificationWarnings(catalog: Catalog): CatalogProblem[] {
  return catalog.notifications.webhooks.flatMap((w, i) => {
    const local = typeof w.url === 'string' && /^http:\/\//.test(w.url);
    const secretInFile = typeof w.secret === 'string' || (w.type === 'slack' && typeof w.url === 'string');
    if (local || !secretInFile) return [];
    const field = typeof w.secret === 'string' ? `notifications.webhooks[${i}].secret` : `notifications.webhooks[${i}].url`;
    return [{ severity: 'warning', code: 'INVALID_CONFIG', rule: 'webhook-secret-in-catalog', field, message: `webhook ${w.name}: its secret is written in the catalog, which ships in every function's code package; use {"env": "NAME"} and set NAME in crossrole-notifier's environment (s.yaml notifierEnv)` }];
  });
}

export function checkCatalogDocument(input: unknown): CatalogReport {
  const v = validateCatalog(input);
  const catalog = v.ok ? v.catalog : undefined;
  const problems: CatalogProblem[] = v.ok ? [] : v.issues.map(schemaProblem);
  const profiles = parsedProfiles(input, catalog).map(({ profile, index }): ProfileReport => {
    const { problems: found, policies, ...summary } = assessProfile(profile, `profiles[${index}]`);
    problems.push(...found);
    return { index, ...summary, approval: summary.breakGlass ? 'review-after' : summary.autoApprove ? 'none' : 'one-approver', approvals: profile.approvals, acknowledgementRequired: summary.declaredPrivileged, policies };
  });
  if (catalog !== undefined) problems.push(...notificationWarnings(catalog));
  const errors = problems.filter((p) => p.severity === 'error');
  return { valid: errors.length === 0, errors, warnings: problems.filter((p) => p.severity === 'warning'), ...(catalog === undefined ? {} : { catalog }), profiles };
}

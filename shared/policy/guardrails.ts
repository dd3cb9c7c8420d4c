/**
 * Guardrails on what a catalog may grant to a partner. Unless a profile is `privileged`, no Allow
 * statement of its policies (Custom documents, and System policies by their known documents) may
 * grant everything, or any action that lets the holder widen its own access, create lasting
 * credentials, or remove the expiry guard. A privileged profile must require approval, last at most
 * a few hours, and grant only policies whose content is known (privilege.ts has the rules).
 */
import type { Catalog } from '../domain/catalog';
import { CrossroleError, ValidationError } from '../domain/errors';
import { describeEscalation, escalatingActions } from './escalation';
import type { PolicyDocument } from './policy-document';
import { assessProfile, type CatalogProblem } from './privilege';

interface GuardrailOptions {
  privileged: boolean;
  /** Where the document came from, e.g. `profiles[0].policies[1].document`. */
  field: string;
}

/** Throws CrossroleError('POLICY_GUARDRAIL', field) on the first escalating Allow statement, unless privileged. */
export function checkPolicyGuardrails(document: PolicyDocument, opts: GuardrailOptions): void {
  if (opts.privileged) return;
  document.Statement.forEach((s, i) => {
    const actions = escalatingActions(s);
    if (actions.length === 0) return;
    throw new CrossroleError('POLICY_GUARDRAIL', `${opts.field}: Statement[${i}] ${describeEscalation(actions)}; only a profile marked "privileged: true" may grant that`, {
      field: opts.field,
      details: { statement: i, actions },
    });
  });
}

/** Every guardrail problem of a parsed catalog, errors and warnings, in profile order. */
function catalogGuardrailProblems(catalog: Catalog): CatalogProblem[] {
  return catalog.profiles.flatMap((profile, i) => assessProfile(profile, `profiles[${i}]`).problems);
}

/** A problem as the error a loader throws: INVALID_POLICY for a malformed document, else POLICY_GUARDRAIL. */
function problemError(p: CatalogProblem): CrossroleError {
  const details = { ...(p.details ?? {}), rule: p.rule, ...(p.profile === undefined ? {} : { profile: p.profile }), ...(p.policy === undefined ? {} : { policy: p.policy }), ...(p.action === undefined ? {} : { action: p.action }) };
  if (p.code === 'INVALID_POLICY' || p.code === 'INVALID_CONFIG') return new ValidationError(p.code, p.field, p.message, { details });
  return new CrossroleError('POLICY_GUARDRAIL', `${p.field}: ${p.message}`, { field: p.field, details });
}

/**
 * Apply the guardrails at catalog load: throws the first error (warnings do not stop a catalog;
 * `crossrole config check` shows them). The runtime and the CLI both load catalogs through this.
 */
export function checkCatalogGuardrails(catalog: Catalog): void {
  const first = catalogGuardrailProblems(catalog).find((p) => p.severity === 'error');
  if (first !== undefined) throw problemError(first);
}

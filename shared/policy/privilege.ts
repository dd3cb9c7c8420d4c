/**
 * What a profile hands out, judged by action patterns rather than names: a policy is privileged when
 * one of its Allow statements reaches an escalation action (escalation.ts) or everything; a System
 * policy whose document Crossrole does not know is unknown, and unknown counts as possibly
 * privileged. Then the rules a privileged profile must follow, as a list of problems
 * naming the profile, the policy and the matching action.
 */
import type { CatalogProfile, ProfilePolicy } from '../domain/catalog';
import { formatDuration } from '../domain/duration';
import { ValidationError } from '../domain/errors';
import { describeEscalation, escalatingActions, type ActionStatement } from './escalation';
import { asList, parsePolicyDocument } from './policy-document';
import { findSystemPolicy, type SystemPolicyStatus } from './system-policies';

/**
 * The longest a privileged grant may last. Such a role can mint credentials that outlive it (access
 * keys, new roles, policy versions), so every hour it is open is an hour in which that can happen
 * unseen; privileged work is incident-sized, and asking again (with a new approval) is cheap. Four
 * hours covers an incident shift while keeping the exposure well under a working day.
 */
export const PRIVILEGED_MAX_DURATION_SECONDS = 4 * 3600;

/** From most to least dangerous; a profile takes the worst class among its policies. */
const POLICY_CLASSES = ['privileged', 'unknown', 'write', 'read-only'] as const;
type PolicyClass = (typeof POLICY_CLASSES)[number];

interface EscalationMatch {
  /** Index of the Allow statement in the document. */
  statement: number;
  /** The escalation actions it reaches; `*` first when it reaches every action. */
  actions: string[];
}

export interface PolicyClassification {
  type: ProfilePolicy['type'];
  name: string;
  class: PolicyClass;
  /** Allow statements that reach an escalation action (empty unless privileged). */
  matches: EscalationMatch[];
  /** Why this class, in words. */
  reason: string;
  /** The Custom document failed to parse (an INVALID_POLICY problem says why). */
  invalid?: true;
  /** For System policies: how well Crossrole knows the document, and from where. */
  system?: { known: boolean; status?: SystemPolicyStatus; source?: string; version?: string };
}

// Actions whose names start like this only read (case-insensitive, as RAM matches actions).
const READ_PREFIXES = ['describe', 'desc', 'list', 'get', 'batchget', 'query', 'batchquery', 'check', 'lookup', 'search', 'head', 'count', 'preview'];

// Reads whose names do not say so.
const READ_ACTIONS = new Set(['ram:generatecredentialreport']);

function isReadPattern(pattern: string): boolean {
  const lower = pattern.toLowerCase();
  const name = lower.slice(lower.indexOf(':') + 1);
  return READ_ACTIONS.has(lower) || (lower.includes(':') && READ_PREFIXES.some((p) => name.startsWith(p)));
}

function firstAction(matches: readonly EscalationMatch[]): string {
  return matches[0]?.actions[0] ?? '*';
}

/** Classify statements: privileged if any Allow reaches escalation; read-only if every Allow only names read actions. */
export function classifyStatements(statements: readonly ActionStatement[]): { class: Exclude<PolicyClass, 'unknown'>; matches: EscalationMatch[] } {
  const matches: EscalationMatch[] = [];
  statements.forEach((s, statement) => {
    const actions = escalatingActions(s);
    if (actions.length > 0) matches.push({ statement, actions });
  });
  if (matches.length > 0) return { class: 'privileged', matches };
  const readOnly = statements.every((s) => s.Effect !== 'Allow' || (s.NotAction === undefined && asList(s.Action).every(isReadPattern)));
  return { class: readOnly ? 'read-only' : 'write', matches };
}

/**
 * Classify one policy of a profile. A Custom document is parsed first: a malformed one throws the
 * parser's ValidationError (INVALID_POLICY) at `field` + its path.
 */
export function classifyPolicy(policy: ProfilePolicy, field = 'policy'): PolicyClassification {
  const base = { type: policy.type, name: policy.name };
  if (policy.type === 'Custom') {
    const doc = parsePolicyDocument(policy.document, field);
    const c = classifyStatements(doc.Statement);
    const reason = c.class === 'privileged' ? `Statement[${c.matches[0]?.statement ?? 0}] ${describeEscalation(c.matches[0]?.actions ?? [])}` : c.class === 'read-only' ? 'allows only read actions' : 'allows write actions, none that escalate';
    return { ...base, class: c.class, matches: c.matches, reason };
  }
  const entry = findSystemPolicy(policy.name);
  if (entry === undefined) {
    return { ...base, class: 'unknown', matches: [], reason: 'not in Crossrole\'s table of System policies: what it grants is unknown', system: { known: false } };
  }
  const system = { known: true, status: entry.status, ...(entry.source === undefined ? {} : { source: entry.source }), ...(entry.version === undefined ? {} : { version: entry.version }) };
  const c = classifyStatements(entry.statements);
  if (c.class === 'privileged') {
    return { ...base, class: 'privileged', matches: c.matches, reason: `Statement[${c.matches[0]?.statement ?? 0}] ${describeEscalation(c.matches[0]?.actions ?? [])}`, system };
  }
  if (entry.status !== 'confirmed') {
    const what = entry.status === 'partial' ? 'only part of its document is known' : 'its document is not confirmed from a primary source';
    return { ...base, class: 'unknown', matches: [], reason: `${what}, so it may grant more than recorded`, system };
  }
  return { ...base, class: c.class, matches: [], reason: c.class === 'read-only' ? 'allows only read actions' : 'allows write actions, none that escalate', system };
}

/** The worst class among classifications (read-only for none). */
function worstClass(classes: readonly PolicyClass[]): PolicyClass {
  return POLICY_CLASSES.find((c) => classes.includes(c)) ?? 'read-only';
}

/** One thing wrong (error) or worth knowing (warning) about a catalog, at its field. */
export interface CatalogProblem {
  severity: 'error' | 'warning';
  /** INVALID_CONFIG (schema), INVALID_POLICY (a Custom document), POLICY_GUARDRAIL (the rules here), UNKNOWN_POLICY (warning). */
  code: 'INVALID_CONFIG' | 'INVALID_POLICY' | 'POLICY_GUARDRAIL' | 'UNKNOWN_POLICY';
  /** Which rule, stable for scripts: e.g. `privileged-auto-approve`. */
  rule: string;
  field: string;
  message: string;
  profile?: string;
  policy?: string;
  /** The escalation action that made it privileged, when one did. */
  action?: string;
  details?: Record<string, unknown>;
}

export interface ProfileAssessment {
  name: string;
  /** The worst class among its policies. */
  class: PolicyClass;
  /** Declared `privileged: true` in the catalog (escalating policies; approval required). */
  declaredPrivileged: boolean;
  autoApprove: boolean;
  /** Declared `breakGlass: true`: approved automatically, reviewed afterwards. */
  breakGlass: boolean;
  maxDuration: string;
  maxDurationSeconds: number;
  policies: PolicyClassification[];
  problems: CatalogProblem[];
}

const label = (p: { type: string; name: string }): string => `${p.type} policy "${p.name}"`;

/** Classify a profile's policies and apply the rules; `at` is its path, e.g. `profiles[2]`. */
export function assessProfile(profile: CatalogProfile, at: string): ProfileAssessment {
  const problems: CatalogProblem[] = [];
  const subject = { profile: profile.name };
  // Each classification with the field of its policy (`profiles[2].policies[1]`).
  const classified = profile.policies.map((policy, j): { c: PolicyClassification; field: string } => {
    const field = `${at}.policies[${j}]`;
    try {
      return { c: classifyPolicy(policy, `${field}.document`), field };
    } catch (e) {
      if (!(e instanceof ValidationError)) throw e;
      const where = e.field ?? `${field}.document`;
      problems.push({ severity: 'error', code: 'INVALID_POLICY', rule: 'invalid-policy', field: where, message: e.message.startsWith(`${where}: `) ? e.message.slice(where.length + 2) : e.message, ...subject, policy: policy.name });
      return { c: { type: policy.type, name: policy.name, class: 'unknown', matches: [], reason: 'the document is invalid', invalid: true }, field };
    }
  });
  const policies = classified.map((x) => x.c);
  const privileged = classified.filter((x) => x.c.class === 'privileged');
  const unknown = classified.filter((x) => x.c.class === 'unknown' && x.c.invalid !== true);

  for (const { c, field } of privileged) {
    if (profile.privileged) continue;
    const action = firstAction(c.matches);
    const statement = c.matches[0]?.statement ?? 0;
    problems.push({
      severity: 'error', code: 'POLICY_GUARDRAIL', rule: 'privileged-not-declared', ...subject, policy: c.name, action,
      field: c.type === 'Custom' ? `${field}.document` : `${field}.name`,
      message: `profile "${profile.name}": ${label(c)} ${c.type === 'Custom' ? `Statement[${statement}] ` : ''}${describeEscalation(c.matches[0]?.actions ?? [])}; only a profile marked "privileged": true may grant that`,
      details: { statement, actions: c.matches[0]?.actions ?? [] },
    });
  }

  // Why the privileged rules apply: the first privileged policy and its action, else the declaration.
  const cause = privileged[0]?.c;
  const why = cause !== undefined ? `is privileged (${label(cause)} ${cause.matches[0]?.actions[0] === '*' ? 'grants every action (*)' : `grants ${firstAction(cause.matches)}`})` : 'is declared "privileged": true';
  const causeFields = cause !== undefined ? { policy: cause.name, action: firstAction(cause.matches) } : {};
  if (cause !== undefined || profile.privileged) {
    if (profile.autoApprove) {
      problems.push({ severity: 'error', code: 'POLICY_GUARDRAIL', rule: 'privileged-auto-approve', field: `${at}.autoApprove`, ...subject, ...causeFields, message: `profile "${profile.name}" ${why} and cannot be auto-approved: set "autoApprove": false` });
    }
    if (profile.autoExtendSeconds > 0) {
      problems.push({ severity: 'error', code: 'POLICY_GUARDRAIL', rule: 'privileged-auto-extend', field: `${at}.autoExtend`, ...subject, ...causeFields, message: `profile "${profile.name}" ${why} and its extensions cannot be auto-approved: set "autoExtend": false` });
    }
    // Only when given: by default it is maxDuration, which the next rule judges.
    if (profile.maxTotalDuration !== undefined && profile.maxTotalDurationSeconds > PRIVILEGED_MAX_DURATION_SECONDS) {
      problems.push({
        severity: 'error', code: 'POLICY_GUARDRAIL', rule: 'privileged-total-duration', field: `${at}.maxTotalDuration`, ...subject, ...causeFields,
        message: `profile "${profile.name}" ${why}: maxTotalDuration ${formatDuration(profile.maxTotalDurationSeconds)} is over the ${formatDuration(PRIVILEGED_MAX_DURATION_SECONDS)} a privileged grant may last, extensions included`,
        details: { maxTotalDurationSeconds: profile.maxTotalDurationSeconds, limitSeconds: PRIVILEGED_MAX_DURATION_SECONDS },
      });
    }
    // Break-glass is approved automatically too: escalating policies need an approver before, not a review after.
    if (profile.breakGlass && cause !== undefined) {
      problems.push({ severity: 'error', code: 'POLICY_GUARDRAIL', rule: 'privileged-break-glass', field: `${at}.breakGlass`, ...subject, ...causeFields, message: `profile "${profile.name}" ${why} and cannot be break-glass (granted without an approver): set "breakGlass": false` });
    }
    if (profile.maxDurationSeconds > PRIVILEGED_MAX_DURATION_SECONDS) {
      problems.push({
        severity: 'error', code: 'POLICY_GUARDRAIL', rule: 'privileged-duration', field: `${at}.maxDuration`, ...subject, ...causeFields,
        message: `profile "${profile.name}" ${why}: maxDuration ${profile.maxDuration} is over the ${formatDuration(PRIVILEGED_MAX_DURATION_SECONDS)} a privileged grant may last`,
        details: { maxDurationSeconds: profile.maxDurationSeconds, limitSeconds: PRIVILEGED_MAX_DURATION_SECONDS },
      });
    }
  }

  for (const { c, field: policyField } of unknown) {
    const field = `${policyField}.name`;
    problems.push({ severity: 'warning', code: 'UNKNOWN_POLICY', rule: 'unknown-policy', field, ...subject, policy: c.name, message: `${label(c)}: ${c.reason}; it is treated as possibly privileged` });
    if (profile.breakGlass) {
      problems.push({ severity: 'error', code: 'POLICY_GUARDRAIL', rule: 'unknown-policy-break-glass', field: `${at}.breakGlass`, ...subject, policy: c.name, message: `profile "${profile.name}" cannot be break-glass (granted without an approver): ${label(c)} may be privileged (${c.reason})` });
    }
    if (profile.autoApprove) {
      problems.push({ severity: 'error', code: 'POLICY_GUARDRAIL', rule: 'unknown-policy-auto-approve', field: `${at}.autoApprove`, ...subject, policy: c.name, message: `profile "${profile.name}" cannot be auto-approved: ${label(c)} may be privileged (${c.reason})` });
    }
    if (profile.privileged) {
      problems.push({ severity: 'error', code: 'POLICY_GUARDRAIL', rule: 'unknown-policy-privileged', field, ...subject, policy: c.name, message: `profile "${profile.name}" is privileged ("privileged": true), so everything it grants must be known: ${label(c)} is not (${c.reason})` });
    }
  }

  return {
    name: profile.name,
    class: worstClass(policies.map((c) => c.class)),
    declaredPrivileged: profile.privileged,
    autoApprove: profile.autoApprove,
    breakGlass: profile.breakGlass,
    maxDuration: profile.maxDuration,
    maxDurationSeconds: profile.maxDurationSeconds,
    policies,
    problems,
  };
}

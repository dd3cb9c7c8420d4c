/**
 * The trust policy of the functions' execution role: Function Compute assumes it
 * (`fc.aliyuncs.com`, the service principal FC's execution roles trust; s.yaml's `role:`).
 * `crossrole bootstrap` writes it, `crossrole doctor` checks that a role found in RAM still says so.
 */
import type { PolicyDocument } from './policy-document';

const FC_SERVICE_PRINCIPAL = 'fc.aliyuncs.com';

export function buildExecTrustPolicy(): string {
  const document: PolicyDocument = { Version: '1', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { Service: [FC_SERVICE_PRINCIPAL] } }] };
  return JSON.stringify(document);
}

const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]);

/**
 * Whether a trust policy lets Function Compute assume the role: an Allow statement for
 * sts:AssumeRole (or sts:* / *) whose Service principal names fc.aliyuncs.com, without a
 * condition (FC sends none a condition could match). Unreadable text: false.
 */
export function trustsFunctionCompute(text: string): boolean {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return false;
  }
  if (typeof doc !== 'object' || doc === null) return false;
  return asList((doc as Record<string, unknown>)['Statement']).some((raw) => {
    if (typeof raw !== 'object' || raw === null) return false;
    const s = raw as Record<string, unknown>;
    if (s['Effect'] !== 'Allow' || s['Condition'] !== undefined) return false;
    const actions = asList(s['Action']);
    if (!actions.some((a) => a === 'sts:AssumeRole' || a === 'sts:*' || a === '*')) return false;
    const principal = s['Principal'];
    if (typeof principal !== 'object' || principal === null) return false;
    return asList((principal as Record<string, unknown>)['Service']).includes(FC_SERVICE_PRINCIPAL);
  });
}

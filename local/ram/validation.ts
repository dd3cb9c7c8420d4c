/** Parameter checks of the local RAM with the real error codes (names, tags, documents). */
import { PolicyGrammarError, parsePolicy, type PolicyKind } from '../access/engine';
import { RamErrors } from './errors';
import type { PolicyType, Tag } from './models';
import { RAM_LIMITS } from './quotas';

// Name grammars of the CreateRole / CreateUser / CreateGroup / CreatePolicy references.
const ROLE_NAME = /^[A-Za-z0-9.-]+$/;
const POLICY_NAME = /^[A-Za-z0-9-]+$/;
const USER_NAME = /^[A-Za-z0-9._-]+$/;
const GROUP_NAME = /^[A-Za-z0-9._-]+$/;

function validateName(value: string, param: string, pattern: RegExp, max: number): void {
  if (value.length < 1 || value.length > max) throw RamErrors.length(param);
  if (!pattern.test(value)) throw RamErrors.invalidChars(param);
}

export const validateRoleName = (v: string): void => validateName(v, 'RoleName', ROLE_NAME, RAM_LIMITS.roleName);
export const validatePolicyName = (v: string): void => validateName(v, 'PolicyName', POLICY_NAME, RAM_LIMITS.policyName);
export const validateUserName = (v: string): void => validateName(v, 'UserName', USER_NAME, RAM_LIMITS.userName);
export const validateGroupName = (v: string): void => validateName(v, 'GroupName', GROUP_NAME, RAM_LIMITS.groupName);

export function validatePolicyType(t: string): PolicyType {
  if (t !== 'System' && t !== 'Custom') throw RamErrors.policyTypeInvalid();
  return t;
}

export function docText(doc: string | object): string {
  return typeof doc === 'string' ? doc : JSON.stringify(doc);
}

function byteLength(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

/** A document within its size limit and RAM's grammar, else the cloud's 400. */
export function validateDocument(text: string, param: string, kind: Extract<PolicyKind, 'identity' | 'trust'>): void {
  const max = kind === 'trust' ? RAM_LIMITS.trustPolicyDocument : RAM_LIMITS.policyDocument;
  // Counted in UTF-8 bytes: never looser than the documented character limit.
  if (byteLength(text) > max) throw RamErrors.length(param);
  try {
    parsePolicy(text, kind, param, max);
  } catch (e: unknown) {
    if (e instanceof PolicyGrammarError) throw RamErrors.malformedPolicy(e.message);
    throw e;
  }
}

export function tagList(tags: Tag[] | Record<string, string> | undefined): Tag[] {
  if (tags === undefined) return [];
  if (Array.isArray(tags)) return tags.map((t) => ({ key: t.key, value: t.value }));
  return Object.entries(tags).map(([key, value]) => ({ key, value }));
}

export function validateTags(tags: Tag[]): void {
  if (tags.length > RAM_LIMITS.tagsPerResource) throw RamErrors.invalid('Tag', `can have at most ${RAM_LIMITS.tagsPerResource} tags`);
  for (const t of tags) {
    if (t.key === '' || t.key.length > RAM_LIMITS.tagKey) throw RamErrors.length('Tag.Key');
    if (t.value.length > RAM_LIMITS.tagValue) throw RamErrors.length('Tag.Value');
    if (/^(acs|aliyun):/i.test(t.key)) throw RamErrors.invalid('Tag.Key', 'cannot start with acs: or aliyun:');
  }
}

export function mergeTags(existing: Tag[], add: Tag[]): Tag[] {
  const out = existing.map((t) => ({ ...t }));
  for (const t of add) {
    const found = out.find((o) => o.key === t.key);
    if (found) found.value = t.value;
    else out.push({ ...t });
  }
  return out;
}

export function validateMaxSession(v: number, param: string): void {
  if (!Number.isInteger(v) || v < RAM_LIMITS.minMaxSessionDuration || v > RAM_LIMITS.maxMaxSessionDuration) {
    throw RamErrors.invalid(param, `must be an integer between ${RAM_LIMITS.minMaxSessionDuration} and ${RAM_LIMITS.maxMaxSessionDuration}`);
  }
}

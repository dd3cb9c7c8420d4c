/**
 * Trust policies (a role's AssumeRolePolicyDocument): build the one a grant needs, remove a partner
 * on revocation, and list the accounts a policy trusts.
 *
 * Editing works on the raw JSON rather than on a strictly parsed document, on purpose: revocation
 * must succeed on whatever RAM returned, even a document our stricter grammar would not have written.
 */
import { CrossroleError, ValidationError, errorMessage } from '../domain/errors';
import { parseAccountId, parsePrincipalArn, rootArn } from '../domain/identifiers';
import { EXTERNAL_ID_MAX_LENGTH, EXTERNAL_ID_MIN_LENGTH, EXTERNAL_ID_PATTERN } from './limits';
import { parsePolicyDocument } from './policy-document';

interface TrustPolicyInput {
  /** RAM ARNs of ONE partner account: its root, or users/roles in it. */
  principals: readonly string[];
  /** Per-grant ExternalId that AssumeRole must present (STS: 2–1,224 chars of `[\w+=,.@:/-]`). */
  externalId: string;
}

/** Throws ValidationError('VALIDATION', field) unless `input` is an ExternalId STS accepts. */
export function parseExternalId(input: unknown, field = 'externalId'): string {
  if (typeof input !== 'string' || input.length < EXTERNAL_ID_MIN_LENGTH || input.length > EXTERNAL_ID_MAX_LENGTH || !EXTERNAL_ID_PATTERN.test(input)) {
    throw new ValidationError('VALIDATION', field, `must be ${EXTERNAL_ID_MIN_LENGTH}–${EXTERNAL_ID_MAX_LENGTH} characters of letters, digits and + = , . @ : / - _`);
  }
  return input;
}

/**
 * The grant's trust policy: `sts:AssumeRole` for the given principals, only with the ExternalId.
 * Principals are validated as RAM ARNs (root, user or role) of a single account and de-duplicated;
 * the result is re-parsed as a trust policy, so it also respects the size limit.
 */
export function buildTrustPolicy(input: TrustPolicyInput): string {
  const { principals, externalId } = input;
  if (!Array.isArray(principals) || principals.length === 0) {
    throw new ValidationError('INVALID_POLICY', 'principals', 'must name at least one principal');
  }
  const arns: string[] = [];
  let account: string | undefined;
  principals.forEach((p, i) => {
    const parsed = parsePrincipalArn(p, `principals[${i}]`);
    if (parsed.kind === 'assumed-role') {
      throw new ValidationError('INVALID_ARN', `principals[${i}]`, 'a role session cannot be trusted; name the role (acs:ram::<uid>:role/<name>)');
    }
    if (account !== undefined && parsed.accountId !== account) {
      throw new ValidationError('INVALID_POLICY', `principals[${i}]`, `all principals must belong to one account (${account})`);
    }
    account = parsed.accountId;
    if (!arns.includes(parsed.arn)) arns.push(parsed.arn);
  });
  const id = parseExternalId(externalId);
  const text = JSON.stringify({
    Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { RAM: arns }, Condition: { StringEquals: { 'sts:ExternalId': id } } }],
    Version: '1',
  });
  parsePolicyDocument(text, 'trustPolicy', { trust: true });
  return text;
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type JsonObject = { [k: string]: Json };

function isObject(v: Json | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function readDocument(document: string, field: string): JsonObject {
  let doc: Json;
  try {
    doc = JSON.parse(document) as Json;
  } catch (e) {
    throw new ValidationError('INVALID_POLICY', field, `is not valid JSON (${errorMessage(e)})`);
  }
  if (!isObject(doc)) throw new ValidationError('INVALID_POLICY', field, 'must be a JSON object');
  return doc;
}

function statementsOf(doc: JsonObject): Json[] {
  const s = doc.Statement;
  if (Array.isArray(s)) return s;
  // RAM writes arrays, but a single statement object is read the same way rather than ignored.
  return s === undefined ? [] : [s];
}

const RAM_ARN_ACCOUNT = /^acs:ram:[^:]*:(\d+):/i;

/** The account a RAM principal entry designates, leniently (surrounding spaces, any case). */
function entryAccount(entry: string): string | undefined {
  const e = entry.trim();
  if (/^\d+$/.test(e)) return e;
  return RAM_ARN_ACCOUNT.exec(e)?.[1];
}

interface RemoveTrustedPartnerResult {
  document: string;
  changed: boolean;
  /** The principal entries removed, as they were written. */
  removed: string[];
}

/**
 * Remove every RAM principal of `partnerAccountId` (root, users, roles, bare account ID) from every
 * Allow statement. A wildcard `"*"` principal is removed too, since it trusts the partner as well.
 * A statement left with no principal is dropped. Untouched statements are kept as they were (same
 * keys, order and value forms); when nothing matches, the input text is returned unchanged.
 *
 * A trust policy needs at least one statement. When every statement is dropped:
 * - with `ownerAccountId`, the role trusts only the owner account's root (the console's
 *   "current account" trust): RAM-valid, and no other account can assume it;
 * - without it, the single statement is a Deny of the partner's root, so the role trusts nobody.
 *   Whether RAM accepts a trust policy with only a Deny is UNCONFIRMED: callers should pass the owner.
 */
export function removeTrustedPartner(document: string, partnerAccountId: string, ownerAccountId?: string): RemoveTrustedPartnerResult {
  const partner = parseAccountId(partnerAccountId, 'partnerAccountId');
  if (ownerAccountId !== undefined) {
    parseAccountId(ownerAccountId, 'ownerAccountId');
    if (ownerAccountId === partner) throw new CrossroleError('INVALID_POLICY', 'the owner account cannot be removed from its own trust policy', { field: 'ownerAccountId' });
  }
  const doc = readDocument(document, 'trustPolicy');
  const removed: string[] = [];
  const isPartner = (entry: Json): boolean => typeof entry === 'string' && (entry.trim() === '*' || entryAccount(entry) === partner);

  const kept: Json[] = [];
  for (const s of statementsOf(doc)) {
    if (!isObject(s) || s.Effect === 'Deny') {
      kept.push(s);
      continue;
    }
    const principal = s.Principal;
    if (typeof principal === 'string' && principal.trim() === '*') {
      removed.push(principal);
      continue;
    }
    if (!isObject(principal) || principal.RAM === undefined) {
      kept.push(s);
      continue;
    }
    const ram = principal.RAM;
    const entries = Array.isArray(ram) ? ram : [ram];
    const gone = entries.filter(isPartner);
    if (gone.length === 0) {
      kept.push(s);
      continue;
    }
    for (const g of gone) removed.push(String(g));
    const left = entries.filter((e) => !isPartner(e));
    // Rebuild in place so key order and the other principal types are untouched.
    const nextPrincipal: JsonObject = {};
    for (const [k, v] of Object.entries(principal)) {
      if (k !== 'RAM') nextPrincipal[k] = v;
      else if (left.length > 0) nextPrincipal[k] = Array.isArray(ram) ? left : ram;
    }
    const stillTrusts = Object.values(nextPrincipal).some((v) => !(Array.isArray(v) && v.length === 0));
    if (!stillTrusts) continue;
    const next: JsonObject = {};
    for (const [k, v] of Object.entries(s)) next[k] = k === 'Principal' ? nextPrincipal : v;
    kept.push(next);
  }

  if (removed.length === 0) return { document, changed: false, removed: [] };

  if (kept.length === 0) {
    if (ownerAccountId !== undefined) return { document: ownerOnlyTrustPolicy(ownerAccountId), changed: true, removed };
    const deny = { Action: 'sts:AssumeRole', Effect: 'Deny', Principal: { RAM: [rootArn(partner)] } };
    return { document: JSON.stringify({ Statement: [deny], Version: '1' }), changed: true, removed };
  }
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(doc)) {
    out[k] = k === 'Statement' ? (Array.isArray(v) || kept.length !== 1 ? kept : (kept[0] ?? null)) : v;
  }
  return { document: JSON.stringify(out), changed: true, removed };
}

/** The `Principal.RAM` entries of every Allow statement, in document order (duplicates kept). */
export function trustedPrincipals(document: string | object): string[] {
  const doc = typeof document === 'string' ? readDocument(document, 'trustPolicy') : (JSON.parse(JSON.stringify(document)) as Json);
  if (!isObject(doc)) return [];
  const out: string[] = [];
  for (const s of statementsOf(doc)) {
    if (!isObject(s) || s.Effect === 'Deny' || !isObject(s.Principal)) continue;
    const ram = s.Principal.RAM;
    for (const e of Array.isArray(ram) ? ram : [ram]) if (typeof e === 'string') out.push(e);
  }
  return out;
}

/** The 16-digit account IDs trusted by Allow statements (roots, users, roles, bare IDs), sorted and unique. */
export function trustedAccounts(document: string | object): string[] {
  const ids = new Set<string>();
  for (const e of trustedPrincipals(document)) {
    const id = entryAccount(e);
    if (id !== undefined && /^\d{16}$/.test(id)) ids.add(id);
  }
  return [...ids].sort();
}

/**
 * The trust policy of a role nobody but its owner may assume: the owner account's root, as the
 * console's "current account" trust. What a revoked (stripped) role is left with.
 */
export function ownerOnlyTrustPolicy(ownerAccountId: string): string {
  parseAccountId(ownerAccountId, 'ownerAccountId');
  return JSON.stringify({ Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { RAM: [rootArn(ownerAccountId)] } }], Version: '1' });
}

/**
 * Does this trust policy let anything but the owner account assume the role? Any Allow statement
 * with a wildcard, a non-RAM principal (Service, Federated: not the owner's to vouch for) or a RAM
 * principal of another account counts; so does a document that cannot be read (fail closed).
 */
export function trustsBeyondOwner(document: string, ownerAccountId: string): boolean {
  let doc: JsonObject;
  try {
    doc = readDocument(document, 'trustPolicy');
  } catch {
    return true;
  }
  for (const s of statementsOf(doc)) {
    if (!isObject(s)) return true;
    if (s.Effect === 'Deny') continue;
    const principal = s.Principal;
    if (principal === undefined) continue;
    if (!isObject(principal)) return true;
    for (const [kind, value] of Object.entries(principal)) {
      const entries = Array.isArray(value) ? value : [value];
      if (kind !== 'RAM') {
        if (entries.length > 0) return true;
        continue;
      }
      if (entries.some((e) => typeof e !== 'string' || e.trim() === '*' || entryAccount(e) !== ownerAccountId)) return true;
    }
  }
  return false;
}

/**
 * Do two trust policies say the same thing, however RAM re-serialised them? Keys are compared
 * sorted, and a one-element array equals its element (policy grammar reads `"RAM": "x"` and
 * `"RAM": ["x"]` alike). Whether GetRole returns the document exactly as written is [UNCONFIRMED]:
 * comparing semantically keeps a faithful re-serialisation from looking like drift on every scan.
 */
export function sameTrustPolicy(a: string, b: string): boolean {
  const norm = (text: string): string | undefined => {
    try {
      return JSON.stringify(normalise(JSON.parse(text) as Json));
    } catch {
      return undefined;
    }
  };
  const na = norm(a);
  return na !== undefined && na === norm(b);
}

function normalise(v: Json): Json {
  if (Array.isArray(v)) {
    const items = v.map(normalise);
    if (items.length === 1) return items[0] ?? null;
    return items.every((i) => typeof i === 'string') ? [...(items as string[])].sort() : items;
  }
  if (isObject(v)) {
    const out: JsonObject = {};
    for (const k of Object.keys(v).sort()) out[k] = normalise(v[k] ?? null);
    return out;
  }
  return v;
}

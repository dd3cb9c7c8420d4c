/**
 * The Principal element of a trust policy (who may assume a role), and which callers each form admits.
 *
 * Sources:
 * - Modify the trust policy of a RAM role, help.aliyun.com/en/ram/user-guide/edit-the-trust-policy-of-a-ram-role
 *   (and the 2021 copy, AlibabaCloudDocs/ram intl.en-US/RAM Role Management/Edit the trust policy of a RAM role.md):
 *   - "If the Principal element contains a RAM field, the principal of the RAM role is an Alibaba Cloud
 *     Account. The role can be assumed by RAM users or RAM roles that belong to the trusted Alibaba Cloud
 *     account." `acs:ram::<uid>:root` lets "any RAM user or RAM role" of that account assume the role;
 *     `acs:ram::<uid>:user/<name>` only that RAM user; `acs:ram::<uid>:role/<name>` only that RAM role.
 *   - "Service": ["ecs.aliyuncs.com"]: "the RAM role can be assumed by the ECS service of the current
 *     Alibaba Cloud account".
 *   - "Federated": ["acs:ram::<uid>:saml-provider/<name>"]: users of that identity provider.
 * - CreateRole (help.aliyun.com/document_detail/28710.htm): the example writes "RAM" as a single string,
 *   so every Principal field takes a string or an array; "RAM users cannot assume a role whose trusted
 *   entity is an Alibaba Cloud service".
 * - AssumeRole (alibabacloud.com/help/en/ram/api-assumerole): the caller "can only be a RAM user or RAM
 *   role"; the STS handler refuses an account's root identity before the trust policy is consulted.
 *
 * Trusting an account is only half of the grant: the caller's own account must also allow it
 * sts:AssumeRole (policy evaluation when a role is assumed: "Only when Decision A and Decision B are
 * both allowed"). See combineAssumeRole in evaluate.ts.
 *
 * Not documented, so refused by the grammar check (stricter): a bare account id, "*", wildcards in a
 * principal, any Principal field other than RAM, Service, Federated, and OIDC providers.
 */
import { PolicyGrammarError } from './errors';
import { isJsonArray, isJsonObject, type JsonValue } from './json';

export type PrincipalRef =
  | { readonly type: 'account'; readonly accountId: string }
  | { readonly type: 'user'; readonly accountId: string; readonly name: string }
  | { readonly type: 'role'; readonly accountId: string; readonly name: string }
  | { readonly type: 'service'; readonly service: string }
  | { readonly type: 'federated'; readonly accountId: string; readonly provider: string };

/** Who is asking to assume a role: a RAM identity (by its ARN), or a cloud service. */
export type TrustCaller =
  | { readonly arn: string }
  /** `onBehalfOf`: the account whose resource (function, instance ...) the service acts for. */
  | { readonly service: string; readonly onBehalfOf: string };

const RAM_PRINCIPAL = /^acs:ram::(\d+):(?:(root)|user\/([^*?\s/]+)|role\/([^*?\s/]+))$/;
const SERVICE_PRINCIPAL = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*\.aliyuncs\.com$/;
const FEDERATED_PRINCIPAL = /^acs:ram::(\d+):saml-provider\/([^*?\s/]+)$/;

function strings(value: JsonValue | undefined, path: string): readonly string[] {
  const list = typeof value === 'string' ? [value] : value;
  if (!isJsonArray(list)) throw new PolicyGrammarError('must be a string or an array of strings', path);
  if (list.length === 0) throw new PolicyGrammarError('must not be empty', path);
  return list.map((v, i) => {
    if (typeof v !== 'string') throw new PolicyGrammarError('must be a string', `${path}[${i}]`);
    return v;
  });
}

export function parsePrincipal(value: JsonValue | undefined, path: string): readonly PrincipalRef[] {
  if (!isJsonObject(value)) throw new PolicyGrammarError('must be an object with RAM, Service or Federated', path);
  if (value.size === 0) throw new PolicyGrammarError('must name at least one principal', path);
  const refs: PrincipalRef[] = [];
  for (const [field, v] of value) {
    const at = `${path}.${field}`;
    for (const [i, s] of strings(v, at).entries()) {
      const where = `${at}[${i}]`;
      if (field === 'RAM') {
        const m = RAM_PRINCIPAL.exec(s);
        if (!m || m[1] === undefined) throw new PolicyGrammarError('must be acs:ram::<account-id>:root, :user/<name> or :role/<name>', where);
        if (m[2] !== undefined) refs.push({ type: 'account', accountId: m[1] });
        else if (m[3] !== undefined) refs.push({ type: 'user', accountId: m[1], name: m[3] });
        else if (m[4] !== undefined) refs.push({ type: 'role', accountId: m[1], name: m[4] });
      } else if (field === 'Service') {
        if (!SERVICE_PRINCIPAL.test(s)) throw new PolicyGrammarError('must be a service name such as fc.aliyuncs.com', where);
        refs.push({ type: 'service', service: s });
      } else if (field === 'Federated') {
        const m = FEDERATED_PRINCIPAL.exec(s);
        if (!m || m[1] === undefined || m[2] === undefined) throw new PolicyGrammarError('must be acs:ram::<account-id>:saml-provider/<name>', where);
        refs.push({ type: 'federated', accountId: m[1], provider: m[2] });
      } else {
        throw new PolicyGrammarError('unknown principal type (RAM, Service or Federated)', at);
      }
    }
  }
  return refs;
}

type RamCaller = { kind: 'root' | 'user' | 'role'; accountId: string; name: string };

/**
 * The identity behind a caller ARN. Role sessions are `assumed-role/<role>/<session>` (what STS
 * returns today) or `role/<role>/<session>` (the 2021 AssumeRole reference's AssumedRoleUser.Arn).
 */
function ramCaller(arn: string): RamCaller | undefined {
  const m = /^acs:ram::(\d+):(?:(root)|user\/([^/]+)|(?:assumed-role|role)\/([^/]+)\/[^/]+)$/.exec(arn);
  if (!m || m[1] === undefined) return undefined;
  if (m[2] !== undefined) return { kind: 'root', accountId: m[1], name: '' };
  if (m[3] !== undefined) return { kind: 'user', accountId: m[1], name: m[3] };
  if (m[4] !== undefined) return { kind: 'role', accountId: m[1], name: m[4] };
  return undefined;
}

const same = (a: string, b: string, fold: boolean): boolean => a === b || (fold && a.toLowerCase() === b.toLowerCase());

/**
 * Whether a principal names the caller.
 * @param roleAccountId the account that owns the role being assumed (services act within it)
 * @param fold compare names without regard to case (the docs are silent on case; see evaluate.ts)
 */
export function principalMatches(ref: PrincipalRef, caller: TrustCaller, roleAccountId: string, fold: boolean): boolean {
  if ('service' in caller) {
    return ref.type === 'service' && same(ref.service, caller.service, fold) && caller.onBehalfOf === roleAccountId;
  }
  const who = ramCaller(caller.arn);
  if (who === undefined) return false;
  switch (ref.type) {
    case 'account':
      return ref.accountId === who.accountId;
    case 'user':
      return who.kind === 'user' && ref.accountId === who.accountId && same(ref.name, who.name, fold);
    case 'role':
      return who.kind === 'role' && ref.accountId === who.accountId && same(ref.name, who.name, fold);
    case 'service':
    case 'federated':
      return false;
  }
}

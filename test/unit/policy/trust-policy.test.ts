import fc from 'fast-check';
import { decideTrust, parsePolicy, type Decision } from '../../../local/access/policy';
import { CrossroleError, ValidationError } from '../../../shared/domain/errors';
import { buildTrustPolicy, removeTrustedPartner, trustedAccounts } from '../../../shared/policy';
import { parsePolicyDocument } from '../../../shared/policy/policy-document';
import { trustedPrincipals } from '../../../shared/policy/trust-policy';

const P = '2222222222222222'; // the partner being removed
const OWNER = '1111111111111111';
const OTHERS = ['3333333333333333', '4444444444444444', '5555555555555555'];
const ROLE_ARN = `acs:ram::${OWNER}:role/crossrole-0a1b2c3d4e5f`;

/**
 * Would RAM let `callerArn` assume the role with this trust policy (and ExternalId)? Judged by the
 * local cloud's own engine (local/access/policy, written from Alibaba's docs), not by product code.
 */
function trustDecision(trustPolicy: string, callerArn: string, externalId?: string): Decision {
  const context = externalId === undefined ? {} : { 'sts:ExternalId': externalId };
  return decideTrust(parsePolicy(trustPolicy, 'trust'), { roleArn: ROLE_ARN, caller: { arn: callerArn }, context });
}

/** A caller that a trusted principal designates: the account's users for root, a session for a role. */
function callerFor(principal: string): string {
  const role = /^(acs:ram::\d{16}):role\/(.+)$/.exec(principal);
  if (role) return `${role[1]}:assumed-role/${role[2]}/s1`;
  return principal.replace(/:root$/, ':user/bob');
}

function thrown(fn: () => unknown): CrossroleError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(CrossroleError);
    return e as CrossroleError;
  }
  throw new Error('expected a CrossroleError, nothing was thrown');
}

describe('buildTrustPolicy', () => {
  it('produces the documented shape, byte for byte', () => {
    expect(buildTrustPolicy({ principals: [`acs:ram::${P}:root`], externalId: 'crossrole-abc_123' })).toBe(
      `{"Statement":[{"Action":"sts:AssumeRole","Effect":"Allow","Principal":{"RAM":["acs:ram::${P}:root"]},"Condition":{"StringEquals":{"sts:ExternalId":"crossrole-abc_123"}}}],"Version":"1"}`,
    );
  });

  it('accepts users and roles of one account and removes duplicates', () => {
    const text = buildTrustPolicy({ principals: [`acs:ram::${P}:user/bob`, `acs:ram::${P}:role/ops`, `acs:ram::${P}:user/bob`], externalId: 'ext-1' });
    expect(trustedPrincipals(text)).toEqual([`acs:ram::${P}:user/bob`, `acs:ram::${P}:role/ops`]);
    expect(() => parsePolicyDocument(text, 'trust', { trust: true })).not.toThrow();
  });

  it.each([
    ['no principals', { principals: [], externalId: 'ext-1' }, 'INVALID_POLICY', 'principals'],
    ['a non-RAM ARN', { principals: ['arn:aws:iam::123456789012:root'], externalId: 'ext-1' }, 'INVALID_ARN', 'principals[0]'],
    ['a bare account ID', { principals: [P], externalId: 'ext-1' }, 'INVALID_ARN', 'principals[0]'],
    ['principals of two accounts', { principals: [`acs:ram::${P}:root`, `acs:ram::${OWNER}:user/eve`], externalId: 'ext-1' }, 'INVALID_POLICY', 'principals[1]'],
    ['a role session', { principals: [`acs:ram::${P}:assumed-role/ops/s1`], externalId: 'ext-1' }, 'INVALID_ARN', 'principals[0]'],
    ['an ExternalId with a quote', { principals: [`acs:ram::${P}:root`], externalId: 'a","sts:ExternalId":"b' }, 'VALIDATION', 'externalId'],
    ['a one-character ExternalId', { principals: [`acs:ram::${P}:root`], externalId: 'a' }, 'VALIDATION', 'externalId'],
    ['an over-long ExternalId', { principals: [`acs:ram::${P}:root`], externalId: 'a'.repeat(1225) }, 'VALIDATION', 'externalId'],
  ])('rejects %s', (_name, input, code, field) => {
    const e = thrown(() => buildTrustPolicy(input));
    expect(e).toBeInstanceOf(ValidationError);
    expect(e.code).toBe(code);
    expect(e.field).toBe(field);
  });

  it('rejects a document over the trust-policy size limit instead of producing it', () => {
    const principals = Array.from({ length: 20 }, (_, i) => `acs:ram::${P}:user/u${i}-${'x'.repeat(56)}`);
    const e = thrown(() => buildTrustPolicy({ principals, externalId: 'e'.repeat(600) }));
    expect(e.code).toBe('INVALID_POLICY');
    expect(e.field).toBe('trustPolicy');
  });

  it('property: for arbitrary strings it either rejects with a typed error or grants exactly the intended principals', () => {
    const name = fc.oneof(fc.stringMatching(/^[A-Za-z0-9.-]{1,20}$/), fc.string({ maxLength: 20 }), fc.string({ unit: 'grapheme', maxLength: 10 }));
    const principal = fc.oneof(
      fc.constant(`acs:ram::${P}:root`),
      name.map((n) => `acs:ram::${P}:user/${n}`),
      name.map((n) => `acs:ram::${P}:role/${n}`),
      fc.string({ maxLength: 40 }),
      fc.constantFrom('"}]},{"Effect":"Allow","Principal":{"RAM":"*"}', `acs:ram::${P}:root"]},"X":["`, `acs:ram::${P}:root\n`),
    );
    const externalId = fc.oneof(fc.stringMatching(/^[\w+=,.@:/-]{2,40}$/), fc.string({ maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 20 }), fc.constant('x"},"StringLike":{"sts:ExternalId":"*'));
    fc.assert(
      fc.property(fc.array(principal, { minLength: 1, maxLength: 4 }), externalId, (principals, id) => {
        let text: string;
        try {
          text = buildTrustPolicy({ principals, externalId: id });
        } catch (e) {
          expect(e).toBeInstanceOf(ValidationError);
          expect(['INVALID_ARN', 'INVALID_POLICY', 'VALIDATION']).toContain((e as ValidationError).code);
          return;
        }
        const doc = parsePolicyDocument(text, 'trust', { trust: true });
        // Exactly one statement, exactly the intended principals, exactly the given ExternalId.
        expect(doc.Statement).toHaveLength(1);
        expect(trustedPrincipals(text)).toEqual([...new Set(principals)]);
        expect(doc.Statement[0]?.Condition).toEqual({ StringEquals: { 'sts:ExternalId': id } });
        // What RAM would do with it: each principal gets in with the ExternalId and only with it.
        for (const arn of principals) {
          expect(trustDecision(text, callerFor(arn), id)).toBe('Allow');
          expect(trustDecision(text, callerFor(arn), `${id}x`)).toBe('ImplicitDeny');
          expect(trustDecision(text, callerFor(arn))).toBe('ImplicitDeny');
        }
        expect(trustDecision(text, `acs:ram::${OWNER}:user/mallory`, id)).toBe('ImplicitDeny');
      }),
      { numRuns: 300 },
    );
  });
});

describe('removeTrustedPartner', () => {
  const other = OTHERS[0] ?? '';
  const doc = (...Statement: unknown[]): string => JSON.stringify({ Statement, Version: '1' });

  it('removes every form of the partner principal and leaves the others in place', () => {
    const input = doc({
      Action: 'sts:AssumeRole',
      Effect: 'Allow',
      Principal: { RAM: [`acs:ram::${other}:root`, `acs:ram::${P}:root`, P, `acs:ram::${P}:user/bob`, `acs:ram::${P}:role/ops`, `acs:ram::${other}:user/bob`] },
    });
    const r = removeTrustedPartner(input, P);
    expect(r.changed).toBe(true);
    expect(r.removed).toEqual([`acs:ram::${P}:root`, P, `acs:ram::${P}:user/bob`, `acs:ram::${P}:role/ops`]);
    expect(r.document).toBe(doc({ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { RAM: [`acs:ram::${other}:root`, `acs:ram::${other}:user/bob`] } }));
  });

  it('drops a statement left with no principal and keeps unrelated statements byte-identical', () => {
    const unrelated = { Effect: 'Allow', Principal: { Service: 'fc.aliyuncs.com' }, Action: 'sts:AssumeRole' };
    const input = doc({ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { RAM: `acs:ram::${P}:root` } }, unrelated);
    const r = removeTrustedPartner(input, P);
    expect(r.document).toBe(doc(unrelated));
  });

  it('keeps a statement whose other principal types remain, deleting only the RAM key', () => {
    const input = doc({ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: ['ecs.aliyuncs.com'], RAM: `acs:ram::${P}:root` } });
    expect(removeTrustedPartner(input, P).document).toBe(doc({ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: ['ecs.aliyuncs.com'] } }));
  });

  it('leaves Deny statements alone (they only restrict) and removes a wildcard principal (it trusts the partner too)', () => {
    const denyPartner = { Effect: 'Deny', Action: 'sts:AssumeRole', Principal: { RAM: [`acs:ram::${P}:user/eve`] } };
    const input = doc(denyPartner, { Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { RAM: ['*', `acs:ram::${other}:root`] } });
    const r = removeTrustedPartner(input, P);
    expect(r.removed).toEqual(['*']);
    expect(r.document).toBe(doc(denyPartner, { Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { RAM: [`acs:ram::${other}:root`] } }));
  });

  it('matches the partner leniently: upper case, surrounding spaces, single Statement object', () => {
    const input = JSON.stringify({ Version: '1', Statement: { Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { RAM: [` ACS:RAM::${P}:ROOT `, `acs:ram::${other}:root`] } } });
    const r = removeTrustedPartner(input, P);
    expect(r.document).toBe(JSON.stringify({ Version: '1', Statement: { Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { RAM: [`acs:ram::${other}:root`] } } }));
  });

  it('returns the input text untouched when the partner is not trusted', () => {
    const input = '{ "Statement": [ {"Action":"sts:AssumeRole","Effect":"Allow","Principal":{"RAM":"acs:ram::3333333333333333:root"}} ], "Version": "1" }';
    expect(removeTrustedPartner(input, P)).toEqual({ document: input, changed: false, removed: [] });
  });

  it('when nothing remains: trusts only the owner root if given, else denies the partner (trusts nobody)', () => {
    const input = buildTrustPolicy({ principals: [`acs:ram::${P}:root`], externalId: 'ext-1' });
    const withOwner = removeTrustedPartner(input, P, OWNER);
    expect(withOwner.document).toBe(`{"Statement":[{"Action":"sts:AssumeRole","Effect":"Allow","Principal":{"RAM":["acs:ram::${OWNER}:root"]}}],"Version":"1"}`);
    const without = removeTrustedPartner(input, P);
    expect(without.document).toBe(`{"Statement":[{"Action":"sts:AssumeRole","Effect":"Deny","Principal":{"RAM":["acs:ram::${P}:root"]}}],"Version":"1"}`);
    for (const r of [withOwner, without]) {
      expect(() => parsePolicyDocument(r.document, 'trust', { trust: true })).not.toThrow();
      expect(trustDecision(r.document, `acs:ram::${P}:user/bob`, 'ext-1')).not.toBe('Allow');
      expect(trustDecision(r.document, `acs:ram::${P}:assumed-role/ops/s1`, 'ext-1')).not.toBe('Allow');
    }
    expect(trustDecision(withOwner.document, `acs:ram::${OWNER}:user/alice`)).toBe('Allow');
  });

  it('is idempotent: removing twice changes nothing the second time', () => {
    const once = removeTrustedPartner(buildTrustPolicy({ principals: [`acs:ram::${P}:root`], externalId: 'ext-1' }), P, OWNER);
    expect(removeTrustedPartner(once.document, P, OWNER)).toEqual({ document: once.document, changed: false, removed: [] });
  });

  it.each([
    ['invalid JSON', () => removeTrustedPartner('{"Statement":', P), 'INVALID_POLICY', 'trustPolicy'],
    ['a JSON array', () => removeTrustedPartner('[]', P), 'INVALID_POLICY', 'trustPolicy'],
    ['a bad partner id', () => removeTrustedPartner('{}', '123'), 'INVALID_ACCOUNT_ID', 'partnerAccountId'],
    ['a bad owner id', () => removeTrustedPartner('{}', P, 'x'), 'INVALID_ACCOUNT_ID', 'ownerAccountId'],
    ['owner = partner', () => removeTrustedPartner('{}', P, P), 'INVALID_POLICY', 'ownerAccountId'],
  ])('rejects %s', (_name, fn, code, field) => {
    const e = thrown(fn);
    expect(e.code).toBe(code);
    expect(e.field).toBe(field);
  });
});

describe('trustedAccounts', () => {
  it('lists the accounts trusted by Allow statements, sorted and unique', () => {
    const text = JSON.stringify({
      Version: '1',
      Statement: [
        { Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { RAM: [`acs:ram::${OTHERS[1]}:user/a`, P, `acs:ram::${P}:root`] } },
        { Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { RAM: `acs:ram::${OTHERS[0]}:role/r`, Service: 'fc.aliyuncs.com' } },
        { Effect: 'Deny', Action: 'sts:AssumeRole', Principal: { RAM: `acs:ram::${OTHERS[2]}:root` } },
      ],
    });
    expect(trustedAccounts(text)).toEqual([P, OTHERS[0], OTHERS[1]]);
    expect(trustedAccounts(JSON.parse(text) as object)).toEqual([P, OTHERS[0], OTHERS[1]]);
  });
});

// ---------------------------------------------------------------------------------------------
// Properties over generated trust policies.

const userName = fc.stringMatching(/^[a-z][a-z0-9.-]{0,8}$/);
const sessionName = fc.stringMatching(/^[a-z0-9]{2,8}$/);
const externalIds = ['ext-a', 'ext-b'];

/** A RAM principal entry of `account` in the documented forms: root, a user, a role. */
const documentedEntryOf = (account: string): fc.Arbitrary<string> =>
  fc.oneof(fc.constant(`acs:ram::${account}:root`), userName.map((n) => `acs:ram::${account}:user/${n}`), userName.map((n) => `acs:ram::${account}:role/${n}`));

/** Every form removeTrustedPartner must recognise, a bare account ID included (not documented for RAM). */
const entryOf = (account: string): fc.Arbitrary<string> => fc.oneof(documentedEntryOf(account), fc.constant(account));

const condition = fc.option(fc.constantFrom(...externalIds).map((id) => ({ StringEquals: { 'sts:ExternalId': id } })), { nil: undefined });

interface GenStatement {
  Effect: 'Allow' | 'Deny';
  Action: string;
  Principal: { RAM?: string | string[]; Service?: string | string[] };
  Condition?: { StringEquals: { 'sts:ExternalId': string } };
}

function statementArb(accounts: readonly string[], arrayForm: boolean | undefined, entry = entryOf): fc.Arbitrary<GenStatement> {
  const entries = fc.array(fc.constantFrom(...accounts).chain(entry), { minLength: 1, maxLength: 4 });
  const ram = arrayForm === true ? entries : arrayForm === false ? entries.map((e) => e[0] ?? '') : fc.oneof(entries, entries.map((e) => e[0] ?? ''));
  return fc.record(
    {
      Effect: fc.constantFrom<'Allow' | 'Deny'>('Allow', 'Allow', 'Deny'),
      Action: fc.constant('sts:AssumeRole'),
      Principal: fc.oneof(
        ram.map((RAM) => ({ RAM })),
        fc.tuple(ram, fc.constantFrom('fc.aliyuncs.com', ['ecs.aliyuncs.com'])).map(([RAM, Service]) => ({ Service, RAM })),
        fc.constant({ Service: 'fc.aliyuncs.com' }),
      ),
      Condition: condition,
    },
    { requiredKeys: ['Effect', 'Action', 'Principal'] },
  );
}

/** Does `needle` appear in `haystack` in the same order (not necessarily contiguously)? */
function isSubsequence(needle: readonly string[], haystack: readonly string[]): boolean {
  let i = 0;
  for (const h of haystack) if (i < needle.length && h === needle[i]) i += 1;
  return i === needle.length;
}

const docOf = (Statement: unknown[]): string => JSON.stringify({ Statement, Version: '1' });

/** Callers of every kind that asks STS: root, users, role sessions. */
const callerOf = (account: string): fc.Arbitrary<{ arn: string; accountId: string }> =>
  fc.oneof(
    fc.constant({ arn: `acs:ram::${account}:root`, accountId: account }),
    userName.map((n) => ({ arn: `acs:ram::${account}:user/${n}`, accountId: account })),
    fc.tuple(userName, sessionName).map(([r, s]) => ({ arn: `acs:ram::${account}:assumed-role/${r}/${s}`, accountId: account })),
  );

describe('removeTrustedPartner: properties', () => {
  it('adding then removing a partner restores the original document byte for byte', () => {
    fc.assert(
      fc.property(
        fc.array(statementArb(OTHERS, true), { minLength: 1, maxLength: 4 }),
        fc.array(fc.tuple(fc.nat(), fc.nat(), entryOf(P)), { maxLength: 6 }),
        fc.boolean(),
        (original, insertions, appendStatement) => {
          const originalText = docOf(original);
          // Add the partner: into existing Allow statements' RAM arrays at random positions, and/or as a new statement.
          const added = JSON.parse(originalText) as { Statement: GenStatement[] };
          const allows = added.Statement.filter((s) => s.Effect === 'Allow' && Array.isArray(s.Principal.RAM));
          for (const [which, at, entry] of insertions) {
            const s = allows[which % Math.max(allows.length, 1)];
            if (!s || !Array.isArray(s.Principal.RAM)) continue;
            s.Principal.RAM.splice(at % (s.Principal.RAM.length + 1), 0, entry);
          }
          if (appendStatement) added.Statement.push(JSON.parse(buildTrustPolicy({ principals: [`acs:ram::${P}:root`], externalId: 'ext-a' })).Statement[0]);
          const addedText = JSON.stringify(added);
          expect(trustedAccounts(addedText).includes(P)).toBe(addedText !== originalText);

          const r = removeTrustedPartner(addedText, P);
          expect(r.changed).toBe(addedText !== originalText);
          expect(r.document).toBe(r.changed ? originalText : addedText);
          expect(trustedPrincipals(r.document)).toEqual(trustedPrincipals(originalText));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('after removal no principal of the partner can assume the role; every other caller keeps its previous result', () => {
    const accounts = [P, ...OTHERS];
    fc.assert(
      fc.property(
        // Documented principal forms only: the witness, like RAM's docs, knows no bare account ID.
        fc.array(statementArb(accounts, undefined, documentedEntryOf), { minLength: 1, maxLength: 5 }),
        fc.array(fc.tuple(fc.constantFrom(...accounts).chain(callerOf), fc.constantFrom(undefined, ...externalIds)), { minLength: 1, maxLength: 12 }),
        fc.boolean(),
        (statements, callers, passOwner) => {
          const before = docOf(statements);
          const r = removeTrustedPartner(before, P, passOwner ? OWNER : undefined);
          const afterDoc = parsePolicyDocument(r.document, 'trust', { trust: true });
          expect(trustedAccounts(r.document)).not.toContain(P);
          for (const [principal, id] of callers) {
            const after = trustDecision(r.document, principal.arn, id);
            if (principal.accountId === P) expect(after).not.toBe('Allow');
            else expect(after).toBe(trustDecision(before, principal.arn, id));
          }
          // The unrelated statements survive byte for byte and in order.
          const untouched = statements.filter((s) => s.Effect === 'Deny' || !JSON.stringify(s.Principal.RAM ?? null).includes(P)).map((s) => JSON.stringify(s));
          const remaining = afterDoc.Statement.map((s) => JSON.stringify(s));
          expect(isSubsequence(untouched, remaining)).toBe(true);
        },
      ),
      { numRuns: 400 },
    );
  });
});

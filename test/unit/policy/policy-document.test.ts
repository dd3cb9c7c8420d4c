import { CrossroleError, ValidationError } from '../../../shared/domain/errors';
import { MAX_POLICY_LENGTH, MAX_TRUST_POLICY_LENGTH } from '../../../shared/policy/limits';
import { findDuplicateKey } from '../../../shared/policy/json-text';
import { parsePolicyDocument, sameDocument } from '../../../shared/policy/policy-document';

/** Run `fn`, expect a ValidationError, and return it for code/field assertions. */
function failure(fn: () => unknown): ValidationError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ValidationError);
    expect(e).toBeInstanceOf(CrossroleError);
    return e as ValidationError;
  }
  throw new Error('expected a ValidationError, nothing was thrown');
}

const ok = { Version: '1', Statement: [{ Effect: 'Allow', Action: 'ecs:Describe*', Resource: '*' }] };
const withStatement = (s: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> => ({ Version: '1', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }, s], ...extra });

describe('parsePolicyDocument: accepted documents', () => {
  it('parses JSON text and returns the document', () => {
    expect(parsePolicyDocument(JSON.stringify(ok))).toEqual(ok);
  });

  it('accepts an already-parsed object', () => {
    expect(parsePolicyDocument(ok)).toEqual(ok);
  });

  it('accepts string-or-array forms, NotAction, NotResource and every known operator family', () => {
    const doc = {
      Version: '1',
      Statement: [
        { Effect: 'Deny', NotAction: ['ecs:Describe*', 'oss:Get*'], NotResource: 'acs:oss:*:*:public/*' },
        {
          Effect: 'Allow',
          Action: ['oss:GetObject'],
          Resource: ['acs:oss:*:*:b/*'],
          Condition: {
            StringLike: { 'oss:Prefix': ['a/*', 'b/*'] },
            DateLessThan: { 'acs:CurrentTime': '2019-08-12T17:00:00+08:00' },
            NumericGreaterThanEquals: { 'k:n': '3' },
            Bool: { 'acs:SecureTransport': 'true' },
            DateLessThanEqualsIfExists: { 'acs:CurrentTime': '2019-08-12T09:00:00Z' },
            IpAddress: { 'acs:SourceIp': ['10.0.0.0/8', '2001:db8::/32'] },
          },
        },
      ],
    };
    expect(parsePolicyDocument(doc)).toEqual(doc);
  });

  it('trust policies: Principal required, Resource optional', () => {
    const trust = { Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { RAM: ['acs:ram::1234567890123456:root', '6543210987654321'], Service: 'fc.aliyuncs.com' } }], Version: '1' };
    expect(parsePolicyDocument(JSON.stringify(trust), 'trust', { trust: true })).toEqual(trust);
  });
});

describe('parsePolicyDocument: rejected documents (code INVALID_POLICY, field = offending path)', () => {
  const cases: Array<[string, unknown, string, { trust?: boolean }?]> = [
    ['malformed JSON', '{"Version": "1", "Statement": [', 'policyDocument'],
    ['a JSON array', '[]', 'policyDocument'],
    ['a JSON string', '"policy"', 'policyDocument'],
    ['null', null, 'policyDocument'],
    ['a number', 42, 'policyDocument'],
    ['undefined', undefined, 'policyDocument'],
    ['an empty string', '', 'policyDocument'],
    ['a BigInt value', { Version: '1', Statement: [], n: 1n }, 'policyDocument'],
    ['Version missing', { Statement: ok.Statement }, 'policyDocument.Version'],
    ['Version as a number', { Version: 1, Statement: ok.Statement }, 'policyDocument.Version'],
    ['an unknown top-level element', { ...ok, Id: 'x' }, 'policyDocument.Id'],
    ['Statement missing', { Version: '1' }, 'policyDocument.Statement'],
    ['Statement empty', { Version: '1', Statement: [] }, 'policyDocument.Statement'],
    ['Statement as an object', { Version: '1', Statement: ok.Statement[0] }, 'policyDocument.Statement'],
    ['a statement that is a string', withStatement({}, { Statement: [ok.Statement[0], 'Allow'] }), 'policyDocument.Statement[1]'],
    ['Effect missing', withStatement({ Action: '*', Resource: '*' }), 'policyDocument.Statement[1].Effect'],
    ['Effect in lower case', withStatement({ Effect: 'allow', Action: '*', Resource: '*' }), 'policyDocument.Statement[1].Effect'],
    ['both Action and NotAction', withStatement({ Effect: 'Allow', Action: '*', NotAction: 'ram:*', Resource: '*' }), 'policyDocument.Statement[1].Action'],
    ['neither Action nor NotAction', withStatement({ Effect: 'Allow', Resource: '*' }), 'policyDocument.Statement[1].Action'],
    ['Action as a number', withStatement({ Effect: 'Allow', Action: 5, Resource: '*' }), 'policyDocument.Statement[1].Action'],
    ['Action empty array', withStatement({ Effect: 'Allow', Action: [], Resource: '*' }), 'policyDocument.Statement[1].Action'],
    ['Action entry without a service', withStatement({ Effect: 'Allow', Action: ['ecs:Describe*', 'DescribeInstances'], Resource: '*' }), 'policyDocument.Statement[1].Action[1]'],
    ['Action entry not a string', withStatement({ Effect: 'Allow', Action: ['ecs:Describe*', null], Resource: '*' }), 'policyDocument.Statement[1].Action[1]'],
    ['Resource missing in a permission policy', withStatement({ Effect: 'Allow', Action: '*' }), 'policyDocument.Statement[1].Resource'],
    ['both Resource and NotResource', withStatement({ Effect: 'Allow', Action: '*', Resource: '*', NotResource: 'x' }), 'policyDocument.Statement[1].Resource'],
    ['Resource as an object', withStatement({ Effect: 'Allow', Action: '*', Resource: { arn: '*' } }), 'policyDocument.Statement[1].Resource'],
    // Policy elements (doc-detail/93738): Resource is acs:<service-name>:<region>:<account-id>:<relative-id>;
    // Validate policies (help.aliyun.com/en/ram/permission-policy-check): "Invalid ARN prefix", "Missing ARN field".
    ['a Resource that is not an acs: ARN', withStatement({ Effect: 'Allow', Action: '*', Resource: ['acs:oss:*:*:b', 'arn:aws:s3:::b'] }), 'policyDocument.Statement[1].Resource[1]'],
    ['a Resource that is a bare name', withStatement({ Effect: 'Allow', Action: 'oss:GetObject', Resource: 'mybucket/*' }), 'policyDocument.Statement[1].Resource'],
    ['a Resource with four fields', withStatement({ Effect: 'Allow', Action: '*', Resource: 'acs:ecs:*:instance/i-1' }), 'policyDocument.Statement[1].Resource'],
    ['a Resource without a service', withStatement({ Effect: 'Allow', Action: '*', Resource: 'acs::*:*:instance/i-1' }), 'policyDocument.Statement[1].Resource'],
    ['a Resource with an empty relative id', withStatement({ Effect: 'Allow', Action: '*', Resource: 'acs:ecs:*:*:' }), 'policyDocument.Statement[1].Resource'],
    ['a Resource with a trailing space', withStatement({ Effect: 'Allow', Action: '*', Resource: 'acs:ecs:*:*:instance/i-1 ' }), 'policyDocument.Statement[1].Resource'],
    ['a NotResource that is not an ARN', withStatement({ Effect: 'Deny', Action: '*', NotResource: 'public/*' }), 'policyDocument.Statement[1].NotResource'],
    ['a Resource with a control character', withStatement({ Effect: 'Allow', Action: '*', Resource: 'acs:ecs:*:*:instance/i-\u0000' }), 'policyDocument.Statement[1].Resource'],
    ['an Action with a control character', withStatement({ Effect: 'Allow', Action: 'ecs:Describe\u0007', Resource: '*' }), 'policyDocument.Statement[1].Action'],
    ['an unknown statement element', withStatement({ Effect: 'Allow', Action: '*', Resource: '*', Sid: 'x' }), 'policyDocument.Statement[1].Sid'],
    ['Principal in a permission policy', withStatement({ Effect: 'Allow', Action: '*', Resource: '*', Principal: { RAM: '*' } }), 'policyDocument.Statement[1].Principal'],
    // The time-of-day use case names IfExists variants for the Date operators only.
    ['IfExists on a String operator', withStatement({ Effect: 'Allow', Action: '*', Resource: '*', Condition: { StringEqualsIfExists: { 'k:a': 'x' } } }), 'policyDocument.Statement[1].Condition.StringEqualsIfExists'],
    ['an empty Condition', withStatement({ Effect: 'Allow', Action: '*', Resource: '*', Condition: {} }), 'policyDocument.Statement[1].Condition'],
    ['an empty operator block', withStatement({ Effect: 'Allow', Action: '*', Resource: '*', Condition: { StringEquals: {} } }), 'policyDocument.Statement[1].Condition.StringEquals'],
    // Validate policies: "Invalid condition key format" — <ram-code>:<condition-key>.
    ['a condition key without a service prefix', withStatement({ Effect: 'Deny', Action: '*', Resource: '*', Condition: { StringEquals: { ExternalId: 'x' } } }), 'policyDocument.Statement[1].Condition.StringEquals.ExternalId'],
    ['a condition key with an empty name', withStatement({ Effect: 'Deny', Action: '*', Resource: '*', Condition: { StringEquals: { 'acs:': 'x' } } }), 'policyDocument.Statement[1].Condition.StringEquals.acs:'],
    // Policy structure and syntax (doc-detail/28664): "If an element value is a number or Boolean, it
    // must be enclosed by using double quotation marks."
    ['an unquoted number', withStatement({ Effect: 'Deny', Action: '*', Resource: '*', Condition: { NumericLessThan: { 'k:n': 3 } } }), 'policyDocument.Statement[1].Condition.NumericLessThan.k:n'],
    ['an unquoted boolean', withStatement({ Effect: 'Deny', Action: '*', Resource: '*', Condition: { Bool: { 'acs:SecureTransport': false } } }), 'policyDocument.Statement[1].Condition.Bool.acs:SecureTransport'],
    ['an unquoted number in a list', withStatement({ Effect: 'Deny', Action: '*', Resource: '*', Condition: { NumericEquals: { 'k:n': ['1', 2] } } }), 'policyDocument.Statement[1].Condition.NumericEquals.k:n[1]'],
    ['an unquoted boolean in JSON text', '{"Version":"1","Statement":[{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"Bool":{"acs:SecureTransport":true}}}]}', 'policyDocument.Statement[0].Condition.Bool.acs:SecureTransport'],
    // Validate policies: "Invalid condition multiple Boolean".
    ['two Boolean values for one key', withStatement({ Effect: 'Deny', Action: '*', Resource: '*', Condition: { Bool: { 'acs:SecureTransport': ['true', 'false'] } } }), 'policyDocument.Statement[1].Condition.Bool.acs:SecureTransport'],
    ['Condition as an array', withStatement({ Effect: 'Allow', Action: '*', Resource: '*', Condition: [] }), 'policyDocument.Statement[1].Condition'],
    ['an operator named after an Object.prototype member', '{"Version":"1","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"toString":{"k:a":"x"}}}]}', 'policyDocument.Statement[0].Condition.toString'],
    ['an operator block that is a string', withStatement({ Effect: 'Allow', Action: '*', Resource: '*', Condition: { StringEquals: 'x' } }), 'policyDocument.Statement[1].Condition.StringEquals'],
    ['a condition value that is an object', withStatement({ Effect: 'Allow', Action: '*', Resource: '*', Condition: { StringEquals: { 'k:a': { x: 1 } } } }), 'policyDocument.Statement[1].Condition.StringEquals.k:a'],
    ['a bad date', withStatement({ Effect: 'Deny', Action: '*', Resource: '*', Condition: { DateGreaterThan: { 'acs:CurrentTime': '2026-13-01T00:00:00Z' } } }), 'policyDocument.Statement[1].Condition.DateGreaterThan.acs:CurrentTime'],
    ['a bad CIDR in a list', withStatement({ Effect: 'Deny', Action: '*', Resource: '*', Condition: { IpAddress: { 'acs:SourceIp': ['10.0.0.0/8', '10.0.0.0/33'] } } }), 'policyDocument.Statement[1].Condition.IpAddress.acs:SourceIp[1]'],
    ['a non-numeric Numeric value', withStatement({ Effect: 'Deny', Action: '*', Resource: '*', Condition: { NumericLessThan: { 'k:n': 'ten' } } }), 'policyDocument.Statement[1].Condition.NumericLessThan.k:n'],
    ['a non-boolean Bool value', withStatement({ Effect: 'Deny', Action: '*', Resource: '*', Condition: { Bool: { 'acs:MFAPresent': 'yes' } } }), 'policyDocument.Statement[1].Condition.Bool.acs:MFAPresent'],
    ['trust: Principal missing', { Version: '1', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole' }] }, 'policyDocument.Statement[0].Principal', { trust: true }],
    ['trust: Principal as a string', { Version: '1', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: '*' }] }, 'policyDocument.Statement[0].Principal', { trust: true }],
    ['trust: unknown principal type', { Version: '1', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { AWS: '*' } }] }, 'policyDocument.Statement[0].Principal.AWS', { trust: true }],
    ['trust: a non-RAM ARN', { Version: '1', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { RAM: ['arn:aws:iam::123456789012:root'] } }] }, 'policyDocument.Statement[0].Principal.RAM[0]', { trust: true }],
    ['trust: a role session as principal', { Version: '1', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { RAM: 'acs:ram::1234567890123456:assumed-role/r/s1' } }] }, 'policyDocument.Statement[0].Principal.RAM', { trust: true }],
    ['a duplicated Effect key (RAM and JSON.parse might keep different ones)', '{"Version":"1","Statement":[{"Effect":"Deny","Effect":"Allow","Action":"*","Resource":"*"}]}', 'policyDocument.Statement[0].Effect'],
  ];

  it.each(cases.map(([name, input, field, opts]) => ({ name, input, field, opts })))('$name', ({ input, field, opts }) => {
    const e = failure(() => parsePolicyDocument(input, 'policyDocument', opts));
    expect(e.code).toBe('INVALID_POLICY');
    expect(e.field).toBe(field);
  });

  it('uses the caller-supplied field as the prefix', () => {
    const e = failure(() => parsePolicyDocument({ Version: '2' }, 'profiles[0].policies[1].document'));
    expect(e.field).toBe('profiles[0].policies[1].document.Version');
    expect(e.details).toEqual({ path: 'Version' });
  });

  it('never lets a bare TypeError through for odd input types', () => {
    const odd: unknown[] = [Symbol('x'), () => 1, new Map(), [1, 2], true, { Version: '1', Statement: [null] }, { Version: '1', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*', Condition: null }] }];
    for (const input of odd) expect(failure(() => parsePolicyDocument(input)).code).toBe('INVALID_POLICY');
  });
});

describe('parsePolicyDocument: size limits', () => {
  const padded = (bytes: number, trust: boolean): string => {
    const base = trust
      ? { Version: '1', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { RAM: 'acs:ram::1234567890123456:root' }, Condition: { StringEquals: { 'sts:ExternalId': '' } } }] }
      : { Version: '1', Statement: [{ Effect: 'Allow', Action: 'ecs:Describe*', Resource: 'acs:oss:*:*:' }] };
    const empty = JSON.stringify(base).length;
    const fill = 'a'.repeat(bytes - empty);
    if (trust) return JSON.stringify(base).replace('"sts:ExternalId":""', `"sts:ExternalId":"${fill}"`);
    return JSON.stringify(base).replace('"Resource":"acs:oss:*:*:"', `"Resource":"acs:oss:*:*:${fill}"`);
  };

  it(`accepts a permission policy of exactly ${MAX_POLICY_LENGTH} bytes and rejects one byte more`, () => {
    expect(padded(MAX_POLICY_LENGTH, false)).toHaveLength(MAX_POLICY_LENGTH);
    expect(() => parsePolicyDocument(padded(MAX_POLICY_LENGTH, false))).not.toThrow();
    const e = failure(() => parsePolicyDocument(padded(MAX_POLICY_LENGTH + 1, false)));
    expect(e.code).toBe('INVALID_POLICY');
    expect(e.field).toBe('policyDocument');
  });

  it(`limits trust policies to ${MAX_TRUST_POLICY_LENGTH} bytes`, () => {
    expect(() => parsePolicyDocument(padded(MAX_TRUST_POLICY_LENGTH, true), 'trust', { trust: true })).not.toThrow();
    const e = failure(() => parsePolicyDocument(padded(MAX_TRUST_POLICY_LENGTH + 1, true), 'trust', { trust: true }));
    expect(e.code).toBe('INVALID_POLICY');
    expect(e.field).toBe('trust');
  });

  it('counts an object by its compact JSON text, and multi-byte characters as their UTF-8 bytes', () => {
    const big = { Version: '1', Statement: [{ Effect: 'Allow', Action: 'oss:GetObject', Resource: `acs:oss:*:*:${'é'.repeat(3100)}` }] };
    // 3,100 characters but 6,200 bytes of "é": over the limit although under it in characters.
    expect(JSON.stringify(big).length).toBeLessThan(MAX_POLICY_LENGTH);
    expect(failure(() => parsePolicyDocument(big)).code).toBe('INVALID_POLICY');
  });
});

describe('findDuplicateKey', () => {
  it('finds nested duplicates and ignores keys-lookalikes inside strings and arrays', () => {
    expect(findDuplicateKey('{"a":1,"b":{"c":[{"d":1},{"d":2,"d":3}]}}')).toBe('b.c[1].d');
    expect(findDuplicateKey('{"a":"\\"a\\":","b":["a","a"],"c":{"a":1}}')).toBeUndefined();
    expect(findDuplicateKey('{"a\\u0062":1,"ab":2}')).toBe('ab');
  });
});

describe('sameDocument', () => {
  const doc = '{"Version":"1","Statement":[{"Effect":"Allow","Action":["ecs:Describe*","ecs:List*"],"Resource":"*"}]}';

  it('ignores whitespace and key order, as RAM may re-serialise what it stores', () => {
    const reserialised = '{\n  "Statement": [ { "Resource": "*", "Action": ["ecs:Describe*", "ecs:List*"], "Effect": "Allow" } ],\n  "Version": "1"\n}';
    expect(sameDocument(doc, reserialised)).toBe(true);
  });

  it('counts array order and every value', () => {
    expect(sameDocument(doc, doc.replace('["ecs:Describe*","ecs:List*"]', '["ecs:List*","ecs:Describe*"]'))).toBe(false);
    expect(sameDocument(doc, doc.replace('"Allow"', '"Deny"'))).toBe(false);
    expect(sameDocument(doc, doc.replace(',"Resource":"*"', ''))).toBe(false);
  });

  it('treats text that is not JSON as the same only as itself', () => {
    expect(sameDocument('nope', 'nope')).toBe(true);
    expect(sameDocument('nope', doc)).toBe(false);
    expect(sameDocument(doc, '{"Version":')).toBe(false);
  });
});

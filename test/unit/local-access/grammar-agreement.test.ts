/**
 * `crossrole config check` judges a catalog's Custom policies with the product's grammar
 * (shared/policy/policy-document.ts); RAM's CreatePolicy judges them for real, and the local cloud
 * stands in for RAM with its own engine (local/access/policy), written separately from the docs. If
 * the two disagree on a document a catalog ships, either `config check` passes what provisioning will
 * have refused after an approval, or it refuses what RAM would take. So every Custom policy document in
 * the shipped catalogs and the test fakes' catalog must get the same verdict from both, and so must
 * the faults the fidelity ledger once listed as the product's known gap (local/COVERAGE.md).
 * Where the product is deliberately stricter than the witness, the case says so and why.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parsePolicyDocument } from '../../../shared/policy/policy-document';
import { parsePolicy } from '../../../local/access/policy';
import { catalogInput } from '../../fakes/world';

const ROOT = resolve(__dirname, '..', '..', '..');

interface CustomDocument {
  where: string;
  document: unknown;
}

function customDocuments(where: string, catalog: unknown): CustomDocument[] {
  const profiles = (catalog as { profiles?: Array<{ name: string; policies: Array<{ type: string; name: string; document?: unknown }> }> }).profiles ?? [];
  return profiles.flatMap((p) => p.policies.filter((x) => x.type === 'Custom').map((x) => ({ where: `${where} ${p.name}/${x.name}`, document: x.document })));
}

const readJson = (path: string): unknown => JSON.parse(readFileSync(join(ROOT, path), 'utf8'));

const CATALOGS: Array<[string, unknown]> = [
  ['examples/catalog.json', readJson('examples/catalog.json')],
  ['deploy/local-catalog.json', readJson('deploy/local-catalog.json')],
  ['test/fakes/world.ts', catalogInput],
];
const DOCUMENTS = CATALOGS.flatMap(([where, catalog]) => customDocuments(where, catalog));

type Verdict = 'accepted' | 'refused';

function product(document: unknown): Verdict {
  try {
    parsePolicyDocument(document, 'document');
    return 'accepted';
  } catch {
    return 'refused';
  }
}

function witness(document: unknown): Verdict {
  try {
    parsePolicy(typeof document === 'string' ? document : JSON.stringify(document), 'identity');
    return 'accepted';
  } catch {
    return 'refused';
  }
}

const withStatement = (statement: Record<string, unknown>): unknown => ({ Version: '1', Statement: [statement] });
const deny = (Condition: Record<string, unknown>): unknown => withStatement({ Effect: 'Deny', Action: '*', Resource: '*', Condition });

describe('Custom policy documents: config check and the witness agree', () => {
  it('finds the catalogs\' Custom documents (the check below is not vacuous)', () => {
    expect(DOCUMENTS.length).toBeGreaterThanOrEqual(3);
    expect(DOCUMENTS.map((d) => d.where)).toEqual(expect.arrayContaining([expect.stringMatching(/^examples\/catalog\.json /), expect.stringMatching(/^test\/fakes\/world\.ts /)]));
  });

  it.each(DOCUMENTS.map((d) => [d.where, d.document] as const))('%s: both accept it', (_where, document) => {
    expect({ product: product(document), witness: witness(document) }).toEqual({ product: 'accepted', witness: 'accepted' });
  });
});

describe('the faults of the former known gap: both refuse them', () => {
  it.each<[string, unknown]>([
    // Policy structure and syntax (doc-detail/28664): numbers and Booleans "must be enclosed by using double quotation marks".
    ['an unquoted number', deny({ NumericLessThan: { 'acs:Count': 3 } })],
    ['an unquoted boolean', deny({ Bool: { 'acs:SecureTransport': true } })],
    ['"TRUE" for Bool', deny({ Bool: { 'acs:SecureTransport': 'TRUE' } })],
    // Time of day: "YYYY-MM-DDThh:mm:ssZ or YYYY-MM-DDThh:mm:ss+hh:mm".
    ['a date without a time', deny({ DateGreaterThan: { 'acs:CurrentTime': '2026-11-29' } })],
    ['a date without a zone', deny({ DateGreaterThan: { 'acs:CurrentTime': '2026-11-29T12:00:00' } })],
    ['a date without seconds', deny({ DateGreaterThan: { 'acs:CurrentTime': '2026-11-29T12:00Z' } })],
    // Validate policies: "Invalid condition key format".
    ['a condition key without service:', deny({ StringEquals: { CurrentTime: 'x' } })],
    // Policy elements: acs:<service-name>:<region>:<account-id>:<relative-id>; Validate policies: "Invalid ARN prefix".
    ['a Resource that is not an acs: ARN', withStatement({ Effect: 'Allow', Action: 'oss:GetObject', Resource: 'mybucket/*' })],
    ['a Resource with four fields', withStatement({ Effect: 'Allow', Action: 'ecs:*', Resource: 'acs:ecs:*:instance/i-1' })],
    ['an AWS ARN', withStatement({ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' })],
    ['an empty Condition', withStatement({ Effect: 'Allow', Action: '*', Resource: '*', Condition: {} })],
    ['IfExists on a String operator', deny({ StringEqualsIfExists: { 'acs:SourceVpc': 'vpc-1' } })],
    ['a number with an exponent', deny({ NumericLessThan: { 'acs:Count': '1e3' } })],
  ])('%s', (_name, document) => {
    expect({ product: product(document), witness: witness(document) }).toEqual({ product: 'refused', witness: 'refused' });
  });
});

describe('what the docs show: both accept it', () => {
  it.each<[string, unknown]>([
    ['the time-of-day example', withStatement({ Action: 'ecs:*', Effect: 'Allow', Resource: '*', Condition: { DateLessThan: { 'acs:CurrentTime': '2019-08-12T17:00:00+08:00' } } })],
    ['a documented IfExists variant', deny({ DateGreaterThanIfExists: { 'acs:CurrentTime': '2019-08-12T09:00:00Z' } })],
    ['a quoted number and a quoted boolean', deny({ NumericLessThan: { 'acs:Count': '3' }, Bool: { 'acs:SecureTransport': 'false' } })],
    ['a RAM ARN with an empty region', withStatement({ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: 'acs:ram::1234567890123456:role/r' })],
    ['the policy elements page\'s Resource list', withStatement({ Effect: 'Allow', Action: ['oss:ListBuckets', 'ecs:Describe*'], Resource: ['acs:ecs:*:*:instance/inst-001', 'acs:oss:*:*:mybucket', 'acs:oss:*:*:mybucket/*'] })],
    ['IP blocks', deny({ NotIpAddress: { 'acs:SourceIp': ['192.0.2.0/24', '203.0.113.2'] } })],
  ])('%s', (_name, document) => {
    expect({ product: product(document), witness: witness(document) }).toEqual({ product: 'accepted', witness: 'accepted' });
  });
});

/**
 * The product refuses these and the witness accepts them. Each is a stricter reading on the
 * product's side (a refusal costs the catalog author an edit, a pass RAM refuses costs a failed grant),
 * so none makes `config check` pass what the local cloud would refuse.
 */
describe('known differences: the product is stricter', () => {
  it.each<[string, unknown]>([
    // Validate policies (help.aliyun.com/en/ram/permission-policy-check): "Invalid condition multiple Boolean".
    ['two Boolean values for one key', deny({ Bool: { 'acs:SecureTransport': ['true', 'false'] } })],
    // The docs show no fraction of a second; acs:CurrentTime has whole seconds.
    ['a fraction of a second', deny({ DateGreaterThan: { 'acs:CurrentTime': '2026-11-29T12:00:00.5Z' } })],
    // Policy elements: the service-name field of an ARN is not optional.
    ['an ARN without a service', withStatement({ Effect: 'Allow', Action: '*', Resource: 'acs::*:*:x' })],
    // Policy elements: Action is <service-name>:<action-name>; a service name has no dots or slashes.
    ['an action whose service has a dot', withStatement({ Effect: 'Allow', Action: 'ecs.v2:Describe*', Resource: '*' })],
  ])('%s', (_name, document) => {
    expect({ product: product(document), witness: witness(document) }).toEqual({ product: 'refused', witness: 'accepted' });
  });
});

/**
 * The KMS secret reader (shared/cloud/kms-adapter.ts) on the wire: the request openapi-core sends
 * (action GetSecretValue, version 2016-01-20, the secret's name, an ACS3-HMAC-SHA256 signature over
 * the function role's STS keys, verified here with the local cloud's signature code), the answer it
 * reads, and the KMS error codes it turns into typed errors. The local cloud emulates no KMS; this
 * KMS-shaped server answers as the API reference documents (api-kms-2016-01-20-getsecretvalue).
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { computeAcs3Signature, parseAcs3Authorization } from '../../local/core/signing/pop';
import { createKmsSecretReader } from '../../shared/cloud/kms-adapter';
import { MemoryLogger } from '../fakes/logger';

const KEYS = { accessKeyId: 'STS.NUgYrLnoC37mZZCNnAbez2', accessKeySecret: 'function-role-secret', securityToken: 'CAIS-token' };

interface Seen {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  signatureOk: boolean;
}

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

let server: Server;
let endpoint: string;
const seen: Seen[] = [];
let answers: Answer[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const url = new URL(req.url ?? '/', 'http://kms.local');
      const auth = parseAcs3Authorization(req.headers.authorization);
      const expected = auth === undefined ? undefined : computeAcs3Signature({ method: req.method ?? '', path: url.pathname, rawQuery: url.search.slice(1), headers: req.headers, body }, auth.signedHeaders, KEYS.accessKeySecret);
      seen.push({ method: req.method ?? '', path: url.pathname, query: url.searchParams, headers: req.headers, signatureOk: expected !== undefined && expected.signature === auth?.signature && auth.accessKeyId === KEYS.accessKeyId });
      const a = answers.shift() ?? { status: 500, body: { Code: 'InternalFailure', Message: 'no answer queued', RequestId: 'r-0' } };
      res.writeHead(a.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(a.body));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  endpoint = `127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
});

beforeEach(() => {
  seen.length = 0;
  answers = [];
});

const reader = () => createKmsSecretReader({ endpoint, protocol: 'http', credentials: KEYS, logger: new MemoryLogger(), retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2 } });
const ok = (data: string, type = 'text'): Answer => ({ status: 200, body: { SecretName: 'crossrole/ledger-url', SecretData: data, SecretDataType: type, VersionId: 'v1', VersionStages: { VersionStage: ['ACSCurrent'] }, RequestId: 'r-1' } });

describe('KMS GetSecretValue through openapi-core', () => {
  it('sends GetSecretValue 2016-01-20 for the secret\'s current version, signed with the function role\'s STS keys', async () => {
    answers = [ok('postgres://crossrole:pw@pgm-1.pg.rds.aliyuncs.com:5432/crossrole')];
    await expect(reader().getSecretValue('crossrole/ledger-url')).resolves.toBe('postgres://crossrole:pw@pgm-1.pg.rds.aliyuncs.com:5432/crossrole');
    expect(seen).toHaveLength(1);
    const [req] = seen;
    expect(req?.method).toBe('POST');
    expect(req?.path).toBe('/');
    expect(req?.headers['x-acs-action']).toBe('GetSecretValue');
    expect(req?.headers['x-acs-version']).toBe('2016-01-20');
    expect(req?.headers['x-acs-security-token']).toBe(KEYS.securityToken);
    expect(req?.query.get('SecretName')).toBe('crossrole/ledger-url');
    expect(req?.query.get('VersionStage')).toBe('ACSCurrent');
    expect(req?.signatureOk).toBe(true);
  });

  it('decodes a binary secret (KMS returns it base64-encoded)', async () => {
    answers = [ok(Buffer.from('postgres://u:p@h/db', 'utf8').toString('base64'), 'binary')];
    await expect(reader().getSecretValue('s')).resolves.toBe('postgres://u:p@h/db');
  });

  it('a secret that does not exist (Forbidden.ResourceNotFound, 404) is the operator\'s mistake: INVALID_CONFIG, not retried', async () => {
    answers = [{ status: 404, body: { Code: 'Forbidden.ResourceNotFound', Message: 'The resource not found', RequestId: 'r-2', HostId: 'kms.cn-hangzhou.aliyuncs.com' } }];
    const err = await reader().getSecretValue('crossrole/nope').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'INVALID_CONFIG', field: 'DATABASE_SECRET_NAME' });
    expect((err as Error).message).toMatch(/crossrole\/nope .*does not exist/);
    expect(seen).toHaveLength(1);
  });

  it('a refusal by RAM says which right the execution role lacks', async () => {
    answers = [{ status: 403, body: { Code: 'Forbidden.RAM', Message: 'User not authorized to operate on the specified resource.', RequestId: 'r-3' } }];
    const err = await reader().getSecretValue('crossrole/ledger-url').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'INVALID_CONFIG', field: 'DATABASE_SECRET_NAME' });
    expect((err as Error).message).toMatch(/kms:GetSecretValue.*crossrole bootstrap --database-secret crossrole\/ledger-url/);
  });

  it('throttling is retried, then answered', async () => {
    answers = [{ status: 429, body: { Code: 'Throttling', Message: 'slow down', RequestId: 'r-4' } }, ok('postgres://u@h/db')];
    await expect(reader().getSecretValue('s')).resolves.toBe('postgres://u@h/db');
    expect(seen).toHaveLength(2);
  });

  it('an unreachable KMS is DEPENDENCY_UNAVAILABLE (the cold start is retried on the next invocation)', async () => {
    const down = createKmsSecretReader({ endpoint: '127.0.0.1:1', protocol: 'http', credentials: KEYS, logger: new MemoryLogger(), retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 2 } });
    await expect(down.getSecretValue('s')).rejects.toMatchObject({ code: 'DEPENDENCY_UNAVAILABLE' });
  });
});

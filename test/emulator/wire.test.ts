/** Raw-HTTP tests pinning the POP wire format: statuses, bodies, headers, admin endpoints. */
import { createHash, randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { computeAcs3Signature, computeRpcSignature, percentEncode } from '../../local/core/signing/pop';
import { ACCOUNT_A, ACCOUNT_B, seedTutorial, startTestServer, type Creds, type LocalServer } from '../helpers/local-server';

interface Raw {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function send(server: LocalServer, method: string, target: string, headers: Record<string, string>, body = ''): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = request({ host: server.host, port: server.port, method, path: target, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const iso = (d = new Date()): string => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

/** An ACS3-signed POP request built by hand, like openapi-core does. */
function acs3(server: LocalServer, creds: Creds, version: string, action: string, params: Record<string, string>, opts: { nonce?: string; date?: string } = {}): Promise<Raw> {
  const rawQuery = Object.entries(params).map(([k, v]) => `${k}=${percentEncode(v)}`).join('&');
  const headers: Record<string, string> = {
    host: server.endpoint,
    'x-acs-action': action,
    'x-acs-version': version,
    'x-acs-date': opts.date ?? iso(),
    'x-acs-signature-nonce': opts.nonce ?? randomBytes(32).toString('hex'),
    'x-acs-content-sha256': createHash('sha256').update('').digest('hex'),
  };
  const signed = Object.keys(headers).sort();
  const { signature } = computeAcs3Signature({ method: 'POST', path: '/', rawQuery, headers, body: Buffer.alloc(0) }, signed, creds.accessKeySecret);
  headers.authorization = `ACS3-HMAC-SHA256 Credential=${creds.accessKeyId},SignedHeaders=${signed.join(';')},Signature=${signature}`;
  return send(server, 'POST', `/?${rawQuery}`, headers);
}

describe('POP wire format (raw HTTP)', () => {
  let server: LocalServer;
  let admin: Creds;
  let bob: Creds;

  beforeAll(async () => {
    server = await startTestServer();
    const t = seedTutorial(server);
    admin = t.adminA;
    bob = t.bob;
  });
  afterAll(async () => {
    await server.close();
  });

  it('an error body is {RequestId, HostId, Code, Message} with the status and a JSON content type', async () => {
    const r = await send(server, 'POST', '/?Action=ListRoles&Version=2015-05-01', {});
    expect(r.status).toBe(400);
    expect(r.headers['content-type']).toBe('application/json;charset=utf-8');
    const body = JSON.parse(r.body) as Record<string, unknown>;
    expect(body).toMatchObject({ HostId: 'ram.aliyuncs.com', Code: 'MissingSignature', Message: 'Signature is mandatory for this action.' });
    expect(body.RequestId).toBe(r.headers['x-acs-request-id']);
  });

  it('a success body has RequestId and arrays even when empty; numbers are numbers', async () => {
    const empty = await acs3(server, admin, '2015-05-01', 'ListRoles', {});
    expect(empty.status).toBe(200);
    expect(JSON.parse(empty.body)).toEqual({ RequestId: expect.any(String), IsTruncated: false, Roles: { Role: [] } });
    const trust = JSON.stringify({ Version: '1', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { RAM: [`acs:ram::${ACCOUNT_B}:root`] } }] });
    const created = await acs3(server, admin, '2015-05-01', 'CreateRole', { RoleName: 'wire-role', AssumeRolePolicyDocument: trust, MaxSessionDuration: '7200' });
    expect(created.status).toBe(200);
    const role = (JSON.parse(created.body) as { Role: Record<string, unknown> }).Role;
    expect(role.MaxSessionDuration).toBe(7200);
    expect(role.Arn).toBe(`acs:ram::${ACCOUNT_A}:role/wire-role`);
    const one = JSON.parse((await acs3(server, admin, '2015-05-01', 'ListRoles', {})).body) as { Roles: { Role: unknown[] } };
    expect(Array.isArray(one.Roles.Role)).toBe(true);
    expect(one.Roles.Role).toHaveLength(1);
  });

  it('an unknown action is InvalidAction.NotFound (404)', async () => {
    const r = await acs3(server, admin, '2015-05-01', 'FlyToTheMoon', {});
    expect(r.status).toBe(404);
    expect(JSON.parse(r.body)).toMatchObject({ Code: 'InvalidAction.NotFound' });
  });

  it('a reused nonce is SignatureNonceUsed (400); a stale date InvalidTimeStamp.Expired (400)', async () => {
    const nonce = randomBytes(32).toString('hex');
    expect((await acs3(server, admin, '2015-04-01', 'GetCallerIdentity', {}, { nonce })).status).toBe(200);
    const again = await acs3(server, admin, '2015-04-01', 'GetCallerIdentity', {}, { nonce });
    expect([again.status, (JSON.parse(again.body) as { Code: string }).Code]).toEqual([400, 'SignatureNonceUsed']);
    const stale = await acs3(server, admin, '2015-04-01', 'GetCallerIdentity', {}, { date: iso(new Date(Date.now() - 16 * 60_000)) });
    expect([stale.status, (JSON.parse(stale.body) as { Code: string }).Code]).toEqual([400, 'InvalidTimeStamp.Expired']);
    const sts = JSON.parse((await acs3(server, admin, '2015-04-01', 'GetCallerIdentity', {})).body) as Record<string, unknown>;
    expect(sts).toMatchObject({ AccountId: ACCOUNT_A, IdentityType: 'Account' });
    expect(sts).not.toHaveProperty('Code');
  });

  it('routes by version: RAM, STS and ECS share the endpoint; an unknown version or path is 404', async () => {
    expect((await acs3(server, admin, '2014-05-26', 'DescribeRegions', {})).status).toBe(200);
    expect((await acs3(server, admin, '2099-01-01', 'DescribeRegions', {})).status).toBe(404);
    expect((await send(server, 'GET', '/nothing/here', {})).status).toBe(404);
  });

  it('HMAC-SHA1 with parameters split between query and form body (the @alicloud/credentials AssumeRole form)', async () => {
    server.ram.createRole(ACCOUNT_A, { roleName: 'form-role', assumeRolePolicyDocument: { Version: '1', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { RAM: [`acs:ram::${ACCOUNT_B}:root`] } }] } });
    server.ram.attachPolicyToUser(ACCOUNT_B, 'System', 'AliyunSTSAssumeRoleAccess', 'Bob');
    const query: Array<[string, string]> = [
      ['Version', '2015-04-01'], ['Action', 'AssumeRole'], ['Format', 'JSON'], ['Timestamp', iso()], ['SignatureMethod', 'HMAC-SHA1'],
      ['SignatureVersion', '1.0'], ['SignatureNonce', randomBytes(16).toString('hex')], ['AccessKeyId', bob.accessKeyId],
    ];
    const form: Array<[string, string]> = [['RoleArn', `acs:ram::${ACCOUNT_A}:role/form-role`], ['RoleSessionName', 's1'], ['DurationSeconds', '3600']];
    const { signature } = computeRpcSignature('POST', [...query, ...form], bob.accessKeySecret);
    const enc = (pairs: Array<[string, string]>): string => pairs.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');
    const r = await send(server, 'POST', `/?${enc(query)}&Signature=${encodeURIComponent(signature)}`, { 'content-type': 'application/x-www-form-urlencoded' }, enc(form));
    expect(r.status).toBe(200);
    const body = JSON.parse(r.body) as { Credentials: Record<string, string> };
    expect(body.Credentials.AccessKeyId).toMatch(/^STS\./);
    expect(body.Credentials.Expiration).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
  });

  it('admin endpoints: health, faults, reset', async () => {
    const health = await send(server, 'GET', '/_local/health', {});
    expect(JSON.parse(health.body)).toEqual({ status: 'ok', services: ['ram', 'sts', 'ecs'] });
    const set = await send(server, 'POST', '/_local/faults', { 'content-type': 'application/json' }, JSON.stringify({ failActions: ['GetCallerIdentity'] }));
    expect(JSON.parse(set.body)).toEqual({ failActions: ['GetCallerIdentity'] });
    const failed = await acs3(server, admin, '2015-04-01', 'GetCallerIdentity', {});
    expect([failed.status, (JSON.parse(failed.body) as { Code: string }).Code]).toEqual([500, 'InternalError']);
    const reset = await send(server, 'POST', '/_local/reset', {});
    expect(reset.status).toBe(200);
    expect(server.ram.listAccounts()).toEqual([]);
    const gone = await acs3(server, admin, '2015-04-01', 'GetCallerIdentity', {});
    expect([gone.status, (JSON.parse(gone.body) as { Code: string }).Code]).toEqual([404, 'InvalidAccessKeyId.NotFound']);
  });
});

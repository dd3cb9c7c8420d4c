/**
 * Identity proofs end to end: built by buildIdentityProof, verified by createIdentityVerifier,
 * replayed to the REAL local STS (which checks the ACS3 signature and the STS token). Plus proof
 * that the builder signs byte for byte like @alicloud/sts20150401 does.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import Sts from '@alicloud/sts20150401';
import { createStsClient } from '../../shared/cloud/sts-adapter';
import { CrossroleError } from '../../shared/domain/errors';
import { silentLogger, type Logger } from '../../shared/domain/ports';
import { buildIdentityProof, buildIdentityRequest } from '../../shared/identity/proof';
import { createIdentityVerifier } from '../../shared/identity/verify';
import { ACCOUNT_A, ACCOUNT_B, seedTutorial, startTestServer, type LocalServer, type Tutorial } from '../helpers/local-server';

const logger: Logger = silentLogger;

let server: LocalServer;
let other: LocalServer;
let cast: Tutorial;
let alice: { accessKeyId: string; accessKeySecret: string };

function verifierFor(allowed: string) {
  const used = new Set<string>();
  const calls: string[] = [];
  const recordingFetch = ((url: string | URL | Request, init?: RequestInit) => {
    calls.push(String(url));
    return fetch(url, init);
  }) as typeof fetch;
  const verifier = createIdentityVerifier({
    allowedStsUrls: [allowed],
    nonces: { useNonce: async (n: string) => (used.has(n) ? false : (used.add(n), true)) },
    clock: { now: () => new Date() },
    fetchImpl: recordingFetch,
    logger,
  });
  return { verifier, calls };
}

async function refusal(p: Promise<unknown>): Promise<CrossroleError> {
  const e = await p.then(() => undefined, (x: unknown) => x);
  if (!(e instanceof CrossroleError)) throw new Error(`expected a CrossroleError, got ${String(e)}`);
  return e;
}

beforeAll(async () => {
  server = await startTestServer();
  other = await startTestServer();
  cast = seedTutorial(server);
  server.ram.createUser(ACCOUNT_A, 'alice');
  const k = server.ram.createAccessKey(ACCOUNT_A, 'alice');
  alice = { accessKeyId: k.accessKeyId, accessKeySecret: k.accessKeySecret };
});

afterAll(async () => {
  await server.close();
  await other.close();
});

describe('identity proofs against the local STS', () => {
  it('verifies a RAM user (who needs no permissions to prove who they are)', async () => {
    const { verifier, calls } = verifierFor(`${server.url}/`);
    const proof = buildIdentityProof({ stsEndpoint: server.endpoint, protocol: 'http', credentials: alice });
    const id = await verifier.verify(proof);
    expect(id).toMatchObject({ accountId: ACCOUNT_A, arn: `acs:ram::${ACCOUNT_A}:user/alice`, identityType: 'RAMUser' });
    expect(id.principalId).not.toBe('');
    expect(calls).toEqual([`${server.url}/`]);
  });

  it('verifies an assumed role (STS credentials with a security token)', async () => {
    const trust = JSON.stringify({ Version: '1', Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { RAM: [`acs:ram::${ACCOUNT_B}:root`] } }] });
    server.ram.createRole(ACCOUNT_A, { roleName: 'crossrole-id', assumeRolePolicyDocument: trust });
    server.ram.attachPolicyToUser(ACCOUNT_B, 'System', 'AliyunSTSAssumeRoleAccess', 'Bob');
    const sts = createStsClient({ endpoint: server.endpoint, protocol: 'http', credentials: cast.bob, logger });
    const creds = await sts.assumeRole({ roleArn: `acs:ram::${ACCOUNT_A}:role/crossrole-id`, roleSessionName: 'bob', durationSeconds: 900 });

    const { verifier } = verifierFor(`${server.url}/`);
    const id = await verifier.verify(buildIdentityProof({ stsEndpoint: server.endpoint, protocol: 'http', credentials: creds }));
    expect(id.accountId).toBe(ACCOUNT_A);
    expect(id.arn).toContain('crossrole-id');
    expect(id.identityType).not.toBe('RAMUser');
  });

  it('refuses a replayed proof before it reaches STS', async () => {
    const { verifier, calls } = verifierFor(`${server.url}/`);
    const proof = buildIdentityProof({ stsEndpoint: server.endpoint, protocol: 'http', credentials: alice });
    await verifier.verify(proof);
    expect((await refusal(verifier.verify(proof))).code).toBe('IDENTITY_REPLAYED');
    expect(calls).toHaveLength(1);
  });

  it('refuses a proof addressed to the local cloud on another port, without calling it', async () => {
    const { verifier, calls } = verifierFor(`${server.url}/`);
    const proof = buildIdentityProof({ stsEndpoint: other.endpoint, protocol: 'http', credentials: alice });
    expect((await refusal(verifier.verify(proof))).code).toBe('IDENTITY_ENDPOINT_NOT_ALLOWED');
    expect(calls).toHaveLength(0);
  });

  it('lets STS reject a proof signed with the wrong secret (IDENTITY_REJECTED with the STS code)', async () => {
    const { verifier } = verifierFor(`${server.url}/`);
    const forged = buildIdentityProof({ stsEndpoint: server.endpoint, protocol: 'http', credentials: { accessKeyId: alice.accessKeyId, accessKeySecret: 'not-the-secret-0123456789abcdef' } });
    const e = await refusal(verifier.verify(forged));
    expect(e.code).toBe('IDENTITY_REJECTED');
    expect(e.details?.['stsCode']).toBe('SignatureDoesNotMatch');
  });

  it('maps an STS that is down to DEPENDENCY_UNAVAILABLE', async () => {
    const down = await startTestServer();
    const url = `${down.url}/`;
    const endpoint = down.endpoint;
    await down.close();
    const { verifier } = verifierFor(url);
    const e = await refusal(verifier.verify(buildIdentityProof({ stsEndpoint: endpoint, protocol: 'http', credentials: alice })));
    expect(e.code).toBe('DEPENDENCY_UNAVAILABLE');
  });
});

describe('buildIdentityProof signs like the SDK', () => {
  let capture: Server;
  let seen: IncomingHttpHeaders | undefined;
  let target = '';

  beforeAll(async () => {
    capture = createServer((req, res) => {
      seen = req.headers;
      target = req.url ?? '';
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ RequestId: 'r', AccountId: ACCOUNT_A, Arn: `acs:ram::${ACCOUNT_A}:user/alice`, PrincipalId: 'p', IdentityType: 'RAMUser', UserId: 'p' }));
    });
    await new Promise<void>((resolve) => capture.listen(0, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => capture.close(() => resolve()));
  });

  it.each([
    ['AK credentials', { accessKeyId: 'LTAI5tFAKEACCESSKEYID01', accessKeySecret: 'FakeSecret0123456789abcdefghijkl' }],
    ['STS credentials', { accessKeyId: 'STS.NUgYrLnoC37mZZCNnAbezFAKE', accessKeySecret: 'StsFakeSecret9876543210zyxwvuts', securityToken: 'CAIS+fakeSecurityToken/with+plus=and/slash==' }],
  ])('produces the same Authorization as @alicloud/sts20150401 for %s', async (_name, creds) => {
    const endpoint = `127.0.0.1:${(capture.address() as AddressInfo).port}`;
    const sdk = new Sts(new $OpenApiUtil.Config({ ...creds, endpoint, protocol: 'http' }));
    await sdk.getCallerIdentity();
    expect(target).toBe('/');
    const h = seen!;
    const date = String(h['x-acs-date']);
    const env = buildIdentityRequest({ stsEndpoint: endpoint, protocol: 'http', credentials: creds, now: new Date(date), nonce: String(h['x-acs-signature-nonce']) });
    expect(env.headers['authorization']).toBe(h['authorization']);
    for (const name of ['host', 'x-acs-action', 'x-acs-version', 'x-acs-date', 'x-acs-content-sha256', 'x-acs-credentials-provider', 'x-acs-security-token', 'x-acs-accesskey-id', 'accept']) {
      expect([name, env.headers[name]]).toEqual([name, h[name]]);
    }
  });
});

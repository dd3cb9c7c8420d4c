/**
 * Client side of identity proofs: build a signed, UNSENT STS GetCallerIdentity request, the way
 * Vault's AliCloud auth method does (anchors.md §1.3), and serialize it for the
 * `X-Crossrole-Identity` header.
 *
 * The request is assembled exactly as openapi-core's `doRequest` assembles it for
 * @alicloud/sts20150401 (same headers, same nonce and hash helpers) and signed by the SDK's own
 * `OpenApiUtil.getAuthorization`, so STS sees a request indistinguishable from one the SDK sent.
 * The emulator test compares the signature byte for byte with a request the SDK really sent.
 */
import { Readable } from 'node:stream';
import { OpenApiUtil } from '@alicloud/openapi-core';
import { ValidationError } from '../domain/errors';
import type { CloudCredentials } from '../cloud/credentials';
import { assertPopEndpoint } from '../cloud/pop-config';
import {
  ACS3_ALGORITHM, acsTimestamp, encodeProof, PROOF_VERSION, STS_API_VERSION, STS_IDENTITY_ACTION, type IdentityProofEnvelope,
} from './proof-format';

interface IdentityProofInput {
  /** STS endpoint `host[:port]`, e.g. `sts.aliyuncs.com` or `127.0.0.1:9494`. */
  stsEndpoint: string;
  protocol: 'http' | 'https';
  credentials: CloudCredentials;
  /** Signing time (default: now). */
  now?: Date;
  /** Signature nonce (default: the SDK's generator). Only tests pin it. */
  nonce?: string;
}

type SignableRequest = Parameters<typeof OpenApiUtil.getAuthorization>[0];

/** The signed request, before serialization (for tests and diagnostics). */
export function buildIdentityRequest(input: IdentityProofInput): IdentityProofEnvelope {
  assertPopEndpoint(input.stsEndpoint, 'stsEndpoint');
  const url = `${input.protocol}://${input.stsEndpoint}/`;
  // The signed Host header is the endpoint string; the verifier requires it to equal the URL's
  // host, so an endpoint that URL parsing would rewrite (e.g. an explicit default port) is refused here.
  if (new URL(url).host !== input.stsEndpoint) {
    throw new ValidationError('INVALID_CONFIG', 'stsEndpoint', `must be in canonical form (got ${JSON.stringify(input.stsEndpoint)}, expected ${new URL(url).host})`);
  }
  const { accessKeyId, accessKeySecret, securityToken } = input.credentials;
  if (!accessKeyId || !accessKeySecret) throw new ValidationError('INVALID_CONFIG', 'credentials', 'accessKeyId and accessKeySecret are required');

  const payloadHash = OpenApiUtil.hash(Buffer.from('', 'utf-8'), ACS3_ALGORITHM).toString('hex');
  const headers: Record<string, string> = {
    host: input.stsEndpoint,
    'x-acs-version': STS_API_VERSION,
    'x-acs-action': STS_IDENTITY_ACTION,
    'x-acs-date': acsTimestamp(input.now ?? new Date()),
    'x-acs-signature-nonce': input.nonce ?? OpenApiUtil.getNonce(),
    accept: 'application/json',
    'x-acs-content-sha256': payloadHash,
    'x-acs-credentials-provider': securityToken ? 'static_sts' : 'static_ak',
  };
  if (securityToken) {
    headers['x-acs-accesskey-id'] = accessKeyId;
    headers['x-acs-security-token'] = securityToken;
  }
  const request: SignableRequest = {
    protocol: input.protocol,
    port: 0,
    method: 'POST',
    pathname: '/',
    query: {},
    headers,
    body: Readable.from([]),
  };
  headers['authorization'] = OpenApiUtil.getAuthorization(request, ACS3_ALGORITHM, payloadHash, accessKeyId, accessKeySecret);
  return { v: PROOF_VERSION, method: 'POST', url, headers };
}

/** The `X-Crossrole-Identity` header value. */
export function buildIdentityProof(input: IdentityProofInput): string {
  return encodeProof(buildIdentityRequest(input));
}

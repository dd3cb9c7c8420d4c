/**
 * Wire format of an identity proof, shared by the builder (client) and the verifier (server):
 * base64url of compact JSON `{"v":1,"method":"POST","url":"...","headers":{...}}`, carried in the
 * `X-Crossrole-Identity` header. It is a signed but unsent STS GetCallerIdentity request; it holds
 * the caller's signature and (for STS keys) security token, never an AccessKeySecret.
 */

export const IDENTITY_HEADER = 'x-crossrole-identity';
export const PROOF_VERSION = 1;
/** Header values above ~8 KB are refused by many proxies; real STS tokens are 1-2 KB. */
export const DEFAULT_MAX_PROOF_BYTES = 8 * 1024;

export const STS_API_VERSION = '2015-04-01';
export const STS_IDENTITY_ACTION = 'GetCallerIdentity';
export const ACS3_ALGORITHM = 'ACS3-HMAC-SHA256';
/** hex SHA-256 of the empty body: a GetCallerIdentity request has none. */
export const EMPTY_BODY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

export interface IdentityProofEnvelope {
  v: typeof PROOF_VERSION;
  method: string;
  url: string;
  /** Lower-case names. */
  headers: Record<string, string>;
}

export function encodeProof(envelope: IdentityProofEnvelope): string {
  return Buffer.from(JSON.stringify(envelope), 'utf8').toString('base64url');
}

/** UTC `YYYY-MM-DDTHH:mm:ssZ`, the `x-acs-date` format (openapi-core `getTimestamp`). */
export function acsTimestamp(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * Server side of identity proofs (docs/architecture.md "Identity proofs"): Vault's AliCloud auth
 * method with replay protection added. Every local check runs first, in a fixed order; only a
 * proof that passes all of them is replayed to STS, so a caller can never make this server send
 * a request anywhere but the configured STS endpoints, or anything but GetCallerIdentity.
 *
 * What the proof's own signature protects (host, x-acs-* incl. date and nonce) is verified by STS
 * when we replay it; what we check locally is that those fields are signed and acceptable.
 */
import { CrossroleError, AuthenticationError, ValidationError, errorMessage } from '../domain/errors';
import type { CallerIdentity, Clock, IdentityVerifier, Logger, RequestRepository } from '../domain/ports';
import {
  ACS3_ALGORITHM, DEFAULT_MAX_PROOF_BYTES, EMPTY_BODY_SHA256, PROOF_VERSION, STS_API_VERSION, STS_IDENTITY_ACTION,
} from './proof-format';

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9a-z-]{1,64}$/;
const HEADER_VALUE = /^[\x20-\x7e]{0,4096}$/;

interface IdentityVerifierOptions {
  /** Exact STS endpoints, e.g. `http://127.0.0.1:9494/`, `https://sts.aliyuncs.com/`. */
  allowedStsUrls: string[];
  nonces: Pick<RequestRepository, 'useNonce'>;
  clock: Clock;
  fetchImpl?: typeof fetch;
  maxProofBytes?: number;
  /** Allowed distance of the signed `x-acs-date` from our clock (default 5 min). */
  maxSkewMs?: number;
  /** How long a used nonce is remembered after the signed date (default 10 min > 2 x skew). */
  nonceTtlMs?: number;
  /** STS replay timeout (default 5 s). */
  timeoutMs?: number;
  logger: Logger;
}

/** Headers replayed to STS; anything else in the proof is dropped. */
const FORWARDED = (name: string): boolean =>
  name === 'host' || name.startsWith('x-acs-') || name === 'authorization' || name === 'content-type' || name === 'accept';
/** Must be covered by the signature, or a caller could alter them (e.g. mint fresh nonces for one signature). */
const MUST_BE_SIGNED = ['host', 'x-acs-action', 'x-acs-version', 'x-acs-date', 'x-acs-signature-nonce', 'x-acs-content-sha256'];
const ACS3_AUTH = /^ACS3-HMAC-SHA256 Credential=([^,\s]+),SignedHeaders=([a-z0-9;-]+),Signature=([0-9a-f]{64})$/;
const ACS_DATE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})Z$/;
const NONCE = /^[A-Za-z0-9_.-]{8,128}$/;
/** A valid base64url header value (no padding, no other characters). */
const BASE64URL = /^[A-Za-z0-9_-]+$/;

function hasControlCharacter(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}

interface ParsedProof {
  method: string;
  url: string;
  headers: Map<string, string>;
}

const fail = (code: ConstructorParameters<typeof AuthenticationError>[0], message: string, details?: Record<string, unknown>): AuthenticationError =>
  new AuthenticationError(code, message, details ? { details } : {});

function parseProof(proof: string, maxBytes: number): ParsedProof {
  if (Buffer.byteLength(proof, 'utf8') > maxBytes) throw fail('IDENTITY_INVALID', `identity proof is larger than ${maxBytes} bytes`);
  if (!BASE64URL.test(proof)) throw fail('IDENTITY_INVALID', 'identity proof is not base64url');
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(proof, 'base64url').toString('utf8'));
  } catch {
    throw fail('IDENTITY_INVALID', 'identity proof is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw fail('IDENTITY_INVALID', 'identity proof is not an object');
  const o = value as Record<string, unknown>;
  const keys = Object.keys(o).sort().join(',');
  if (keys !== 'headers,method,url,v' || o['v'] !== PROOF_VERSION) throw fail('IDENTITY_INVALID', `identity proof must be {v:${PROOF_VERSION}, method, url, headers}`);
  const { method, url, headers } = o;
  if (typeof method !== 'string' || typeof url !== 'string' || typeof headers !== 'object' || headers === null || Array.isArray(headers)) {
    throw fail('IDENTITY_INVALID', 'identity proof has fields of the wrong type');
  }
  const map = new Map<string, string>();
  for (const [rawName, v] of Object.entries(headers as Record<string, unknown>)) {
    const name = rawName.toLowerCase();
    if (!/^[a-z0-9-]+$/.test(name)) throw fail('IDENTITY_INVALID', `identity proof has an invalid header name ${JSON.stringify(rawName)}`);
    // Control characters would let a value smuggle extra header lines into the replay.
    if (typeof v !== 'string' || hasControlCharacter(v)) throw fail('IDENTITY_INVALID', `identity proof header ${name} has an invalid value`);
    if (map.has(name)) throw fail('IDENTITY_INVALID', `identity proof repeats header ${name}`);
    map.set(name, v);
  }
  return { method, url, headers: map };
}

interface AllowedUrl {
  href: string;
  originAndPath: string;
}

function canonicalAllowedUrl(raw: string): AllowedUrl {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new ValidationError('INVALID_CONFIG', 'allowedStsUrls', `${JSON.stringify(raw)} is not a URL`);
  }
  if ((u.protocol !== 'http:' && u.protocol !== 'https:') || u.username || u.password || u.search || u.hash || raw.includes('#') || raw.includes('?')) {
    throw new ValidationError('INVALID_CONFIG', 'allowedStsUrls', `${JSON.stringify(raw)} must be a plain http(s) origin and path`);
  }
  return { href: u.href, originAndPath: `${u.origin}${u.pathname}` };
}

function checkUrl(raw: string, allowed: readonly AllowedUrl[]): URL {
  const refuse = (why: string): AuthenticationError => fail('IDENTITY_ENDPOINT_NOT_ALLOWED', `identity proof is addressed to a URL that is not an allowed STS endpoint (${why})`);
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw refuse('unparseable');
  }
  // WHATWG parsing silently rewrites decimal/hex/octal IPv4, case, default ports and empty
  // fragments; a proof must already be in canonical form, so rewritten spellings never match.
  if (u.href !== raw) throw refuse('not in canonical form');
  if (u.username !== '' || u.password !== '') throw refuse('userinfo');
  if (u.hash !== '' || raw.includes('#')) throw refuse('fragment');
  // ACS3 GetCallerIdentity has no API parameters: everything signed travels in headers.
  if (u.search !== '' || raw.includes('?')) throw refuse('query');
  const originAndPath = `${u.origin}${u.pathname}`;
  if (!allowed.some((a) => a.originAndPath === originAndPath && a.href === raw)) throw refuse('not in the allowlist');
  return u;
}

function parseAcsDate(value: string | undefined): Date | undefined {
  const m = value === undefined ? null : ACS_DATE.exec(value);
  if (!m) return undefined;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])));
  // Reject dates that Date.UTC silently normalised (e.g. 2026-02-31).
  return value === d.toISOString().replace(/\.\d{3}Z$/, 'Z') ? d : undefined;
}

function str(o: Record<string, unknown>, key: string): string | undefined {
  const v = o[key];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

export function createIdentityVerifier(options: IdentityVerifierOptions): IdentityVerifier {
  if (options.allowedStsUrls.length === 0) throw new ValidationError('INVALID_CONFIG', 'allowedStsUrls', 'at least one STS URL is required');
  const allowed = options.allowedStsUrls.map(canonicalAllowedUrl);
  const maxBytes = options.maxProofBytes ?? DEFAULT_MAX_PROOF_BYTES;
  const maxSkewMs = options.maxSkewMs ?? 5 * 60_000;
  const nonceTtlMs = options.nonceTtlMs ?? 10 * 60_000;
  const timeoutMs = options.timeoutMs ?? 5_000;
  const fetchImpl = options.fetchImpl ?? fetch;
  const log = options.logger;

  async function verifyLocally(proof: string | undefined): Promise<{ url: URL; forward: Record<string, string>; accessKeyId: string }> {
    if (proof === undefined || proof.trim() === '') throw fail('IDENTITY_MISSING', 'the X-Crossrole-Identity header is required');
    const p = parseProof(proof.trim(), maxBytes);
    if (p.method !== 'POST') throw fail('IDENTITY_INVALID', `identity proof method must be POST, not ${p.method.slice(0, 16)}`);
    const url = checkUrl(p.url, allowed);
    const h = p.headers;
    if (h.get('host') !== url.host) throw fail('IDENTITY_ENDPOINT_NOT_ALLOWED', 'identity proof Host header does not match its URL');
    if (h.get('x-acs-action') !== STS_IDENTITY_ACTION || h.get('x-acs-version') !== STS_API_VERSION) {
      throw fail('IDENTITY_ACTION_NOT_ALLOWED', `identity proof must be STS ${STS_IDENTITY_ACTION} version ${STS_API_VERSION}`, {
        action: (h.get('x-acs-action') ?? '').slice(0, 64), version: (h.get('x-acs-version') ?? '').slice(0, 16),
      });
    }
    const auth = ACS3_AUTH.exec(h.get('authorization') ?? '');
    if (!auth?.[1] || !auth[2]) throw fail('IDENTITY_INVALID', `identity proof must carry an ${ACS3_ALGORITHM} Authorization header`);
    const signed = new Set(auth[2].split(';'));
    const token = h.get('x-acs-security-token');
    const required = token === undefined ? MUST_BE_SIGNED : [...MUST_BE_SIGNED, 'x-acs-security-token', 'x-acs-accesskey-id'];
    const unsigned = required.filter((n) => !signed.has(n));
    if (unsigned.length > 0) throw fail('IDENTITY_INVALID', `identity proof does not sign ${unsigned.join(', ')}`);
    if (h.get('x-acs-content-sha256') !== EMPTY_BODY_SHA256) throw fail('IDENTITY_INVALID', 'identity proof must be for an empty body');
    const date = parseAcsDate(h.get('x-acs-date'));
    if (!date) throw fail('IDENTITY_INVALID', 'identity proof x-acs-date is not YYYY-MM-DDTHH:mm:ssZ');
    const skew = date.getTime() - options.clock.now().getTime();
    if (Math.abs(skew) > maxSkewMs) {
      throw fail('IDENTITY_EXPIRED', `identity proof was signed ${Math.round(Math.abs(skew) / 1000)} s ${skew < 0 ? 'ago' : 'in the future'}; build a fresh one`, { maxSkewSeconds: maxSkewMs / 1000 });
    }
    const nonce = h.get('x-acs-signature-nonce') ?? '';
    if (!NONCE.test(nonce)) throw fail('IDENTITY_INVALID', 'identity proof x-acs-signature-nonce is malformed');

    const forward: Record<string, string> = {};
    for (const [name, value] of h) {
      if (!FORWARDED(name) || name === 'host') continue;
      // Only what HTTP can carry as sent: a value fetch would refuse (control or non-ASCII
      // characters) is the caller's malformed proof, not an STS outage.
      if (!HEADER_NAME.test(name) || !HEADER_VALUE.test(value)) throw fail('IDENTITY_INVALID', `identity proof header ${name.slice(0, 40)} is not a valid HTTP header`);
      forward[name] = value;
    }

    // Last local step: burn the nonce. Everything above is free of side effects.
    if (!(await options.nonces.useNonce(nonce, new Date(date.getTime() + nonceTtlMs)))) {
      throw fail('IDENTITY_REPLAYED', 'identity proof was already used; build a fresh one for every request');
    }
    return { url, forward, accessKeyId: auth[1] };
  }

  return {
    async verify(proof) {
      let local: Awaited<ReturnType<typeof verifyLocally>>;
      try {
        local = await verifyLocally(proof);
      } catch (e) {
        if (e instanceof CrossroleError) log.info('identity proof refused', { code: e.code, reason: e.message });
        throw e;
      }
      const { url, forward, accessKeyId } = local;

      let response: Response;
      try {
        // Fetch derives Host from the URL, which equals the signed Host header (checked above).
        response = await fetchImpl(url.href, { method: 'POST', headers: forward, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
      } catch (e) {
        log.warn('STS unreachable while verifying an identity proof', { sts: url.origin, error: errorMessage(e) });
        throw new CrossroleError('DEPENDENCY_UNAVAILABLE', `STS at ${url.origin} is unreachable; try again`, { cause: e, details: { service: 'STS', action: STS_IDENTITY_ACTION } });
      }
      if (response.status >= 300 && response.status < 400 || response.type === 'opaqueredirect') {
        throw fail('IDENTITY_REJECTED', 'STS answered the identity proof with a redirect', { status: response.status });
      }
      let body: Record<string, unknown> = {};
      try {
        const parsed: unknown = JSON.parse(await response.text());
        if (typeof parsed === 'object' && parsed !== null) body = parsed as Record<string, unknown>;
      } catch {
        // handled below: no usable fields
      }
      if (!response.ok) {
        const stsCode = str(body, 'Code') ?? `HTTP${response.status}`;
        const details = { stsCode, status: response.status, ...(str(body, 'RequestId') ? { requestId: str(body, 'RequestId') } : {}) };
        if (response.status >= 500 || /Throttling/.test(stsCode)) {
          throw new CrossroleError('DEPENDENCY_UNAVAILABLE', `STS could not verify the identity proof now (${stsCode}); try again`, { details: { ...details, service: 'STS' } });
        }
        log.info('STS rejected an identity proof', { ...details, accessKeyId });
        throw fail('IDENTITY_REJECTED', `STS rejected the identity proof (${stsCode})`, details);
      }
      const accountId = str(body, 'AccountId');
      const arn = str(body, 'Arn');
      if (!accountId || !/^\d+$/.test(accountId) || !arn || !arn.startsWith(`acs:ram::${accountId}:`)) {
        throw fail('IDENTITY_REJECTED', 'STS answered the identity proof without a usable AccountId/Arn');
      }
      return {
        accountId,
        arn,
        principalId: str(body, 'PrincipalId') ?? str(body, 'UserId') ?? '',
        identityType: str(body, 'IdentityType') ?? '',
      } satisfies CallerIdentity;
    },
  };
}

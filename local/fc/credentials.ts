/**
 * Each function's execution-role credentials, minted as FC does: the FC service principal
 * (`fc.aliyuncs.com`) assumes the function's role. Cached per function and refreshed once a
 * quarter of their lifetime remains, so a handler never receives credentials about to expire.
 */
import type { IssuedCredentials, ServiceRoleIssuer } from '../core/contract';

const FC_SERVICE_PRINCIPAL = 'fc.aliyuncs.com';

interface Cached {
  creds: IssuedCredentials;
  refreshAt: number;
  generation: number;
}

interface RoleCredentialsResult {
  credentials?: IssuedCredentials;
  /** Changes whenever the credentials are re-issued; instances started with older ones are retired. */
  generation: number;
}

export class RoleCredentialCache {
  private readonly cache = new Map<string, Cached>();

  constructor(private readonly issuer: ServiceRoleIssuer, private readonly durationSeconds: number, private readonly now: () => number = Date.now) {}

  /** Credentials of `role` for `functionName`; throws what the issuer throws (unknown role, untrusted service). */
  get(functionName: string, role: string | undefined): RoleCredentialsResult {
    if (role === undefined) return { generation: 0 };
    const key = `${functionName}\n${role}`;
    const hit = this.cache.get(key);
    const now = this.now();
    if (hit && now < hit.refreshAt) return { credentials: hit.creds, generation: hit.generation };
    // Session names allow [\w.@-]{2,64}; function names are a subset of that alphabet.
    const session = `fc-${functionName}`.slice(0, 64);
    const creds = this.issuer.assumeRoleAsService(role, FC_SERVICE_PRINCIPAL, session, this.durationSeconds);
    const expires = Date.parse(creds.expiration);
    const lifetime = Number.isFinite(expires) ? expires - now : this.durationSeconds * 1000;
    const entry = { creds, refreshAt: now + Math.max(0, lifetime * 0.75), generation: (hit?.generation ?? 0) + 1 };
    this.cache.set(key, entry);
    return { credentials: creds, generation: entry.generation };
  }
}

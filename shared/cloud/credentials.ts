/**
 * Credentials for the cloud adapters. In FC the handler passes `context.credentials` (STS keys of
 * the function's role, refreshed by the platform per invocation); the CLI passes a provider over
 * the @alicloud/credentials default chain. Adapters always go through a CredentialProvider so a
 * rotated STS token is picked up without rebuilding the wiring.
 */
import Credential from '@alicloud/credentials';

export interface CloudCredentials {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string;
}

export interface CredentialProvider {
  get(): Promise<CloudCredentials>;
}

export type CredentialsInput = CloudCredentials | CredentialProvider;

export function isCredentialProvider(value: CredentialsInput): value is CredentialProvider {
  return typeof (value as Partial<CredentialProvider>).get === 'function';
}

/** A provider that always answers the same keys (a copy, so later mutation of the input is ignored). */
export function staticCredentials(credentials: CloudCredentials): CredentialProvider {
  const frozen: CloudCredentials = Object.freeze({
    accessKeyId: credentials.accessKeyId,
    accessKeySecret: credentials.accessKeySecret,
    ...(credentials.securityToken ? { securityToken: credentials.securityToken } : {}),
  });
  return { get: () => Promise.resolve(frozen) };
}

export function toCredentialProvider(input: CredentialsInput): CredentialProvider {
  return isCredentialProvider(input) ? input : staticCredentials(input);
}

/**
 * Bridge to the object the openapi-core clients accept as `Config.credential`. The provider name
 * ends up in the signed `x-acs-credentials-provider` header (informational only).
 */
export function toSdkCredential(provider: CredentialProvider, providerName = 'crossrole'): Credential {
  return new Credential(null, {
    getProviderName: () => providerName,
    getCredentials: async () => {
      const c = await provider.get();
      return { accessKeyId: c.accessKeyId, accessKeySecret: c.accessKeySecret, securityToken: c.securityToken ?? '', providerName };
    },
  });
}

/** Cache key for SDK clients that take keys at construction (MNS, FC): rebuild only when keys change. */
export function credentialsFingerprint(c: CloudCredentials): string {
  return `${c.accessKeyId}\u0000${c.accessKeySecret}\u0000${c.securityToken ?? ''}`;
}

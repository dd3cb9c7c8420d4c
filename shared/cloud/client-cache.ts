/**
 * The one cache for SDK clients that take keys at construction (MNS, FC): a client is rebuilt only
 * when the keys change. With a CredentialProvider (FC hands each invocation fresh STS keys) a warm
 * instance keeps its client while the keys stay the same, and never signs with stale ones.
 */
import { credentialsFingerprint, toCredentialProvider, type CloudCredentials, type CredentialsInput } from './credentials';

/** A getter for the client of the current keys; `build` runs once per distinct set of keys. */
export function clientForCredentials<T>(credentials: CredentialsInput, build: (c: CloudCredentials) => T | Promise<T>): () => Promise<T> {
  const provider = toCredentialProvider(credentials);
  let cached: { key: string; client: Promise<T> } | undefined;
  return async () => {
    const c = await provider.get();
    const key = credentialsFingerprint(c);
    if (cached?.key !== key) {
      const entry = { key, client: Promise.resolve().then(() => build(c)) };
      cached = entry;
      // A failed build must not stick: the next call builds again.
      entry.client.catch(() => {
        if (cached === entry) cached = undefined;
      });
    }
    return cached.client;
  };
}

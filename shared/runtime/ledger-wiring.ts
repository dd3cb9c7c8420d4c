/**
 * The functions' ledger connection, decided at cold start: a plain DATABASE_URL, or the URL read
 * from a KMS secret (DATABASE_SECRET_NAME) with the execution role's credentials, or the embedded
 * PGlite ledger outside FC. A function never migrates a server: `crossrole bootstrap` does, and
 * the function only checks the schema version in one query (shared/ledger/migrations.ts).
 */
import type { Logger } from '../domain/ports';
import type { CredentialProvider } from '../cloud/credentials';
import type { SecretReader } from '../cloud/kms-adapter';
import { openLedger, type Ledger, type LedgerDeps, type LedgerOptions } from '../ledger';
import { ledgerUrlFromSecret, type AppConfig } from './config';

interface FunctionLedgerOptions {
  ledger: LedgerOptions;
  /** How the schema is treated on open (see LedgerDeps.schema). */
  schema: NonNullable<LedgerDeps['schema']>;
}

/**
 * What to open. The secret is read here, once per instance; its value never reaches a log (only
 * the secret's name does). The embedded PGlite ledger is private to this process and nobody else
 * can migrate it, so it alone is still migrated on open.
 */
export async function functionLedgerOptions(config: Pick<AppConfig, 'ledger'>, secrets: SecretReader): Promise<FunctionLedgerOptions> {
  const l = config.ledger;
  switch (l.driver) {
    case 'pg':
      return { ledger: { driver: 'pg', url: l.url }, schema: 'check' };
    case 'pg-secret': {
      const value = await secrets.getSecretValue(l.secretName);
      return { ledger: { driver: 'pg', url: ledgerUrlFromSecret(l.secretName, value) }, schema: 'check' };
    }
    case 'pglite':
      return { ledger: { driver: 'pglite', dataDir: l.dir }, schema: 'migrate' };
  }
}

interface OpenFunctionLedgerDeps {
  credentials: CredentialProvider;
  logger: Logger;
  /** The KMS client; injectable for tests. Default: the KMS adapter on the configured endpoint. */
  secrets?: SecretReader;
}

export async function openFunctionLedger(config: Pick<AppConfig, 'ledger' | 'endpoints' | 'protocol' | 'catalog'>, deps: OpenFunctionLedgerDeps): Promise<Ledger> {
  const secrets = deps.secrets ?? lazyKmsReader(config, deps);
  const o = await functionLedgerOptions(config, secrets);
  return openLedger(o.ledger, { schema: o.schema, notifications: config.catalog.notifications.webhooks.length > 0 });
}

/**
 * The KMS adapter, loaded on first use: a function without DATABASE_SECRET_NAME never evaluates
 * the KMS client (openapi-core) at cold start, as the HTTP functions never load the RAM SDK.
 */
function lazyKmsReader(config: Pick<AppConfig, 'endpoints' | 'protocol'>, deps: OpenFunctionLedgerDeps): SecretReader {
  return {
    async getSecretValue(secretName) {
      const { createKmsSecretReader } = await import('../cloud/kms-adapter.js');
      return createKmsSecretReader({ endpoint: config.endpoints.kms, protocol: config.protocol, credentials: deps.credentials, logger: deps.logger }).getSecretValue(secretName);
    },
  };
}

/**
 * The functions' ledger at cold start: which connection, and whether the schema is migrated or only
 * checked. The KMS secret is read through the port, here a fake (shared/cloud/kms-adapter.ts is
 * exercised against a KMS-shaped server in test/emulator/kms-adapter.test.ts).
 */
import type { SecretReader } from '../../../shared/cloud/kms-adapter';
import { CrossroleError } from '../../../shared/domain/errors';
import { functionLedgerOptions } from '../../../shared/runtime/ledger-wiring';

class FakeSecrets implements SecretReader {
  readonly reads: string[] = [];
  constructor(private readonly values: Record<string, string>) {}
  getSecretValue(secretName: string): Promise<string> {
    this.reads.push(secretName);
    const v = this.values[secretName];
    return v === undefined
      ? Promise.reject(new CrossroleError('INVALID_CONFIG', `the secret ${secretName} (DATABASE_SECRET_NAME) does not exist in KMS in this region`, { field: 'DATABASE_SECRET_NAME' }))
      : Promise.resolve(v);
  }
}

const URL = 'postgres://crossrole:s3cret@pgm-bp1abc.pg.rds.aliyuncs.com:5432/crossrole';

describe('functionLedgerOptions', () => {
  it('a plain DATABASE_URL: connects to it and only checks the schema; KMS is never called', async () => {
    const secrets = new FakeSecrets({});
    await expect(functionLedgerOptions({ ledger: { driver: 'pg', url: URL } }, secrets)).resolves.toEqual({ ledger: { driver: 'pg', url: URL }, schema: 'check' });
    expect(secrets.reads).toEqual([]);
  });

  it('DATABASE_SECRET_NAME: reads the secret once and connects to its value, checking the schema', async () => {
    const secrets = new FakeSecrets({ 'crossrole/ledger-url': `${URL}\n` });
    await expect(functionLedgerOptions({ ledger: { driver: 'pg-secret', secretName: 'crossrole/ledger-url' } }, secrets)).resolves.toEqual({ ledger: { driver: 'pg', url: URL }, schema: 'check' });
    expect(secrets.reads).toEqual(['crossrole/ledger-url']);
  });

  it('a missing secret fails the cold start with the adapter\'s typed error', async () => {
    await expect(functionLedgerOptions({ ledger: { driver: 'pg-secret', secretName: 'nope' } }, new FakeSecrets({}))).rejects.toMatchObject({ code: 'INVALID_CONFIG', field: 'DATABASE_SECRET_NAME' });
  });

  it('a secret that is not a postgres URL is refused without its value in the message', async () => {
    const secrets = new FakeSecrets({ s: 'just-the-password' });
    const err = await functionLedgerOptions({ ledger: { driver: 'pg-secret', secretName: 's' } }, secrets).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'INVALID_CONFIG', field: 'DATABASE_SECRET_NAME' });
    expect((err as Error).message).not.toContain('just-the-password');
  });

  it('the embedded PGlite ledger is private to the process: it alone is still migrated on open', async () => {
    await expect(functionLedgerOptions({ ledger: { driver: 'pglite', dir: '/tmp/l' } }, new FakeSecrets({}))).resolves.toEqual({ ledger: { driver: 'pglite', dataDir: '/tmp/l' }, schema: 'migrate' });
  });
});

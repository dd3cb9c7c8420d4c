/**
 * `crossrole config check` as shipped (node bin/crossrole.js): a bad catalog gets every problem
 * listed and exit 1; the example catalog passes with exit 0.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, ensureCliBuilt, runCli, tempDir } from '../helpers/cli';

describe('crossrole config check (built CLI)', () => {
  const tmp = tempDir('crossrole-config-check-');
  beforeAll(async () => {
    await ensureCliBuilt();
  }, 120_000);
  afterAll(() => tmp.cleanup());

  it('lists all the problems of a bad catalog and exits 1; passes examples/catalog.json with exit 0', async () => {
    const owner = '1111111111111111';
    const bad = join(tmp.dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({
      ownerAccountId: owner,
      approvers: [`acs:ram::${owner}:user/alice`],
      partners: ['123'],
      profiles: [
        { name: 'admin', policies: [{ type: 'System', name: 'AdministratorAccess' }], maxDuration: '1d', autoApprove: true },
        { name: 'keys', policies: [{ type: 'Custom', name: 'keys', document: { Version: '1', Statement: [{ Effect: 'Allow', Action: 'ram:CreateAccessKey', Resource: '*' }] } }], maxDuration: '1h' },
      ],
    }));
    const [refused, example] = await Promise.all([runCli(['config', 'check', bad]), runCli(['config', 'check', join(ROOT, 'examples', 'catalog.json')])]);

    expect(refused.code).toBe(1);
    for (const line of [
      'INVALID_CONFIG partners[0]: must be a 16-digit account ID',
      'POLICY_GUARDRAIL profiles[0].policies[0].name: profile "admin": System policy "AdministratorAccess" grants every action (*)',
      'POLICY_GUARDRAIL profiles[0].autoApprove:',
      'POLICY_GUARDRAIL profiles[0].maxDuration:',
      'POLICY_GUARDRAIL profiles[1].policies[0].document: profile "keys": Custom policy "keys" Statement[0] grants ram:CreateAccessKey',
    ]) expect(refused.stderr).toContain(line);

    expect(example.code).toBe(0);
    expect(example.stderr).toBe('');
    expect(example.stdout).toContain('privileged-admin: System AdministratorAccess; up to 2h; approval required');
  }, 30_000);
});

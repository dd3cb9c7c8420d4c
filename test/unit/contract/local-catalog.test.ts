/**
 * deploy/local-catalog.json is product data read by two sides (the local stack and the CLI):
 * it must be a valid catalog for the seeded world, and the contract type must name the seeded
 * principals.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { localCatalog, localCatalogInput } from '../../../shared/contract/local-catalog';
import { LOCAL_PRINCIPAL_NAMES } from '../../../shared/contract/local-contract';
import { catalogSchema, parseCatalog } from '../../../shared/domain/catalog';
import { QueueName } from '../../../shared/domain/ports';
import { checkCatalogGuardrails } from '../../../shared/policy';
import { buildExecRolePolicy } from '../../../shared/policy/exec-role-policy';
import { EXEC_POLICY_NAME, EXEC_ROLE_NAME } from '../../../shared/domain/deployment';
import * as world from '../../../local/world';
import { LOCAL_CATALOG, LOCAL_REGION, OWNER_ACCOUNT_ID, PRINCIPALS } from '../../../local/world';

const FILE = join(__dirname, '..', '..', '..', 'deploy', 'local-catalog.json');

describe('deploy/local-catalog.json', () => {
  const raw: unknown = JSON.parse(readFileSync(FILE, 'utf8'));

  it('is a valid catalog (schema, cross-field rules and guardrails) for the seeded owner account', () => {
    expect(catalogSchema.safeParse(raw).success).toBe(true);
    const catalog = parseCatalog(raw);
    expect(() => checkCatalogGuardrails(catalog)).not.toThrow();
    expect(catalog.ownerAccountId).toBe(OWNER_ACCOUNT_ID);
    expect(catalog.approvers).toEqual([PRINCIPALS.approver.user, PRINCIPALS['approver-2'].user].map((u) => `acs:ram::${OWNER_ACCOUNT_ID}:user/${u}`));
    expect(catalog.profiles.map((p) => [p.name, p.approvals])).toEqual([['ecs-readonly', 1], ['ecs-readonly-auto', 1], ['ecs-readonly-quorum', 2], ['ecs-break-glass', 1], ['ecs-readonly-ticket', 1]]);
  });

  it('is what the stack and the CLI read, unchanged', () => {
    expect(localCatalogInput()).toEqual(raw);
    expect(LOCAL_CATALOG).toEqual(raw);
    expect(localCatalog()).toEqual(parseCatalog(raw));
  });

  it('gives the local functions an execution-role policy RAM would accept', () => {
    const text = buildExecRolePolicy({ ownerAccountId: OWNER_ACCOUNT_ID, region: LOCAL_REGION, catalog: localCatalog(), queues: Object.values(QueueName) });
    expect(text).toContain('"acs:ram:*:system:policy/AliyunECSReadOnlyAccess"');
    // The stack seeds the role and policy under the names bootstrap uses.
    expect([world.EXEC_ROLE_NAME, world.EXEC_POLICY_NAME]).toEqual([EXEC_ROLE_NAME, EXEC_POLICY_NAME]);
  });
});

describe('.crossrole/local.json contract', () => {
  it('names exactly the principals the local world seeds', () => {
    expect([...LOCAL_PRINCIPAL_NAMES].sort()).toEqual(Object.keys(PRINCIPALS).sort());
  });
});

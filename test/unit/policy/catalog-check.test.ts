import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkCatalogDocument } from '../../../shared/policy';

const ROOT = join(__dirname, '..', '..', '..');
const OWNER = '1111111111111111';
const base = { ownerAccountId: OWNER, approvers: [`acs:ram::${OWNER}:user/alice`], partners: 'open' };
const fields = (ps: Array<{ field: string; rule: string }>) => ps.map((p) => `${p.rule} ${p.field}`);

describe('checkCatalogDocument', () => {
  it('reports several problems of several kinds at once, each at its field', () => {
    const r = checkCatalogDocument({
      ...base,
      ownerAccountId: '123',
      profiles: [
        { name: 'admin', policies: [{ type: 'System', name: 'AdministratorAccess' }], maxDuration: '8h', autoApprove: true },
        { name: 'ram-writer', policies: [{ type: 'Custom', name: 'attach', document: { Version: '1', Statement: [{ Effect: 'Allow', Action: 'ram:AttachPolicyToUser', Resource: '*' }] } }], maxDuration: '1h' },
        { name: 'mystery', policies: [{ type: 'System', name: 'AliyunSomethingFullAccess' }], maxDuration: '1h' },
        { name: 'Bad Name', policies: [], maxDuration: '1 h', extra: 1 },
      ],
    });
    expect(r.valid).toBe(false);
    expect(r.catalog).toBeUndefined();
    expect(fields(r.errors)).toEqual([
      'schema ownerAccountId',
      'schema profiles[3].name',
      'schema profiles[3].policies',
      'schema profiles[3].maxDuration',
      'schema profiles[3].extra',
      'privileged-not-declared profiles[0].policies[0].name',
      'privileged-auto-approve profiles[0].autoApprove',
      'privileged-duration profiles[0].maxDuration',
      'privileged-not-declared profiles[1].policies[0].document',
    ]);
    expect(fields(r.warnings)).toEqual(['unknown-policy profiles[2].policies[0].name']);
    // Profiles that parse on their own are still judged and described.
    expect(r.profiles.map((p) => [p.index, p.name, p.class])).toEqual([[0, 'admin', 'privileged'], [1, 'ram-writer', 'privileged'], [2, 'mystery', 'unknown']]);
  });

  it('reports every cross-field issue, not the first', () => {
    const r = checkCatalogDocument({
      ...base,
      approvers: [`acs:ram::2222222222222222:user/mallory`],
      partners: [OWNER],
      profiles: [{ name: 'a', policies: [{ type: 'System', name: 'AliyunECSReadOnlyAccess' }], maxDuration: '1h' }, { name: 'a', policies: [{ type: 'System', name: 'AliyunECSReadOnlyAccess' }], maxDuration: '1h' }],
    });
    expect(fields(r.errors)).toEqual(['schema profiles[1].name', 'schema approvers[0]', 'schema partners']);
    expect(r.profiles).toHaveLength(2);
  });

  it('describes what each profile grants and who must approve', () => {
    const r = checkCatalogDocument({
      ...base,
      profiles: [
        { name: 'read', policies: [{ type: 'System', name: 'AliyunECSReadOnlyAccess' }], maxDuration: '1h', autoApprove: true },
        { name: 'glass', policies: [{ type: 'System', name: 'AdministratorAccess' }], maxDuration: '2h', privileged: true },
      ],
    });
    expect(r).toMatchObject({ valid: true, errors: [], warnings: [] });
    expect(r.catalog?.profiles).toHaveLength(2);
    expect(r.profiles).toEqual([
      expect.objectContaining({ name: 'read', class: 'read-only', approval: 'none', autoApprove: true, acknowledgementRequired: false, maxDurationSeconds: 3600 }),
      expect.objectContaining({ name: 'glass', class: 'privileged', approval: 'one-approver', declaredPrivileged: true, acknowledgementRequired: true, maxDuration: '2h' }),
    ]);
    expect(r.profiles[1]?.policies[0]).toMatchObject({ type: 'System', name: 'AdministratorAccess', class: 'privileged', system: { known: true, status: 'unconfirmed' } });
  });

  it('passes examples/catalog.json without errors or warnings, with the five kinds of profile', () => {
    const r = checkCatalogDocument(JSON.parse(readFileSync(join(ROOT, 'examples', 'catalog.json'), 'utf8')));
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual([]);
    expect(r.profiles.map((p) => [p.name, p.class, p.approval])).toEqual([
      ['ecs-readonly', 'read-only', 'none'],
      ['oss-reports-read', 'read-only', 'one-approver'],
      ['rds-operator', 'write', 'one-approver'],
      ['ecs-break-glass', 'write', 'review-after'],
      ['privileged-admin', 'privileged', 'one-approver'],
    ]);
  });

  it('a document that is not an object: one problem at the root, no profiles', () => {
    expect(checkCatalogDocument([])).toMatchObject({ valid: false, errors: [{ field: '(root)', rule: 'schema' }], profiles: [] });
  });
});

describe('checkCatalogDocument: webhook secrets', () => {
  const profiles = [{ name: 'p', policies: [{ type: 'System', name: 'AliyunECSReadOnlyAccess' }], maxDuration: '1h' }];
  it('warns (never refuses) when a secret is written in the catalog; {"env"} and localhost are quiet', () => {
    const report = checkCatalogDocument({ ...base, profiles, notifications: { webhooks: [
      { name: 'a', type: 'dingtalk', url: 'https://oapi.dingtalk.com/robot/send?access_token=x', secret: 'SECabc' },
      { name: 'b', type: 'slack', url: 'https://hooks.slack.com/services/T/B/X' },
      { name: 'c', type: 'generic', url: 'https://audit.example.com/hook', secret: { env: 'AUDIT_SECRET' } },
      { name: 'd', type: 'generic', url: 'http://127.0.0.1:9494/_local/webhooks/d', secret: 'local' },
    ] } });
    expect(report.valid).toBe(true);
    expect(report.warnings.map((w) => [w.rule, w.field])).toEqual([
      ['webhook-secret-in-catalog', 'notifications.webhooks[0].secret'],
      ['webhook-secret-in-catalog', 'notifications.webhooks[1].url'],
    ]);
  });
});

/**
 * `crossrole config check` through main(), as a user runs it: every problem at once with its field,
 * exit 1 on any error and 0 on warnings only, the same as data with --json.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../cli/index';

// @clack/prompts is ESM only (jest runs CommonJS); config check never prompts.
jest.mock('@clack/prompts', () => ({}));

const ROOT = join(__dirname, '..', '..', '..');
const OWNER = '1111111111111111';
const dir = mkdtempSync(join(tmpdir(), 'crossrole-config-check-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function check(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(['node', 'crossrole', 'config', 'check', ...args], {
    stdout: { write: (s: string) => ((stdout += s), true) } as unknown as NodeJS.WritableStream & { isTTY?: boolean },
    stderr: { write: (s: string) => ((stderr += s), true) } as unknown as NodeJS.WritableStream & { isTTY?: boolean },
    stdinIsTTY: false,
    env: { cwd: dir, home: dir, noColor: true, forceColor: false },
  } as Parameters<typeof main>[1]);
  return { code, stdout, stderr };
}

function file(name: string, doc: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(doc));
  return path;
}

const bad = {
  ownerAccountId: OWNER,
  approvers: [`acs:ram::${OWNER}:user/alice`],
  partners: 'open',
  pendingTtl: 'three days',
  profiles: [
    { name: 'admin', policies: [{ type: 'System', name: 'AdministratorAccess' }], maxDuration: '8h', autoApprove: true },
    { name: 'ram-writer', policies: [{ type: 'Custom', name: 'attach', document: { Version: '1', Statement: [{ Effect: 'Allow', Action: 'ram:AttachPolicyToUser', Resource: '*' }] } }], maxDuration: '1h' },
    { name: 'mystery', policies: [{ type: 'System', name: 'AliyunSomethingFullAccess' }], maxDuration: '1h' },
  ],
};

describe('config check', () => {
  it('lists every problem of a bad catalog with its field, and exits 1', async () => {
    const r = await check(file('bad.json', bad));
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('invalid (5 errors), 1 warning');
    const problems = r.stderr.split('\n').filter((l) => /^ {2}(error|warning)/.test(l));
    expect(problems).toEqual([
      expect.stringMatching(/^ {2}error {3}INVALID_CONFIG pendingTtl: "three days" is not a duration/),
      expect.stringMatching(/^ {2}error {3}POLICY_GUARDRAIL profiles\[0\]\.policies\[0\]\.name: profile "admin": System policy "AdministratorAccess" grants every action \(\*\)/),
      expect.stringMatching(/^ {2}error {3}POLICY_GUARDRAIL profiles\[0\]\.autoApprove: profile "admin" is privileged/),
      expect.stringMatching(/^ {2}error {3}POLICY_GUARDRAIL profiles\[0\]\.maxDuration: .*maxDuration 8h is over the 4h/),
      expect.stringMatching(/^ {2}error {3}POLICY_GUARDRAIL profiles\[1\]\.policies\[0\]\.document: profile "ram-writer": Custom policy "attach" Statement\[0\] grants ram:AttachPolicyToUser/),
      expect.stringMatching(/^ {2}warning UNKNOWN_POLICY profiles\[2\]\.policies\[0\]\.name: System policy "AliyunSomethingFullAccess"/),
    ]);
    // What each profile grants is shown even though the catalog as a whole is refused.
    expect(r.stdout).toContain('admin: System AdministratorAccess; up to 8h; auto-approved; privileged');
    expect(r.stdout).toContain('mystery: System AliyunSomethingFullAccess; up to 1h; approval required');
  });

  it('--json: the same problems and profiles as data, exit 1', async () => {
    const r = await check(file('bad.json', bad), '--json');
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as { valid: boolean; errors: Array<{ rule: string; field: string; profile?: string; policy?: string; action?: string }>; warnings: unknown[]; profiles: Array<{ name: string; class: string }> };
    expect(out.valid).toBe(false);
    expect(out.errors.map((e) => e.rule)).toEqual(['schema', 'privileged-not-declared', 'privileged-auto-approve', 'privileged-duration', 'privileged-not-declared']);
    expect(out.errors[4]).toMatchObject({ profile: 'ram-writer', policy: 'attach', action: 'ram:AttachPolicyToUser', field: 'profiles[1].policies[0].document' });
    expect(out.warnings).toHaveLength(1);
    expect(out.profiles.map((p) => [p.name, p.class])).toEqual([['admin', 'privileged'], ['ram-writer', 'privileged'], ['mystery', 'unknown']]);
  });

  it('passes examples/catalog.json and prints what each profile grants, exit 0', async () => {
    const r = await check(join(ROOT, 'examples', 'catalog.json'));
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('catalog.json: valid.');
    expect(r.stdout).toContain('ecs-readonly: System AliyunECSReadOnlyAccess; up to 4h; auto-approved; read-only');
    expect(r.stdout).toContain('oss-reports-read: Custom oss-reports-read; up to 7d; approval required (one approver, not the requester); read-only');
    expect(r.stdout).toContain('rds-operator: Custom rds-operator; up to 12h; approval required (one approver, not the requester); write');
    expect(r.stdout).toContain('privileged-admin: System AdministratorAccess; up to 2h; approval required (one approver, not the requester); privileged; requester must acknowledge (--acknowledge-privileged)');
  });

  it('warnings alone do not fail the check', async () => {
    const r = await check(file('warn.json', { ...bad, pendingTtl: '72h', profiles: [bad.profiles[2]] }));
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('valid, 1 warning');
    expect(r.stderr).toContain('warning UNKNOWN_POLICY profiles[0].policies[0].name');
  });

  it('a file that is not JSON: INVALID_CONFIG, exit 1', async () => {
    const path = join(dir, 'broken.json');
    writeFileSync(path, '{ "ownerAccountId": ');
    const r = await check(path);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('INVALID_CONFIG');
  });
});

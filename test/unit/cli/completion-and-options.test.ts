/**
 * The program-level options (cli/global-options.ts) before or after the command, `request`'s
 * --access-profile and its deprecated --profile spelling, the one JSON writer, and the completion
 * scripts generated from the commander tree: valid for each shell that is installed, listing every
 * command, and completing as a person types.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../cli/index';
import { commonOptionsOf, requestProfiles } from '../../../cli/global-options';
import { jsonDocument } from '../../../cli/ui';
import type { CliEnv } from '../../../cli/config';

// @clack/prompts is ESM only (jest runs CommonJS); nothing here prompts or spins.
jest.mock('@clack/prompts', () => ({}));

const dir = mkdtempSync(join(tmpdir(), 'crossrole-completion-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const env: CliEnv = { cwd: dir, home: dir, noColor: true, forceColor: false, configDir: join(dir, 'config') };

async function run(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(['node', 'crossrole', ...args], {
    stdout: { write: (s: string) => ((out += s), true) }, stderr: { write: (s: string) => ((err += s), true) }, stdinIsTTY: false, env,
  } as unknown as Parameters<typeof main>[1]);
  return { code, out, err };
}

/** The command names of `crossrole --help`, and `config`'s subcommands. */
async function commandNames(): Promise<string[]> {
  const help = (await run('--help')).out;
  const section = help.slice(help.indexOf('Commands:'));
  const names = [...section.matchAll(/^ {2}([a-z][a-z-]*)/gm)].map((m) => m[1] ?? '').filter((n) => n !== 'help');
  expect(names).toEqual(expect.arrayContaining(['request', 'status', 'list', 'assume', 'inbox', 'approve', 'config', 'completion']));
  return [...names, 'check'];
}

const has = (shell: string): boolean => spawnSync('sh', ['-c', `command -v ${shell}`]).status === 0;

describe('options shared by every command', () => {
  it('are taken before or after the command name, and by the command\'s session', () => {
    expect(commonOptionsOf({ as: 'bob', json: true, region: 'cn-shanghai', dataDir: '/x', status: 'ACTIVE' }, false))
      .toEqual({ as: 'bob', json: true, region: 'cn-shanghai', dataDir: '/x' });
    expect(commonOptionsOf({ profile: 'p' }, false)).toEqual({ aliyunProfile: 'p' });
    expect(commonOptionsOf({ profile: 'p', aliyunProfile: 'q' }, false)).toEqual({ aliyunProfile: 'q' });
  });

  it.each([
    [['--as', 'nobody', 'list'], 'before'],
    [['list', '--as', 'nobody'], 'after'],
    [['list', '--status', 'ACTIVE', '--as', 'nobody', '--data-dir', 'elsewhere'], 'mixed with the command\'s own'],
    [['--data-dir', 'elsewhere', 'list', '--as', 'nobody'], 'split around the command'],
  ])('%p (%s) reaches the command', async (args) => {
    // No local stack: the command got --as and looked for local.json, the proof it saw the option.
    const r = await run(...args, '--json');
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.out) as { schemaVersion: number; error: { code: string; message: string } };
    expect(doc).toMatchObject({ schemaVersion: 1, error: { code: 'LOCAL_CONTRACT_UNREADABLE' } });
    if (args.includes('elsewhere')) expect(doc.error.message).toContain(join(dir, 'elsewhere', 'local.json'));
  });

  it('request: --access-profile names the catalog profile; --profile alone is its deprecated spelling, otherwise the aliyun profile', async () => {
    expect(requestProfiles({ accessProfile: 'ecs-readonly', profile: 'prod' })).toEqual({ accessProfile: 'ecs-readonly', aliyunProfile: 'prod', deprecatedProfile: false });
    expect(requestProfiles({ accessProfile: 'ecs-readonly', profile: 'prod', aliyunProfile: 'other' })).toEqual({ accessProfile: 'ecs-readonly', aliyunProfile: 'other', deprecatedProfile: false });
    expect(requestProfiles({ profile: 'ecs-readonly', aliyunProfile: 'prod' })).toEqual({ accessProfile: 'ecs-readonly', aliyunProfile: 'prod', deprecatedProfile: true });
    expect(() => requestProfiles({})).toThrow(/--access-profile/);
    const old = await run('request', '--profile', 'ecs-readonly', '--duration', '1h', '--reason', 'r', '--as', 'nobody');
    expect(old.err).toContain('`request --profile <catalog-profile>` is deprecated; use --access-profile');
    const missing = await run('request', '--duration', '1h', '--reason', 'r', '--as', 'nobody');
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('--access-profile');
    const current = await run('request', '--access-profile', 'ecs-readonly', '--duration', '1h', '--reason', 'r', '--as', 'nobody');
    expect(current.err).not.toContain('deprecated');
  });
});

describe('--json documents', () => {
  it('carry schemaVersion first and the step-2 policy as an object wherever a grant appears', () => {
    const policy = { Version: '1', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: 'acs:ram::1:role/x' }] };
    const text = jsonDocument({ items: [{ id: 'a', grant: { partnerPolicy: JSON.stringify(policy) } }], reason: '{"not":"a policy field"}' });
    const doc = JSON.parse(text) as Record<string, unknown>;
    expect(Object.keys(doc)[0]).toBe('schemaVersion');
    expect(doc).toEqual({ schemaVersion: 1, items: [{ id: 'a', grant: { partnerPolicy: policy } }], reason: '{"not":"a policy field"}' });
    expect(text.endsWith('}\n')).toBe(true);
  });
});

describe('crossrole completion', () => {
  it.each(['bash', 'zsh', 'fish'])('%s: lists every command and every option of request', async (shell) => {
    const r = await run('completion', shell);
    expect(r.code).toBe(0);
    for (const name of await commandNames()) expect([name, r.out.includes(name)]).toEqual([name, true]);
    for (const flag of ['access-profile', 'duration', 'reason', 'role-name', 'principal', 'as', 'json', 'data-dir']) expect([flag, r.out.includes(flag)]).toEqual([flag, true]);
  });

  it.each([
    ['bash', ['-n']],
    ['zsh', ['-n']],
    ['fish', ['--no-execute']],
  ])('%s: the script is valid (%s; skipped where the shell is not installed)', async (shell, flags) => {
    const file = join(dir, `crossrole.${shell}`);
    writeFileSync(file, (await run('completion', shell)).out);
    if (!has(shell)) return;
    const check = spawnSync(shell, [...flags, file], { encoding: 'utf8' });
    expect({ status: check.status, stderr: check.stderr }).toEqual({ status: 0, stderr: '' });
  });

  it('bash completes commands, options after global options with values, and subcommands', async () => {
    const file = join(dir, 'complete.bash');
    writeFileSync(file, (await run('completion', 'bash')).out);
    const complete = (...words: string[]): string[] => {
      const script = `source '${file}'; COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _crossrole; printf '%s\\n' "\${COMPREPLY[@]}"`;
      return spawnSync('bash', ['-c', script], { encoding: 'utf8' }).stdout.split('\n').filter((l) => l !== '');
    };
    expect(complete('crossrole', '--as', 'bob', 'li')).toEqual(['list']);
    expect(complete('crossrole', 'request', '--acc')).toEqual(['--access-profile']);
    expect(complete('crossrole', 'config', '')).toEqual(['check']);
    expect(complete('crossrole', 'list', '--st')).toEqual(['--status', '--sts-endpoint']);
  });

  it('refuses an unknown shell with a usage error', async () => {
    const r = await run('completion', 'powershell');
    expect(r.code).toBe(2);
    expect(r.err).toContain('bash, zsh, fish');
  });
});

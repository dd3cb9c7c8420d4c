/**
 * Credentials as partners load them: every shell format read back by the shell itself (sh, bash,
 * dash, zsh, fish where installed) with values no quoting may let out of their string; PowerShell's
 * quoting by its rules (pwsh is not installed here); the aliyun CLI's External-mode JSON; the
 * session names and SourceIdentity derived from the caller's ARN.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { credentialEnvironment, fishQuote, isCredentialFormat, powershellQuote, renderCredentials, type AssumedSession } from '../../../cli/credential-output';
import { roleSessionNameFor, sourceIdentityFor } from '../../../cli/session-names';

const NASTY = [
  `it's`, `a"b`, '$(touch /tmp/crossrole-pwned)', '`id`', 'back\\slash', 'new\nline', 'tab\there', '; rm -rf ~', '$HOME', '*', '{a,b}',
  '\'; echo pwned; \'', '\\\'', 'ends\\', 'caf\u00e9 \u2018curly\u2019 \u201Aquotes\u201B', '%PATH%', '!!', '#hash', '-n', '',
  // zsh turns an unquoted `=word` (and `:=word` in an assignment) into the path of the command `word`.
  '=ls', 'a:=ls',
];

function session(secret: string): AssumedSession {
  return {
    roleArn: 'acs:ram::1511928242963727:role/crossrole-x',
    assumedRoleArn: 'acs:ram::1511928242963727:assumed-role/crossrole-x/bob@1879324520397241',
    expiration: new Date('2026-12-07T10:00:00Z'),
    sessionName: 'bob@1879324520397241',
    sourceIdentity: 'user.bob@1879324520397241',
    credentials: { accessKeyId: `STS.${secret}`, accessKeySecret: secret, securityToken: `${secret}==` },
  };
}

const HOME = mkdtempSync(join(tmpdir(), 'crossrole-shell-'));
afterAll(() => rmSync(HOME, { recursive: true, force: true }));

/**
 * Run `script` in a shell and return what it printed (the variable values, NUL-separated). Stdin is
 * /dev/null, not Node's default socket: bash reads ~/.bashrc when its stdin is a socket (it takes
 * it for sshd), and fish's `source` cannot read one.
 */
function shellRoundTrip(shell: string, script: string): string {
  const r = spawnSync(shell, ['-c', script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env['PATH'] ?? '', HOME } });
  if (r.status !== 0) throw new Error(`${shell} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

const PRINT = 'printf "%s\\0%s\\0%s\\0" "$ALIBABA_CLOUD_ACCESS_KEY_ID" "$ALIBABA_CLOUD_ACCESS_KEY_SECRET" "$ALICLOUD_SECURITY_TOKEN"';

describe('shell formats survive hostile values', () => {
  for (const shell of ['/usr/bin/sh', '/usr/bin/bash', '/usr/bin/dash', '/usr/bin/zsh'].filter((s) => existsSync(s))) {
    it(`env: ${shell} reads back exactly what STS answered`, () => {
      for (const v of NASTY) {
        const out = shellRoundTrip(shell, `eval "$(cat <<'CROSSROLE_EOF'\n${renderCredentials('env', session(v))}\nCROSSROLE_EOF\n)"; ${PRINT}`);
        expect(out).toBe(`STS.${v}\0${v}\0${v}==\0`);
      }
      expect(existsSync('/tmp/crossrole-pwned')).toBe(false);
    });
  }

  const fish = ['/usr/bin/fish', '/usr/local/bin/fish'].find((s) => existsSync(s));
  (fish ? it : it.skip)('fish: `| source` reads back exactly what STS answered', () => {
    const file = join(HOME, 'credentials.fish');
    for (const v of NASTY) {
      writeFileSync(file, renderCredentials('fish', session(v)));
      // As a partner runs it: the output piped into `source` (a real pipe, inside fish).
      const out = shellRoundTrip(fish ?? 'fish', `cat ${file} | source; printf "%s\\0%s\\0%s\\0" $ALIBABA_CLOUD_ACCESS_KEY_ID $ALIBABA_CLOUD_ACCESS_KEY_SECRET $ALICLOUD_SECURITY_TOKEN`);
      expect(out).toBe(`STS.${v}\0${v}\0${v}==\0`);
    }
    expect(existsSync('/tmp/crossrole-pwned')).toBe(false);
  });

  it('fish quoting escapes only backslash and single quote', () => {
    expect(fishQuote(`a'b\\c$d"e\nf`)).toBe(`'a\\'b\\\\c$d"e\nf'`);
  });

  it('powershell quoting doubles every single quote PowerShell knows, typographic ones included, and nothing else', () => {
    expect(powershellQuote(`it's $env:X \`n "q"`)).toBe(`'it''s $env:X \`n "q"'`);
    expect(powershellQuote('\u2018a\u2019b\u201Ac\u201Bd')).toBe('\'\u2018\u2018a\u2019\u2019b\u201A\u201Ac\u201B\u201Bd\'');
    // Inside the result every quote character comes in pairs, so none ends the string early.
    for (const v of NASTY) {
      const inner = powershellQuote(v).slice(1, -1);
      expect(inner.replace(/(['\u2018\u2019\u201A\u201B])\1/g, '')).not.toMatch(/['\u2018\u2019\u201A\u201B]/);
    }
    expect(renderCredentials('powershell', session('x')).split('\n')[0]).toBe(`$Env:ALIBABA_CLOUD_ACCESS_KEY_ID = 'STS.x'`);
  });
});

describe('formats', () => {
  it('aliyun-external is the External-mode answer of the aliyun CLI and nothing else', () => {
    expect(JSON.parse(renderCredentials('aliyun-external', session('s3cr3t')))).toEqual({
      mode: 'StsToken', access_key_id: 'STS.s3cr3t', access_key_secret: 's3cr3t', sts_token: 's3cr3t==', expiration: '2026-12-07T10:00:00.000Z',
    });
  });

  it('json names the session and who is behind it', () => {
    expect(JSON.parse(renderCredentials('json', session('k')))).toMatchObject({
      roleArn: 'acs:ram::1511928242963727:role/crossrole-x', sessionName: 'bob@1879324520397241', sourceIdentity: 'user.bob@1879324520397241',
      accessKeyId: 'STS.k', accessKeySecret: 'k', securityToken: 'k==', expiration: '2026-12-07T10:00:00.000Z',
    });
  });

  it('sets the same session under every name the SDKs, the aliyun CLI and Terraform read', () => {
    const names = credentialEnvironment({ accessKeyId: 'a', accessKeySecret: 'b', securityToken: 'c' }).map(([k]) => k);
    expect(names).toEqual(expect.arrayContaining(['ALIBABA_CLOUD_ACCESS_KEY_ID', 'ALIBABA_CLOUD_SECURITY_TOKEN', 'ALIBABACLOUD_ACCESS_KEY_ID', 'ALICLOUD_ACCESS_KEY', 'ALICLOUD_SECRET_KEY', 'ALICLOUD_SECURITY_TOKEN']));
    // The aliyun CLI prefers its config file's profile to the environment unless told to ignore it.
    expect(credentialEnvironment({ accessKeyId: 'a', accessKeySecret: 'b', securityToken: 'c' })).toContainEqual(['ALIBABA_CLOUD_IGNORE_PROFILE', 'TRUE']);
    expect(isCredentialFormat('fish')).toBe(true);
    expect(isCredentialFormat('cmd')).toBe(false);
  });
});

describe('session names from the caller', () => {
  const SESSION = /^[A-Za-z0-9.@_-]{2,64}$/;
  const SOURCE = /^[A-Za-z0-9.@_=,+-]{2,64}$/;

  it('names users, role sessions and roots as <name>@<account>', () => {
    expect(roleSessionNameFor('acs:ram::1879324520397241:user/bob')).toBe('bob@1879324520397241');
    expect(roleSessionNameFor('acs:ram::1879324520397241:assumed-role/ops/alice@corp.example')).toBe('alice@corp.example@1879324520397241');
    expect(roleSessionNameFor('acs:ram::1879324520397241:root')).toBe('root@1879324520397241');
    expect(roleSessionNameFor('not an arn')).toBe('crossrole-cli');
  });

  it('SourceIdentity keeps the ARN\'s path: user.bob@<account>, assumed-role.<role>.<session>@<account>', () => {
    expect(sourceIdentityFor('acs:ram::1879324520397241:user/bob')).toBe('user.bob@1879324520397241');
    expect(sourceIdentityFor('acs:ram::1879324520397241:assumed-role/ops/alice')).toBe('assumed-role.ops.alice@1879324520397241');
    expect(sourceIdentityFor('garbage')).toBeUndefined();
  });

  it('always fits STS\'s characters and lengths, and long names stay distinct', () => {
    const long = 'x'.repeat(60);
    const arns = [`acs:ram::1879324520397241:user/${long}a`, `acs:ram::1879324520397241:user/${long}b`, 'acs:ram::1879324520397241:user/we!rd name', `acs:ram::1879324520397241:assumed-role/${long}/${long}`];
    for (const arn of arns) {
      expect(roleSessionNameFor(arn)).toMatch(SESSION);
      expect(sourceIdentityFor(arn)).toMatch(SOURCE);
    }
    expect(sourceIdentityFor(arns[0] ?? '')).not.toBe(sourceIdentityFor(arns[1] ?? ''));
    expect(roleSessionNameFor(arns[0] ?? '').endsWith('@1879324520397241')).toBe(true);
  });
});

/**
 * `crossrole configure-profile <id>`: an aliyun CLI profile in External mode whose process_command
 * is `crossrole assume <id> --format aliyun-external`, so `aliyun --profile <name> ...`, and every
 * SDK whose credentials library reads CLI profiles (@alicloud/credentials 2.4.7 runs External
 * profiles: src/providers/cli_profile.ts, external.ts), get a fresh session of the grant whenever
 * they need one, with no key written anywhere by Crossrole.
 *
 * The file is the one both readers use, `$HOME/.aliyun/config.json` (aliyun-cli
 * config/configuration.go GetConfigPath; credentials-nodejs path.join(os.homedir(), '.aliyun',
 * 'config.json'): HOME is the only variable that moves it). Other profiles are kept as they are;
 * the file is written atomically (a temporary file in the same directory, then rename) with mode
 * 0600, as the aliyun CLI writes it (config/configuration.go atomicWriteFile).
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { shortId } from '../../shared/domain/access-request';
import { errorMessage } from '../../shared/domain/errors';
import { aliyunConfigPath } from '../config';
import type { Session } from '../context';
import { CliError, ExitCode, UsageError } from '../errors';

interface ConfigureProfileOptions {
  name?: string;
  duration?: string;
  /** How to run crossrole later: default, this very program (`<node> <bin/crossrole.js>`). */
  crossroleCommand?: string;
  /** This program, as `main` was started (process.execPath and argv[1]). */
  self: { node: string; script?: string };
}

interface AliyunConfig {
  current?: string;
  profiles: Array<Record<string, unknown>>;
  [key: string]: unknown;
}

const PROFILE_NAME = /^[A-Za-z0-9._-]{1,64}$/;
/** What @alicloud/credentials 2.4.7 writes back into an External profile (cli_profile.ts createExternalCredentialUpdateCallback). */
const CACHED_SESSION_FIELDS = ['access_key_id', 'access_key_secret', 'sts_token', 'sts_expiration'];

function readConfig(path: string): AliyunConfig {
  if (!existsSync(path)) return { current: '', profiles: [] };
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new CliError('ALIYUN_CONFIG_UNREADABLE', `cannot read ${path}: ${errorMessage(e)}; nothing was changed`, { hint: 'fix the file (`aliyun configure list` reads it too), then run this again.' });
  }
  if (typeof raw !== 'object' || raw === null || (('profiles' in raw) && !Array.isArray((raw as { profiles: unknown }).profiles))) {
    throw new CliError('ALIYUN_CONFIG_UNREADABLE', `${path} is not an aliyun CLI config (no "profiles" list); nothing was changed`);
  }
  const c = raw as Partial<AliyunConfig>;
  return { ...c, profiles: Array.isArray(c.profiles) ? c.profiles : [] } as AliyunConfig;
}

/** Same directory, then rename: readers see the old file or the new one, never half of one. */
function writeAtomically(path: string, text: string): void {
  const dir = dirname(path);
  if (!existsSync(dir)) mkdirSync(dir, { recursive: true, mode: 0o700 });
  const temp = join(dir, `.config.json.tmp-${randomBytes(6).toString('hex')}`);
  try {
    writeFileSync(temp, text, { mode: 0o600, flag: 'wx' });
    chmodSync(temp, 0o600);
    renameSync(temp, path);
  } catch (e) {
    rmSync(temp, { force: true });
    throw new CliError('ALIYUN_CONFIG_UNWRITABLE', `cannot write ${path}: ${errorMessage(e)}`);
  }
}

/** A profile this command wrote before (so it may be replaced); anything else of that name is the user's. */
function isOurs(p: Record<string, unknown>): boolean {
  return p['mode'] === 'External' && typeof p['process_command'] === 'string' && / assume .* --format aliyun-external/.test(p['process_command']);
}

/** The flags the later run needs to find the same API and the same credentials. */
function carriedFlags(session: Session): string[] {
  const o = session.options;
  const flags: string[] = [];
  if (o.as !== undefined) {
    flags.push('--as', o.as, '--data-dir', resolve(session.env.cwd, o.dataDir ?? session.env.dataDir ?? '.crossrole'));
  }
  if (o.aliyunProfile !== undefined) flags.push('--profile', o.aliyunProfile);
  const endpoint = o.endpoint ?? session.env.endpoint;
  if (endpoint !== undefined) flags.push('--endpoint', endpoint);
  const intake = o.apiIntake ?? session.env.apiIntake;
  if (intake !== undefined) flags.push('--api-intake', intake);
  const sts = o.stsEndpoint ?? session.env.stsEndpoint;
  if (sts !== undefined) flags.push('--sts-endpoint', sts);
  if (o.region !== undefined) flags.push('--region', o.region);
  return flags;
}

/**
 * The two readers split process_command differently and run it without a shell: the aliyun CLI on
 * whitespace only (aliyun-cli config/profile.go, External: `strings.Fields(cp.ProcessCommand)`,
 * no quotes), @alicloud/credentials 2.4.7 like a POSIX shell (utils/command.ts
 * splitProcessCommand: quotes and backslashes). They agree exactly when no word holds whitespace,
 * a quote or a backslash, so such a command is refused rather than written for one reader only.
 */
function checkProcessCommand(words: readonly string[]): void {
  const bad = words.find((word) => !/^[^\s'"\\]+$/.test(word));
  if (bad !== undefined) {
    throw new UsageError(`cannot write ${JSON.stringify(bad)} into process_command: the aliyun CLI splits it on whitespace and takes quotes and backslashes literally, so it would reach crossrole changed`, 'run crossrole from a path without spaces, quotes or backslashes (or pass --crossrole-command), with a --data-dir / --profile / endpoint free of them too.');
  }
}

export function configureProfileCommand(session: Session, id: string, o: ConfigureProfileOptions): number {
  const { ui } = session;
  const name = o.name ?? `crossrole-${shortId(id)}`;
  if (!PROFILE_NAME.test(name)) throw new UsageError(`--name ${name}: profile names are 1–64 letters, digits, ".", "_" or "-"`);
  if (name === session.options.aliyunProfile) {
    throw new UsageError(`--name ${name} is the profile whose credentials assume the role: the new profile would call itself`, 'choose another --name.');
  }
  // `--crossrole-command` may be several words (`npx crossrole`); this program is its node and script.
  const base = o.crossroleCommand?.trim().split(/\s+/) ?? (o.self.script !== undefined && existsSync(o.self.script) ? [o.self.node, resolve(o.self.script)] : ['crossrole']);
  const words = [...base, 'assume', id, '--format', 'aliyun-external', ...(o.duration === undefined ? [] : ['--duration', o.duration]), ...carriedFlags(session)];
  checkProcessCommand(words);
  const processCommand = words.join(' ');
  const path = aliyunConfigPath(session.env);
  const config = readConfig(path);
  const at = config.profiles.findIndex((p) => p['name'] === name);
  const existing = at >= 0 ? config.profiles[at] : undefined;
  if (existing !== undefined && !isOurs(existing)) {
    throw new CliError('PROFILE_EXISTS', `${path} already has a profile "${name}" (mode ${String(existing['mode'] ?? 'AK')}) that Crossrole did not write; nothing was changed`, { hint: 'choose another --name.' });
  }
  // The session @alicloud/credentials cached in the profile it ran (it writes the keys back) is
  // dropped: it may come from the command being replaced.
  const kept = Object.fromEntries(Object.entries(existing ?? {}).filter(([k]) => !CACHED_SESSION_FIELDS.includes(k)));
  const profile = {
    ...kept,
    name,
    mode: 'External',
    process_command: processCommand,
    region_id: session.endpoints().region,
    output_format: 'json',
    language: 'en',
  };
  if (at >= 0) config.profiles[at] = profile;
  else config.profiles.push(profile);
  if (config.current === undefined || config.current === '') config.current = name;
  writeAtomically(path, `${JSON.stringify(config, null, 4)}\n`);
  if (ui.json) {
    ui.printJson({ profile: name, path, processCommand });
    return ExitCode.OK;
  }
  ui.out(`${existing === undefined ? 'Added' : 'Updated'} profile ${name} in ${path} (External mode):`);
  ui.out(`  process_command: ${processCommand}`);
  ui.out(`Use it with: aliyun --profile ${name} sts GetCallerIdentity   (or ALIBABA_CLOUD_PROFILE=${name} for the SDKs)`);
  return ExitCode.OK;
}

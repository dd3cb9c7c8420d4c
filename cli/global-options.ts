/**
 * The options every command shares (who, where, how to print), defined once on the program so they
 * work before or after the command name: `crossrole --as bob list` = `crossrole list --as bob`.
 * Commander recognises a program option anywhere in the line (positional options are off), so no
 * command may define an option with one of these names: the program would take it first.
 * A command reads them with `cmd.optsWithGlobals()` (index.ts's `run` does that for every command).
 */
import type { Command } from 'commander';
import type { CommonOptions } from './context';
import { UsageError } from './errors';

export function addGlobalOptions(program: Command): Command {
  return program
    .option('--as <principal>', 'act as a principal of the local stack (owner-admin, approver, partner-admin, bob; from local.json)')
    .option('--profile <name>', 'credentials from this aliyun CLI profile (~/.aliyun/config.json; every mode: AK, StsToken, RamRoleArn, EcsRamRole, CloudSSO, External, ...)')
    .option('--aliyun-profile <name>', 'same as --profile')
    .option('--endpoint <url>', 'API base URL: <url>/fn/crossrole-intake and /fn/crossrole-approval (env CROSSROLE_ENDPOINT)')
    .option('--api-intake <url>', 'intake trigger URL (env CROSSROLE_API_INTAKE)')
    .option('--api-approval <url>', 'approval trigger URL (env CROSSROLE_API_APPROVAL)')
    .option('--sts-endpoint <host>', 'STS endpoint for identity proofs and AssumeRole (env CROSSROLE_STS_ENDPOINT; default sts.aliyuncs.com)')
    .option('--data-dir <dir>', 'local stack state directory holding local.json (env CROSSROLE_DATA_DIR; default ./.crossrole)')
    .option('--region <id>', 'region (env CROSSROLE_REGION; default cn-hangzhou)')
    .option('--owner-account <id>', 'account A, for MNS and FC endpoints (env CROSSROLE_OWNER_ACCOUNT_ID)')
    .option('--json', 'machine-readable output on stdout (every document carries schemaVersion; docs/cli-json.md)');
}

/** What `request` asks for, and whose credentials, once `--profile` is placed (see requestProfiles). */
interface RequestProfiles {
  accessProfile: string;
  aliyunProfile?: string;
  /** `--profile` was taken as the catalog profile (the deprecated spelling): warn. */
  deprecatedProfile: boolean;
}

const str = (o: Record<string, unknown>, k: string): string | undefined => (typeof o[k] === 'string' ? (o[k] as string) : undefined);

/**
 * On `request`, `--access-profile` names the catalog profile. `--profile` used to: when
 * `--access-profile` is absent, `--profile X` is still read as the catalog profile (with a warning
 * on stderr) and the credentials then come from `--aliyun-profile` only; when `--access-profile` is
 * given, `--profile` is the aliyun CLI profile, as on every other command.
 */
export function requestProfiles(opts: Record<string, unknown>): RequestProfiles {
  const access = str(opts, 'accessProfile');
  const profile = str(opts, 'profile');
  const aliyun = str(opts, 'aliyunProfile');
  if (access !== undefined) {
    const a = aliyun ?? profile;
    return { accessProfile: access, deprecatedProfile: false, ...(a === undefined ? {} : { aliyunProfile: a }) };
  }
  if (profile !== undefined) return { accessProfile: profile, deprecatedProfile: true, ...(aliyun === undefined ? {} : { aliyunProfile: aliyun }) };
  throw new UsageError('required option \'--access-profile <name>\' not specified', 'name the catalog profile to ask for, e.g. --access-profile ecs-readonly.');
}

export const DEPRECATED_REQUEST_PROFILE = 'crossrole: warning: `request --profile <catalog-profile>` is deprecated; use --access-profile (--profile is the aliyun CLI profile on every other command)';

/** The shared options of a command line, from `cmd.optsWithGlobals()`; `request` places --profile itself. */
export function commonOptionsOf(opts: Record<string, unknown>, isRequest: boolean): CommonOptions {
  const aliyunProfile = isRequest ? requestProfiles(opts).aliyunProfile : str(opts, 'aliyunProfile') ?? str(opts, 'profile');
  const out: CommonOptions = {};
  for (const k of ['as', 'endpoint', 'apiIntake', 'apiApproval', 'stsEndpoint', 'dataDir', 'region', 'ownerAccount'] as const) {
    const v = str(opts, k);
    if (v !== undefined) out[k] = v;
  }
  if (aliyunProfile !== undefined) out.aliyunProfile = aliyunProfile;
  if (opts['json'] === true) out.json = true;
  return out;
}

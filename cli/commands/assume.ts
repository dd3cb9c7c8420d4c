/**
 * `crossrole assume`: STS AssumeRole with the caller's own credentials (tutorial step 3, "assume
 * the role programmatically"), printed for a shell, as JSON or as the aliyun CLI's External-mode
 * answer, or handed to a command (`--exec -- cmd args`) in its environment only.
 *
 * The session names the real caller: RoleSessionName `<name>@<account>` and SourceIdentity from
 * the caller's ARN (cli/session-names.ts), read with STS GetCallerIdentity. A duration above the
 * role's MaxSessionDuration is refused before any STS call, with the reason.
 */
import { spawn } from 'node:child_process';
import { createStsClient } from '../../shared/cloud';
import { parseDuration } from '../../shared/domain/duration';
import { errorMessage } from '../../shared/domain/errors';
import type { Session } from '../context';
import { CREDENTIAL_FORMATS, credentialEnvironment, isCredentialFormat, renderCredentials, usageLine, type AssumedSession, type CredentialFormat } from '../credential-output';
import { CliError, ExitCode, UsageError } from '../errors';
import { roleSessionNameFor, sourceIdentityFor } from '../session-names';

interface AssumeOptions {
  duration: string;
  sessionName?: string;
  externalId?: string;
  format?: string;
  /** `--exec`: run the command (the first element) with the credentials in its environment. */
  exec?: string[];
  /** `--no-source-identity`: send no SourceIdentity (for an STS that refuses it). */
  sourceIdentity?: boolean;
}

/** STS limits: 900 s up to the role's MaxSessionDuration. */
const MIN_SESSION_SECONDS = 900;
/** What Crossrole creates its roles with, for grants recorded before the grant carried it. */
const DEFAULT_MAX_SESSION_SECONDS = 3600;
const ROLE_ARN = /^acs:ram::\d+:role\/[^/]+$/i;

interface Target {
  roleArn: string;
  externalId?: string;
  /** Known for a request id (the grant says), not for a bare role ARN. */
  maxSessionDuration?: number;
}

function parseSessionDuration(text: string): number {
  let seconds: number;
  try {
    seconds = parseDuration(text, 'duration');
  } catch (e) {
    throw new UsageError(`--duration ${text}: ${errorMessage(e)}`);
  }
  if (seconds < MIN_SESSION_SECONDS) throw new UsageError(`--duration ${text}: STS sessions last at least 15m`);
  return seconds;
}

async function resolveTarget(session: Session, target: string, externalId: string | undefined): Promise<Target> {
  if (ROLE_ARN.test(target)) return { roleArn: target, ...(externalId === undefined ? {} : { externalId }) };
  const { request: r } = await session.api().get(target);
  if (r.grant === undefined || r.status !== 'ACTIVE') {
    throw new CliError('NOT_ACTIVE', `request ${target} is ${r.status}: there is no active role to assume`, {
      hint: r.status === 'PENDING' || r.status === 'APPROVED' ? `wait until it is ACTIVE: crossrole status ${target}` : 'ask for access again with `crossrole request`.',
    });
  }
  return { roleArn: r.grant.roleArn, externalId: externalId ?? r.grant.externalId, maxSessionDuration: r.grant.maxSessionDuration ?? DEFAULT_MAX_SESSION_SECONDS };
}

/** Assume the grant's role as the caller; shared by `assume` and `console`. No STS call when the duration is refused. */
export async function assumeGrant(session: Session, target: string, o: AssumeOptions): Promise<AssumedSession> {
  const durationSeconds = parseSessionDuration(o.duration);
  const t = await resolveTarget(session, target, o.externalId);
  if (t.maxSessionDuration !== undefined && durationSeconds > t.maxSessionDuration) {
    throw new CliError('SESSION_DURATION_OVER_MAXIMUM', `--duration ${o.duration} is longer than the role's maximum session duration, ${t.maxSessionDuration / 60}m (MaxSessionDuration ${t.maxSessionDuration} s of ${t.roleArn}); no STS call was made`, {
      hint: `ask for at most --duration ${t.maxSessionDuration / 60}m; run assume again for a new session when it expires.`,
    });
  }
  const { credentials } = await session.credentials();
  const sts = createStsClient({ endpoint: session.endpoints().sts.host, protocol: session.endpoints().sts.protocol, credentials, logger: session.logger, retry: { maxAttempts: 1 } });
  const caller = (await sts.getCallerIdentity()).arn;
  const sessionName = o.sessionName ?? roleSessionNameFor(caller);
  const sourceIdentity = o.sourceIdentity === false ? undefined : sourceIdentityFor(caller);
  try {
    const assumed = await sts.assumeRole({
      roleArn: t.roleArn,
      roleSessionName: sessionName,
      durationSeconds,
      ...(t.externalId === undefined ? {} : { externalId: t.externalId }),
      ...(sourceIdentity === undefined ? {} : { sourceIdentity }),
    });
    return {
      roleArn: t.roleArn,
      assumedRoleArn: assumed.assumedRoleArn,
      expiration: assumed.expiration,
      sessionName,
      ...(sourceIdentity === undefined ? {} : { sourceIdentity }),
      credentials: { accessKeyId: assumed.accessKeyId, accessKeySecret: assumed.accessKeySecret, securityToken: assumed.securityToken },
    };
  } catch (e) {
    const code = e instanceof Error && 'details' in e ? String((e as { details?: Record<string, unknown> }).details?.['cloudCode'] ?? '') : '';
    const message = errorMessage(e);
    throw new CliError(code || 'ASSUME_ROLE_FAILED', message.includes(t.roleArn) ? message : `STS AssumeRole on ${t.roleArn} was refused: ${message}`, {
      cause: e,
      hint: code === 'InvalidParameter.SourceIdentity'
        ? 'this STS refuses the SourceIdentity Crossrole sends: run again with --no-source-identity.'
        : 'your user needs sts:AssumeRole on this role (crossrole partner-policy <id> prints the policy for your admin), the grant must be ACTIVE, and the ExternalId must match.',
    });
  }
}

/** Run the command with the session in its environment; its exit code (128 + signal when killed), 127 when it cannot start. */
function runWith(session: Session, command: string[], s: AssumedSession): Promise<number> {
  const [file, ...args] = command;
  if (file === undefined) return Promise.resolve(ExitCode.USAGE);
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(session.env.variables ?? {})) if (v !== undefined) env[k] = v;
  for (const [k, v] of credentialEnvironment(s.credentials)) env[k] = v;
  return new Promise((res) => {
    const child = spawn(file, args, { stdio: 'inherit', env });
    // Ctrl-C reaches the whole foreground group; crossrole waits for the command to end on it (or
    // hands a TERM or HUP sent to crossrole alone on), so the exit status is always the command's.
    const forward = (signal: NodeJS.Signals): void => {
      if (signal !== 'SIGINT') child.kill(signal);
    };
    const forwarded: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
    for (const sig of forwarded) process.on(sig, forward);
    const done = (code: number): void => {
      for (const sig of forwarded) process.off(sig, forward);
      res(code);
    };
    child.on('error', (e) => {
      session.ui.info(`crossrole: cannot run ${file}: ${errorMessage(e)}`);
      done(127);
    });
    child.on('exit', (code, signal) => {
      if (code !== null) done(code);
      else done(128 + (signal === null ? 0 : signalNumber(signal)));
    });
  });
}

const SIGNALS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGTERM: 15 };
function signalNumber(signal: NodeJS.Signals): number {
  return SIGNALS[signal] ?? 1;
}

function formatOf(session: Session, o: AssumeOptions): CredentialFormat {
  if (o.format === undefined) return session.ui.json ? 'json' : 'env';
  if (!isCredentialFormat(o.format)) throw new UsageError(`--format ${o.format}: must be one of ${CREDENTIAL_FORMATS.join(', ')}`);
  if (session.ui.json && o.format !== 'json' && o.format !== 'aliyun-external') throw new UsageError(`--json and --format ${o.format} contradict each other`, 'drop --json, or use --format json.');
  return o.format;
}

export async function assumeCommand(session: Session, target: string, o: AssumeOptions): Promise<number> {
  const { ui } = session;
  const format = formatOf(session, o);
  if (o.exec !== undefined && o.exec.length === 0) throw new UsageError('--exec needs a command: crossrole assume <id> --exec -- <command> [args...]');
  const s = await assumeGrant(session, target, o);
  const who = `${s.assumedRoleArn || s.roleArn}, until ${s.expiration.toISOString()} (session ${s.sessionName}${s.sourceIdentity === undefined ? '' : `, source identity ${s.sourceIdentity}`})`;
  if (o.exec !== undefined) {
    // Only the command's environment holds the secrets; nothing of them is printed.
    ui.info(`# ${who}: running ${o.exec[0] ?? ''}`);
    return runWith(session, o.exec, s);
  }
  const how = usageLine(format, `crossrole assume ${target} ...`);
  if (how !== undefined) ui.info(`# ${who}. Use with: ${how}`);
  const text = renderCredentials(format, s);
  if (ui.json) ui.printJson(JSON.parse(text));
  else ui.out(text);
  return ExitCode.OK;
}

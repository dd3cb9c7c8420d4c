/**
 * `crossrole assume`: STS AssumeRole with the caller's own credentials (tutorial step 3, "assume
 * the role programmatically"), printed as shell exports or JSON.
 */
import { createStsClient, type AssumedRoleCredentials } from '../../shared/cloud';
import { parseDuration } from '../../shared/domain/duration';
import type { Session } from '../context';
import { CliError, ExitCode, UsageError } from '../errors';
import { shellQuote } from '../format';
import { errorMessage } from '../../shared/domain/errors';

interface AssumeOptions {
  duration: string;
  sessionName?: string;
  externalId?: string;
}

/** STS limits: 900 s up to the role's MaxSessionDuration (Crossrole roles: 3600 s). */
const MIN_SESSION_SECONDS = 900;
const ROLE_ARN = /^acs:ram::\d+:role\/[^/]+$/i;

interface AssumeResult {
  roleArn: string;
  credentials: AssumedRoleCredentials;
}

async function assumeGrant(session: Session, target: string, o: AssumeOptions): Promise<AssumeResult> {
  let durationSeconds: number;
  try {
    durationSeconds = parseDuration(o.duration, 'duration');
  } catch (e) {
    throw new UsageError(`--duration ${o.duration}: ${errorMessage(e)}`);
  }
  if (durationSeconds < MIN_SESSION_SECONDS) throw new UsageError(`--duration ${o.duration}: STS sessions last at least 15m`);
  let roleArn: string;
  let externalId = o.externalId;
  let sessionName = o.sessionName;
  if (ROLE_ARN.test(target)) {
    roleArn = target;
  } else {
    const { request: r } = await session.api().get(target);
    if (r.grant === undefined || r.status !== 'ACTIVE') {
      throw new CliError('NOT_ACTIVE', `request ${target} is ${r.status}: there is no active role to assume`, {
        hint: r.status === 'PENDING' || r.status === 'APPROVED' ? `wait until it is ACTIVE: crossrole status ${target}` : 'ask for access again with `crossrole request`.',
      });
    }
    roleArn = r.grant.roleArn;
    externalId ??= r.grant.externalId;
    sessionName ??= `crossrole-${r.id.replace(/-/g, '').slice(0, 12)}`;
  }
  const { credentials } = await session.credentials();
  const sts = createStsClient({ endpoint: session.endpoints().sts.host, protocol: session.endpoints().sts.protocol, credentials, logger: session.logger, retry: { maxAttempts: 1 } });
  try {
    const assumed = await sts.assumeRole({
      roleArn,
      roleSessionName: sessionName ?? 'crossrole-cli',
      durationSeconds,
      ...(externalId === undefined ? {} : { externalId }),
    });
    return { roleArn, credentials: assumed };
  } catch (e) {
    const code = e instanceof Error && 'details' in e ? String((e as { details?: Record<string, unknown> }).details?.['cloudCode'] ?? '') : '';
    const message = errorMessage(e);
    throw new CliError(code || 'ASSUME_ROLE_FAILED', message.includes(roleArn) ? message : `STS AssumeRole on ${roleArn} was refused: ${message}`, {
      cause: e,
      hint: 'your user needs sts:AssumeRole on this role (crossrole partner-policy <id> prints the policy for your admin), the grant must be ACTIVE, and the ExternalId must match.',
    });
  }
}

export async function assumeCommand(session: Session, target: string, o: AssumeOptions): Promise<number> {
  const { ui } = session;
  const { roleArn, credentials: c } = await assumeGrant(session, target, o);
  if (ui.json) {
    ui.printJson({
      roleArn,
      assumedRoleArn: c.assumedRoleArn,
      accessKeyId: c.accessKeyId,
      accessKeySecret: c.accessKeySecret,
      securityToken: c.securityToken,
      expiration: c.expiration.toISOString(),
    });
    return ExitCode.OK;
  }
  ui.info(`# ${c.assumedRoleArn || roleArn}, until ${c.expiration.toISOString()}. Use with: eval "$(crossrole assume ${target} ...)"`);
  ui.out(`export ALIBABA_CLOUD_ACCESS_KEY_ID=${shellQuote(c.accessKeyId)}`);
  ui.out(`export ALIBABA_CLOUD_ACCESS_KEY_SECRET=${shellQuote(c.accessKeySecret)}`);
  ui.out(`export ALIBABA_CLOUD_SECURITY_TOKEN=${shellQuote(c.securityToken)}`);
  return ExitCode.OK;
}

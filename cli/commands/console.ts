/**
 * `crossrole console <id>`: how to reach the grant in the web console. By default the "Switch
 * Identity" details (role ARN, account, role name, switch-role URL), which need the partner's own
 * console sign-in; with `--federation`, a one-time sign-in URL made from a fresh STS session, the
 * documented way (RAM "GetSigninToken" and "Login", help.aliyun.com/document_detail/91913 and
 * 91914): GET https://signin.aliyun.com/federation?Action=GetSigninToken&AccessKeyId&AccessKeySecret
 * &SecurityToken&TicketType=mini answers {SigninToken} (valid 30 s, single use), and
 * ...federation?Action=Login&LoginUrl&Destination&SigninToken signs the browser in.
 *
 * Sign-in hosts: signin.aliyun.com is the documented host (China site docs, also on the English
 * pages of help.aliyun.com). signin.alibabacloud.com for the international site is NOT confirmed by
 * any page we could read; both are printed, and marked so.
 */
import { spawn } from 'node:child_process';
import { errorMessage } from '../../shared/domain/errors';
import type { Session } from '../context';
import { CliError, ExitCode } from '../errors';
import { assumeGrant } from './assume';

interface ConsoleOptions {
  open?: boolean;
  federation?: boolean;
  duration: string;
  /** Federation endpoint (tests; another site). Default https://signin.aliyun.com/federation. */
  signinEndpoint?: string;
  destination?: string;
  /** This machine's platform (`open` on macOS, `xdg-open` elsewhere). */
  platform: string;
}

const CHINA_SIGNIN = 'https://signin.aliyun.com';
const INTERNATIONAL_SIGNIN = 'https://signin.alibabacloud.com';
const DEFAULT_DESTINATION = 'https://home.console.aliyun.com/';

function switchRoleUrl(host: string, accountId: string, roleName: string): string {
  return `${host}/switchRole.htm?parentAlias=${encodeURIComponent(`${accountId}.onaliyun.com`)}&roleName=${encodeURIComponent(roleName)}`;
}

async function federationUrl(session: Session, id: string, o: ConsoleOptions, loginUrl: string): Promise<string> {
  const s = await assumeGrant(session, id, { duration: o.duration });
  const endpoint = (o.signinEndpoint ?? `${CHINA_SIGNIN}/federation`).replace(/\/+$/, '');
  const q = new URLSearchParams({ Action: 'GetSigninToken', AccessKeyId: s.credentials.accessKeyId, AccessKeySecret: s.credentials.accessKeySecret, SecurityToken: s.credentials.securityToken, TicketType: 'mini' });
  let token: unknown;
  try {
    const res = await fetch(`${endpoint}?${q.toString()}`, { signal: AbortSignal.timeout(15_000) });
    const body = (await res.json()) as { SigninToken?: unknown; Code?: unknown; Message?: unknown };
    if (!res.ok) throw new Error(`HTTP ${res.status} ${String(body.Code ?? '')} ${String(body.Message ?? '')}`.trim());
    token = body.SigninToken;
  } catch (e) {
    throw new CliError('SIGNIN_TOKEN_FAILED', `GetSigninToken at ${endpoint} failed: ${errorMessage(e)}`, { cause: e, hint: 'use the switch-role details instead (crossrole console <id> without --federation).' });
  }
  if (typeof token !== 'string' || token === '') throw new CliError('SIGNIN_TOKEN_FAILED', `GetSigninToken at ${endpoint} answered without a SigninToken`);
  const login = new URLSearchParams({ Action: 'Login', LoginUrl: loginUrl, Destination: o.destination ?? DEFAULT_DESTINATION, SigninToken: token });
  return `${endpoint}?${login.toString()}`;
}

/** The platform's opener, detached; false when there is none. */
function openInBrowser(url: string, platform: string): Promise<boolean> {
  const opener = platform === 'darwin' ? 'open' : platform === 'win32' ? 'explorer' : 'xdg-open';
  return new Promise((res) => {
    const child = spawn(opener, [url], { stdio: 'ignore', detached: true });
    child.on('error', () => res(false));
    child.on('spawn', () => {
      child.unref();
      res(true);
    });
  });
}

export async function consoleCommand(session: Session, id: string, o: ConsoleOptions): Promise<number> {
  const { ui } = session;
  const { request: r } = await session.api().get(id);
  if (r.grant === undefined || r.status !== 'ACTIVE') {
    throw new CliError('NOT_ACTIVE', `request ${id} is ${r.status}: there is no active role to switch to`, { hint: `see crossrole status ${id}` });
  }
  const { accountId, roleName } = r.grant.switchRole;
  const china = switchRoleUrl(CHINA_SIGNIN, accountId, roleName);
  const international = switchRoleUrl(INTERNATIONAL_SIGNIN, accountId, roleName);
  const federation = o.federation === true ? await federationUrl(session, id, o, china) : undefined;
  const toOpen = federation ?? china;
  const details = {
    roleArn: r.grant.roleArn,
    accountId,
    roleName,
    switchRoleUrl: { china, international, internationalConfirmed: false },
    ...(federation === undefined ? {} : { federationUrl: federation }),
  };
  const opened = o.open === true ? await openInBrowser(toOpen, o.platform) : undefined;
  if (ui.json) {
    ui.printJson({ ...details, ...(opened === undefined ? {} : { opened }) });
    return ExitCode.OK;
  }
  ui.out(`Role ARN:    ${r.grant.roleArn}`);
  ui.out(`Account:     ${accountId}   (the console's "Switch Identity" asks for it, or its alias ${accountId}.onaliyun.com)`);
  ui.out(`Role name:   ${roleName}`);
  ui.out(`Switch role: ${china}`);
  ui.out(`             ${international}   (international site: this sign-in host is unconfirmed)`);
  ui.out('The switch needs your own console sign-in, as a RAM user allowed sts:AssumeRole on the role (crossrole partner-policy).');
  if (federation !== undefined) ui.out(`Sign-in URL (single use, valid 30 s; it signs the browser in as the role session): ${federation}`);
  else ui.out('Or sign in as the role directly with: crossrole console ' + id + ' --federation (GetSigninToken from a fresh STS session; signin.aliyun.com)');
  if (opened === false) ui.info(`crossrole: no browser opener (${o.platform === 'darwin' ? 'open' : 'xdg-open'}) on this machine; open the URL above yourself.`);
  return ExitCode.OK;
}

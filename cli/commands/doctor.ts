/**
 * `crossrole doctor`: a checklist anyone can run with their own credentials. Everyone gets their
 * credentials, their identity (STS GetCallerIdentity), the endpoints (STS, RAM, MNS, and the two
 * API URLs, which must answer an unauthenticated GET with the API's own typed 401, proving the URL
 * is Crossrole's) and whether the API accepts their identity proofs. The owner account's
 * administrator also gets the deployment (cli/deployment/doctor-owner.ts). Exit 1 if any line fails.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createStsClient } from '../../shared/cloud';
import { localCatalogInput } from '../../shared/contract/local-catalog';
import { DEFAULT_FUNCTION_PREFIX } from '../../shared/domain/fc-deployment';
import { buildIdentityProof, IDENTITY_HEADER } from '../../shared/identity';
import { apiHint, ExitCode, toCliError } from '../errors';
import type { Session } from '../context';
import { fail, isPermissionDenied, ok, reachable, skip, type CheckLine, type CheckStatus } from '../deployment/checks';
import { breakGlassReviewLine } from '../deployment/break-glass-check';
import { ownerChecks } from '../deployment/doctor-owner';
import { httpTriggerUrl } from '../deployment/handout';
import { findCatalog, ownerClients, type KnownCatalog, type OwnerClients } from '../deployment/owner';
import { EXEC_ROLE_NAME } from '../../shared/domain/deployment';

interface DoctorOptions {
  catalog?: string;
  databaseUrl?: string;
  databaseSchema?: string;
  sYaml?: string;
  functionPrefix?: string;
}

type Who = 'owner' | 'partner' | 'unknown';

async function endpointLine(check: string, label: string, url: string): Promise<CheckLine> {
  const r = await reachable(url);
  return 'status' in r ? ok(check, `${label} ${url} answers (HTTP ${r.status})`) : fail(check, `${label} ${url} is unreachable: ${r.problem}`, 'check the endpoint (region, account id), DNS and any proxy or firewall between here and it');
}

/** An unauthenticated GET must answer the API's typed 401 (`{"error": {"code": "IDENTITY_…"}}`): a proxy, a 404 page or another service does not. */
async function apiLine(check: string, label: string, base: string): Promise<CheckLine> {
  const url = `${base}/requests`;
  try {
    const res = await fetch(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(10_000), redirect: 'manual' });
    const text = await res.text();
    let code: unknown;
    try {
      code = (JSON.parse(text) as { error?: { code?: unknown } }).error?.code;
    } catch {
      code = undefined;
    }
    if (res.status === 401 && typeof code === 'string' && code.startsWith('IDENTITY_')) return ok(check, `${label} ${base} is the Crossrole API (unauthenticated GET answers 401 ${code})`);
    return fail(check, `${label} ${base} answered HTTP ${res.status}${typeof code === 'string' ? ` ${code}` : ` ${text.slice(0, 80).replace(/\s+/g, ' ')}`}, not the Crossrole API's 401`, 'check the URL: it is the HTTP trigger URL of the function (`crossrole bootstrap` prints it), and nothing in between may answer for it');
  } catch (e) {
    return fail(check, `${label} ${base} is unreachable: ${toCliError(e).message}`, 'check the URL and the network');
  }
}

/**
 * One authenticated call, to see the API accept this caller's identity proof (the STS endpoint it is
 * signed for must be one the deployment trusts). A 403 still proves the proof was accepted.
 */
async function proofLine(session: Session, base: string, via: 'intake' | 'approval'): Promise<CheckLine> {
  const check = 'api:identity-proof';
  const eps = session.endpoints();
  const { credentials } = await session.credentials();
  const proof = buildIdentityProof({ stsEndpoint: eps.sts.host, protocol: eps.sts.protocol, credentials });
  const path = via === 'intake' ? '/requests?limit=1' : '/requests?status=PENDING&limit=1';
  try {
    const res = await fetch(`${base}${path}`, { headers: { [IDENTITY_HEADER]: proof, accept: 'application/json' }, signal: AbortSignal.timeout(15_000) });
    const body = await res.json().catch(() => ({})) as { error?: { code?: string; message?: string } };
    const code = body.error?.code;
    if (res.ok) return ok(check, `the ${via} API accepts your identity proofs (signed for STS ${eps.sts.host})`);
    if (res.status === 403) return ok(check, `the ${via} API accepts your identity proofs (signed for STS ${eps.sts.host}); it then refuses this read with ${code ?? 'HTTP 403'}${code === 'FORBIDDEN_NOT_APPROVER' ? ' (you are not an approver)' : ''}`);
    return fail(check, `the ${via} API refused your identity proof: HTTP ${res.status} ${code ?? ''} ${body.error?.message ?? ''}`.trim(), (code === undefined ? undefined : apiHint(code)) ?? 'check --sts-endpoint (the STS endpoint the owner handed out) and your credentials');
  } catch (e) {
    return fail(check, `the ${via} API could not be reached: ${toCliError(e).message}`, 'check the URL and the network');
  }
}

/** Whether these owner-account credentials may read the deployment at all (an approver's may not). */
async function mayReadDeployment(clients: OwnerClients): Promise<boolean> {
  try {
    await clients.admin.getRole(EXEC_ROLE_NAME);
    return true;
  } catch (e) {
    // Any other failure is for the checks themselves to report.
    return !isPermissionDenied(e);
  }
}

/** The catalog text s.yaml's CROSSROLE_CONFIG would carry, when the environment does not set it. */
function catalogText(session: Session, o: DoctorOptions): string | undefined {
  if (session.env.catalogJson !== undefined) return session.env.catalogJson;
  if (o.catalog !== undefined) return readFileSync(o.catalog, 'utf8');
  return session.local() ? JSON.stringify(localCatalogInput()) : undefined;
}

export async function doctorCommand(session: Session, o: DoctorOptions): Promise<number> {
  const { ui } = session;
  const lines: CheckLine[] = [];
  const eps = session.endpoints();
  const known: KnownCatalog | undefined = findCatalog(session, o.catalog);

  // ------------------------------------------------------------------ who
  let creds;
  try {
    creds = await session.credentials();
    lines.push(ok('credentials', `credentials from ${creds.source}`));
  } catch (e) {
    const err = toCliError(e);
    lines.push(fail('credentials', err.message, err.hint ?? 'configure credentials'));
  }
  let caller: { arn: string; accountId: string } | undefined;
  if (creds !== undefined) {
    try {
      const sts = createStsClient({ endpoint: eps.sts.host, protocol: eps.sts.protocol, credentials: creds.credentials, logger: session.logger, retry: { maxAttempts: 2 } });
      caller = await sts.getCallerIdentity();
    } catch (e) {
      const err = toCliError(e);
      lines.push(fail('identity', `STS GetCallerIdentity at ${eps.sts.protocol}://${eps.sts.host} failed: ${err.code}: ${err.message}`, err.hint ?? 'check the credentials and --sts-endpoint'));
    }
  }
  const owner = known?.catalog.ownerAccountId ?? eps.ownerAccountId;
  const who: Who = caller === undefined || owner === undefined ? 'unknown' : caller.accountId === owner ? 'owner' : 'partner';
  if (caller !== undefined) {
    const approver = known?.catalog.approvers.includes(caller.arn) === true ? ', an approver in the catalog' : '';
    const role = who === 'owner' ? `the owner account${approver}` : who === 'partner' ? `a partner of owner account ${owner ?? ''}` : 'owner account unknown (pass --owner-account, or --catalog)';
    lines.push(ok('identity', `${caller.arn} (account ${caller.accountId}): ${role}`));
  }

  // ------------------------------------------------------------------ endpoints
  lines.push(caller !== undefined
    ? ok('endpoint:sts', `STS ${eps.sts.protocol}://${eps.sts.host} answers (GetCallerIdentity)`)
    : await endpointLine('endpoint:sts', 'STS', `${eps.sts.protocol}://${eps.sts.host}/`));
  // Only the owner's administrator reaches RAM through crossrole (bootstrap, doctor); partners and approvers never do.
  lines.push(who === 'owner'
    ? await endpointLine('endpoint:ram', 'RAM', `${eps.ram.protocol}://${eps.ram.host}/`)
    : skip('endpoint:ram', 'RAM not checked: only the owner account\'s administrator uses it through crossrole'));
  const clients = who === 'owner' && creds !== undefined && caller !== undefined ? ownerClients(session, creds.credentials, caller.accountId) : undefined;
  const mns = clients?.mnsEndpoint ?? (eps.ownerAccountId !== undefined || session.env.mnsEndpoint !== undefined || session.clientConfig()?.mnsEndpoint !== undefined ? eps.mns : undefined);
  if (who === 'partner') lines.push(skip('endpoint:mns', 'MNS not checked: partners do not use it (approvers do, for their inbox)'));
  else if (mns === undefined) lines.push(skip('endpoint:mns', 'MNS not checked: the owner account is not known', 'approvers: `crossrole configure --mns-endpoint … --owner-account …`'));
  else lines.push(await endpointLine('endpoint:mns', 'MNS', `${mns}/`));

  let api: { intake: string; approval: string } | undefined;
  try {
    api = session.apiUrls();
  } catch (e) {
    if (clients !== undefined) {
      // The owner has no client config: the trigger URLs come from FC, as bootstrap's hand-out does.
      const prefix = o.functionPrefix ?? DEFAULT_FUNCTION_PREFIX;
      const [i, a] = await Promise.all([httpTriggerUrl(clients.fc, `${prefix}intake`), httpTriggerUrl(clients.fc, `${prefix}approval`)]);
      if ('url' in i && 'url' in a) api = { intake: i.url, approval: a.url };
      else lines.push(fail('api', `the API URLs are not known: ${[i, a].flatMap((r) => ('problem' in r ? [r.problem] : [])).join('; ')}`, 'deploy the functions (`s deploy`), or pass --endpoint'));
    } else {
      const err = toCliError(e);
      lines.push(fail('api', err.message, err.hint ?? 'run `crossrole configure`'));
    }
  }
  if (api !== undefined) {
    lines.push(await apiLine('api:intake', 'intake API', api.intake), await apiLine('api:approval', 'approval API', api.approval));
    if (creds !== undefined && caller !== undefined) lines.push(await proofLine(session, who === 'owner' ? api.approval : api.intake, who === 'owner' ? 'approval' : 'intake'));
    // Approvers and operators (the root) owe and see the reviews; other owner identities may not list them.
    const reviewer = caller !== undefined && (caller.arn.endsWith(':root') || known?.catalog.approvers.includes(caller.arn) === true);
    if (who === 'owner' && reviewer && creds !== undefined) lines.push(await breakGlassReviewLine({ ...api, sts: eps.sts, credentials: creds.credentials }));
  }

  // ------------------------------------------------------------------ the deployment, or the partner's side
  if (who === 'partner') {
    lines.push(skip('assume-role', 'whether you may call sts:AssumeRole cannot be known until a grant exists: the role to assume is created when a request is approved',
      'after approval, your account\'s administrator attaches the policy `crossrole partner-policy <id>` prints to the users who assume the role'));
  } else if (clients !== undefined && !(await mayReadDeployment(clients))) {
    lines.push(skip('owner', 'the deployment (queues, roles, policies, ledger, functions) was not checked: your credentials may not read it (ram:GetRole on crossrole-fc-exec was refused)',
      'run doctor as the owner account\'s administrator, with --catalog'));
  } else if (clients !== undefined) {
    const sYamlPath = o.sYaml ?? (existsSync(join(session.env.cwd, 's.yaml')) ? join(session.env.cwd, 's.yaml') : undefined);
    const text = catalogText(session, o);
    const env = { ...(session.env.variables ?? {}), ...(text === undefined || session.env.catalogJson !== undefined ? {} : { CROSSROLE_CONFIG: text }) };
    const databaseUrl = o.databaseUrl ?? session.env.databaseUrl;
    lines.push(...await ownerChecks({
      clients, functionPrefix: o.functionPrefix ?? DEFAULT_FUNCTION_PREFIX,
      ...(known === undefined ? {} : { catalog: known.catalog, catalogSource: known.source }),
      ...(databaseUrl === undefined ? {} : { databaseUrl }),
      ...(o.databaseSchema === undefined ? {} : { databaseSchema: o.databaseSchema }),
      ...(sYamlPath === undefined ? {} : { sYaml: { path: sYamlPath, env } }),
    }));
  } else {
    lines.push(skip('owner', 'the deployment (queues, roles, policies, ledger, functions) was not checked: these checks need the owner account\'s credentials', 'run doctor as the owner account\'s administrator, with --catalog'));
  }

  const count = (s: CheckStatus): number => lines.filter((l) => l.status === s).length;
  const failed = count('fail') > 0;
  if (ui.json) {
    ui.printJson({
      ...(caller === undefined ? {} : { caller: caller.arn, account: caller.accountId }),
      ...(owner === undefined ? {} : { ownerAccountId: owner }),
      as: who,
      ...(known === undefined ? {} : { catalog: known.source }),
      checks: lines,
      summary: { ok: count('ok'), warn: count('warn'), fail: count('fail'), skip: count('skip') },
    });
    return failed ? ExitCode.FAILED : ExitCode.OK;
  }
  const label: Record<CheckStatus, string> = { ok: ui.c.green('ok  '), warn: ui.c.yellow('warn'), fail: ui.c.red('FAIL'), skip: ui.c.dim('skip') };
  ui.out(`Crossrole doctor${caller === undefined ? '' : ` as ${caller.arn}`}${known === undefined ? '' : `, catalog ${known.source}`}`);
  for (const l of lines) {
    ui.out(`  ${label[l.status]}  ${l.detail}`);
    if (l.fix !== undefined && l.status !== 'ok') ui.out(`        ${ui.c.dim('fix:')} ${l.fix}`);
  }
  ui.out(`${count('ok')} ok, ${count('warn')} warn, ${count('fail')} failed, ${count('skip')} skipped.`);
  return failed ? ExitCode.FAILED : ExitCode.OK;
}

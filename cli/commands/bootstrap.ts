/**
 * `crossrole bootstrap [--dry-run]`: make the owner account ready for `s deploy` and keep it in step
 * with the catalog. It reads every resource first and prints the plan (create / update / unchanged,
 * with what would change); `--dry-run` stops there, otherwise it applies the plan and prints what
 * changed. Last, the hand-out for partners and approvers (the API URLs from FC 3.0, region, STS
 * endpoint, owner account, and the `crossrole configure` command).
 */
import { createStsClient } from '../../shared/cloud';
import { CliError, ExitCode, toCliError, UsageError } from '../errors';
import type { Session } from '../context';
import type { Ui } from '../ui';
import { applyPlan, planBootstrap, type AppliedStep, type PlanAction, type PlanStep } from '../deployment/bootstrap-plan';
import { buildHandout, handoutLines } from '../deployment/handout';
import { findCatalog, ownerClients } from '../deployment/owner';

interface BootstrapOptions {
  dryRun?: boolean;
  databaseUrl?: string;
  databaseSchema?: string;
  /** The catalog the functions are deployed with (default: CROSSROLE_CONFIG, or the local stack's). */
  catalog?: string;
  /** A custom domain in front of both functions, for the hand-out instead of the trigger URLs. */
  apiUrl?: string;
  /** The KMS secret the functions read the ledger's URL from (default: DATABASE_SECRET_NAME): the role may read it. */
  databaseSecret?: string;
  /** The KMS key encrypting that secret: the role may decrypt with it. */
  databaseSecretKey?: string;
}

const PERMISSIONS_HINT = 'the deploying identity needs the RAM, MNS and FC permissions listed in docs/deploy.md ("Permissions").';

/** The STS endpoint partners sign identity proofs for: the one given, the local stack's, or the global one every deployment accepts. */
function handoutStsEndpoint(session: Session): string {
  const given = session.options.stsEndpoint ?? session.env.stsEndpoint;
  if (given !== undefined) return given;
  const local = session.local();
  return local ? `http://${local.endpoint}` : 'sts.aliyuncs.com';
}

const MARK: Record<PlanAction, string> = { create: '+', update: '~', unchanged: '=', skip: '!' };

function printPlan(ui: Ui, steps: readonly PlanStep[]): void {
  const colour = (a: PlanAction, text: string): string => (a === 'create' ? ui.c.green(text) : a === 'update' ? ui.c.yellow(text) : a === 'skip' ? ui.c.red(text) : ui.c.dim(text));
  for (const s of steps) {
    ui.out(`  ${colour(s.action, `${MARK[s.action]} ${s.action.padEnd(9)}`)} ${s.resource}`);
    const detail = s.action === 'skip' ? [s.warning ?? ''] : s.action === 'unchanged' ? [] : s.changes;
    for (const line of detail) ui.out(`      ${s.action === 'unchanged' ? ui.c.dim(line) : line}`);
  }
  const count = (a: PlanAction): number => steps.filter((s) => s.action === a).length;
  ui.out(`${count('create')} to create, ${count('update')} to update, ${count('unchanged')} unchanged${count('skip') > 0 ? `, ${count('skip')} skipped` : ''}.`);
}

export async function bootstrapCommand(session: Session, o: BootstrapOptions): Promise<number> {
  const { ui } = session;
  const eps = session.endpoints();
  const known = findCatalog(session, o.catalog);
  if (known === undefined) {
    throw new CliError('CATALOG_REQUIRED', 'bootstrap derives the functions\' execution-role policy and the approvers from the catalog, and none was given', {
      hint: 'pass --catalog <file> (the same file as `npm run build -- --catalog`), or set CROSSROLE_CATALOG_FILE.',
    });
  }
  const { catalog, source } = known;
  const secretName = o.databaseSecret ?? session.env.databaseSecretName;
  if (o.databaseSecretKey !== undefined && secretName === undefined) {
    throw new UsageError('--database-secret-key names the key of the ledger\'s secret, and no secret was given', 'pass --database-secret <name> too (or set DATABASE_SECRET_NAME).');
  }
  const databaseSecret = secretName === undefined ? undefined : { name: secretName, ...(o.databaseSecretKey === undefined ? {} : { keyId: o.databaseSecretKey }) };
  const { credentials } = await session.credentials();
  const sts = createStsClient({ endpoint: eps.sts.host, protocol: eps.sts.protocol, credentials, logger: session.logger, retry: { maxAttempts: 2 } });
  // Bootstrap targets the account of the credentials used, whatever else is configured.
  const me = await sts.getCallerIdentity();
  const account = me.accountId;
  if (catalog.ownerAccountId !== account) {
    throw new CliError('CATALOG_OWNER_MISMATCH', `the catalog (${source}) is for owner account ${catalog.ownerAccountId}, but these credentials are account ${account}`, {
      hint: 'bootstrap the catalog\'s owner account with its administrator\'s credentials, or pass that account\'s catalog with --catalog.',
    });
  }
  const clients = ownerClients(session, credentials, account);
  ui.out(`${o.dryRun ? 'Planning' : 'Bootstrapping'} Crossrole in account ${account} (${clients.region}) as ${me.arn}, for the catalog ${source}`);

  const databaseUrl = o.databaseUrl ?? session.env.databaseUrl;
  let steps: PlanStep[];
  try {
    steps = await planBootstrap({ clients, catalog, ...(databaseSecret === undefined ? {} : { databaseSecret }), ...(databaseUrl === undefined ? {} : { databaseUrl }), ...(o.databaseSchema === undefined ? {} : { databaseSchema: o.databaseSchema }) });
  } catch (e) {
    const err = toCliError(e);
    throw new CliError(err.code, `reading the account's current state failed: ${err.message}`, { hint: err.hint ?? PERMISSIONS_HINT });
  }
  ui.out('Plan:');
  printPlan(ui, steps);

  let applied: AppliedStep[] = [];
  if (o.dryRun) {
    ui.out(ui.c.dim('Dry run: nothing was changed. Run it again without --dry-run to apply the plan.'));
  } else if (steps.some((s) => s.apply !== undefined)) {
    ui.out('Applying:');
    try {
      applied = await applyPlan(steps, (a) => ui.out(`  ${a.resource.padEnd(56)} ${ui.c.green(a.result)}`));
    } catch (e) {
      const err = toCliError(e);
      throw new CliError(err.code, `applying the plan failed: ${err.message}`, { hint: `${err.hint ?? PERMISSIONS_HINT} What was applied before stays; running bootstrap again resumes from there.` });
    }
    ui.out(`Done: ${applied.length} change${applied.length === 1 ? '' : 's'}. Running bootstrap again changes nothing; run it again after changing the catalog.`);
  } else {
    ui.out('Nothing to change.');
  }

  const handout = await buildHandout({
    fc: clients.fc, region: clients.region, stsEndpoint: handoutStsEndpoint(session), ownerAccountId: account, mnsEndpoint: clients.mnsEndpoint,
    ...(o.apiUrl === undefined ? {} : { apiUrl: o.apiUrl }),
  });
  ui.out();
  for (const line of handoutLines(handout)) ui.out(line);

  if (ui.json) {
    ui.printJson({
      account, region: clients.region, caller: me.arn, catalog: source, dryRun: o.dryRun === true,
      plan: steps.map((s) => ({ resource: s.resource, action: s.action, changes: s.changes, ...(s.warning === undefined ? {} : { warning: s.warning }) })),
      applied,
      handout,
    });
  }
  return ExitCode.OK;
}

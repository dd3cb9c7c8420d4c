/**
 * The `crossrole` command. `bin/crossrole.js` calls `run(process.argv)` and exits with its result
 * (0 ok, 1 failed, 2 usage) once stdout and stderr have drained.
 *
 * cli/ holds the command's plumbing (credentials and endpoints, the API client, output, errors)
 * and commands/ one file per command family. It imports shared/ (the workflow only through its
 * barrel) and never the local cloud, neither statically nor by import(): it finds a local stack
 * through `.crossrole/local.json` (shared/contract). Nothing imports cli/ but bin/ and tests.
 */
import { Command, CommanderError } from 'commander';
import { readCliEnv, type CliEnv } from './config';
import { completionScript } from './completion';
import { createSession } from './context';
import { addGlobalOptions, commonOptionsOf, DEPRECATED_REQUEST_PROFILE, requestProfiles } from './global-options';
import { ExitCode, toCliError, UsageError } from './errors';
import { escapeInvisible } from './format';
import { DEFAULT_WAIT_TIMEOUT_SECONDS, example, stringOpt } from './command-help';
import { registerLifecycleCommands } from './lifecycle-commands';
import { createUi, flushed, type Ui, type UiStreams } from './ui';
import { collect, parseDecision, parseStartAtOption, parseStatusOption, positiveInt } from './parse';

// Commands are loaded when they run: the SDKs they use (ECS alone takes most of a second to load)
// would otherwise slow down every `--help` and every other command.
const requests = () => import('./commands/requests.js');
const assume = () => import('./commands/assume.js');
const inbox = () => import('./commands/inbox.js');
const operator = () => import('./commands/operator.js');
const bootstrap = () => import('./commands/bootstrap.js');
const doctor = () => import('./commands/doctor.js');
const configure = () => import('./commands/configure.js');
const configCheck = () => import('./commands/config-check.js');
const demo = () => import('./commands/demo.js');
const configureProfile = () => import('./commands/configure-profile.js');
const consoleCmd = () => import('./commands/console.js');
const profiles = () => import('./commands/profiles.js');

const VERSION = '0.1.0';

interface MainIo extends UiStreams {
  env: CliEnv;
}

function defaultIo(): MainIo {
  return { stdout: process.stdout, stderr: process.stderr, stdinIsTTY: process.stdin.isTTY === true, env: readCliEnv() };
}

export async function main(argv: readonly string[], io: MainIo = defaultIo()): Promise<number> {
  let exit: number = ExitCode.OK;
  let ui: Ui = createUi(io.env, false, io);

  /** Build the session for a command's options, run it, keep its exit code. */
  // The command's own options merged with the program's (global-options.ts), whichever side of the
  // command name they were given on.
  const run = (fn: (session: ReturnType<typeof createSession>, opts: Record<string, unknown>, args: string[]) => Promise<number> | number, isRequest = false) =>
    async (...params: unknown[]): Promise<void> => {
      const cmd = params[params.length - 1] as Command;
      const opts = cmd.optsWithGlobals<Record<string, unknown>>();
      // A variadic argument (assume's `-- <command> [args...]`) arrives as an array: flattened in order.
      const args = params.slice(0, -2).flat().filter((a): a is string => typeof a === 'string');
      ui = createUi(io.env, opts['json'] === true, io);
      const common = commonOptionsOf(opts, isRequest);
      exit = await fn(createSession(io.env, ui, common), opts, args);
    };

  const program = new Command()
    .name('crossrole')
    .description('Time-limited, approved cross-account access on Alibaba Cloud (RAM roles, STS), from the command line.')
    .version(VERSION)
    .exitOverride()
    .showSuggestionAfterError()
    .configureHelp({ showGlobalOptions: true })
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    });
  addGlobalOptions(program);
  example(program,
    'crossrole demo                        # the whole tutorial against the local stack, narrated',
    'crossrole request --as partner-admin --access-profile ecs-readonly --duration 8h --reason "audit"',
    'crossrole inbox --as approver');

  // ------------------------------------------------------------------ partner
  example(program.command('request').description('ask for access to account A (partner)')
    .option('--access-profile <name>', 'catalog profile to ask for (e.g. ecs-readonly); required. `--profile <name>` without --access-profile is its deprecated spelling')
    .requiredOption('--duration <duration>', 'how long: 90m, 8h, 1h30m, 7d or PT8H (at most the profile\'s maximum)')
    .requiredOption('--reason <text>', 'why; the approver reads it')
    .option('--role-name <name>', 'name of the role to create (prefixed with crossrole-, lower-cased)')
    .option('--principal <arn>', 'who may assume the role: user/<name>, role/<name> or a full ARN of your account (repeatable; default your account root)', collect)
    .option('--acknowledge-privileged', 'required for privileged profiles')
    .option('--start-at <time>', 'when the grant starts: ISO-8601 with offset, or +<duration> from now (at most the profile\'s maxLeadTime ahead); SCHEDULED until then', parseStartAtOption)
    .option('--ticket <ref>', 'ticket reference (change, incident), e.g. CHG-1234: required by some profiles; a break-glass profile needs it or a reason of 20+ characters')
    .option('--wait', 'wait until the request is decided and provisioned')
    .option('--timeout <seconds>', 'how long --wait waits', positiveInt, DEFAULT_WAIT_TIMEOUT_SECONDS),
  'crossrole request --as partner-admin --access-profile ecs-readonly --duration 8h --reason "quarterly audit" --role-name Partner-ReadOnly-Access --principal user/bob',
  'crossrole request --profile my-aliyun-profile --access-profile ecs-readonly --duration 1h30m --reason "incident 4711"')
    .action(run(async (s, o) => {
      const placed = requestProfiles(o);
      if (placed.deprecatedProfile) io.stderr.write(`${DEPRECATED_REQUEST_PROFILE}\n`);
      return (await requests()).requestCommand(s, {
      profile: placed.accessProfile, duration: String(o['duration']), reason: String(o['reason']),
      ...stringOpt(o, 'roleName'),
      ...stringOpt(o, 'startAt'),
      ...(Array.isArray(o['principal']) ? { principal: o['principal'] as string[] } : {}),
      acknowledgePrivileged: o['acknowledgePrivileged'] === true, wait: o['wait'] === true, timeout: Number(o['timeout']),
      ...stringOpt(o, 'ticket'),
      });
    }, true));

  example(program.command('status').argument('<id>', 'request id').description('show a request, its grant and its history'),
    'crossrole status 0f8e4c1a-... --as partner-admin')
    .action(run(async (s, _o, [id]) => (await requests()).statusCommand(s, id ?? '')));

  example(program.command('list').description('list requests: a partner\'s own, or (approvers) those in one status')
    .option('--status <status>', 'PENDING, APPROVED, ACTIVE, REVOKING, REVOKED, REJECTED, CANCELLED, LAPSED or FAILED', parseStatusOption)
    .option('--limit <n>', 'at most this many', positiveInt)
    .option('--unreviewed', 'break-glass grants still waiting for their review, oldest due first (approvers, operators)'),
  'crossrole list --as partner-admin --status ACTIVE', 'crossrole list --as approver --status PENDING --json', 'crossrole list --as approver --unreviewed')
    .action(run(async (s, o) => (await requests()).listCommand(s, {
      ...stringOpt(o, 'status'), ...(typeof o['limit'] === 'number' ? { limit: o['limit'] } : {}), unreviewed: o['unreviewed'] === true,
    })));

  example(program.command('revoke').argument('<id>', 'request id').description('end a grant now (approvers, or the grant\'s partner)')
    .requiredOption('--reason <text>', 'why (kept in the audit trail)')
    .option('--delete', 'delete the role (permanent) instead of removing the partner from its trust policy')
    .option('--wait', 'wait until the revocation is done')
    .option('--timeout <seconds>', 'how long --wait waits', positiveInt, DEFAULT_WAIT_TIMEOUT_SECONDS),
  'crossrole revoke 0f8e4c1a-... --as approver --reason "audit finished" --wait')
    .action(run(async (s, o, [id]) => (await requests()).revokeCommand(s, id ?? '', { reason: String(o['reason']), delete: o['delete'] === true, wait: o['wait'] === true, timeout: Number(o['timeout']) })));

  example(program.command('cancel').argument('<id>', 'request id').description('withdraw your own pending or scheduled request (partner)')
    .option('--reason <text>', 'why'),
  'crossrole cancel 0f8e4c1a-... --as partner-admin')
    .action(run(async (s, o, [id]) => (await requests()).cancelCommand(s, id ?? '', stringOpt(o, 'reason'))));

  example(program.command('partner-policy').argument('<id>', 'request id of an ACTIVE grant').description('print the policy B\'s admin attaches to the users who may assume the role (tutorial step 2)'),
    'crossrole partner-policy 0f8e4c1a-... --as partner-admin > assume-policy.json')
    .action(run(async (s, _o, [id]) => (await requests()).partnerPolicyCommand(s, id ?? '')));

  example(program.command('assume').argument('<target>', 'request id (role ARN and ExternalId looked up) or a role ARN').argument('[command...]', 'with --exec: the command to run, after --').description('assume the granted role with your own credentials and print temporary credentials, or run a command with them')
    .option('--duration <duration>', 'session length, 15m up to the role\'s maximum session duration (Crossrole roles: 1h)', '1h')
    .option('--format <format>', 'env (POSIX export lines), fish, powershell, json or aliyun-external (aliyun CLI External mode)')
    .option('--exec', 'run the command after -- with the credentials in its environment only (exit code passed through)')
    .option('--session-name <name>', 'STS role session name (default <your name>@<your account>)')
    .option('--no-source-identity', 'send no SourceIdentity (default: your ARN, as user.<name>@<account>)')
    .option('--external-id <id>', 'ExternalId (looked up automatically when given a request id)'),
  'eval "$(crossrole assume 0f8e4c1a-... --as bob)"', 'crossrole assume 0f8e4c1a-... --format fish | source',
  'crossrole assume 0f8e4c1a-... --exec -- aliyun ecs DescribeInstances', 'crossrole assume acs:ram::1511928242963727:role/crossrole-x --external-id abc --json')
    .action(run(async (s, o, [target, ...command]) => {
      if (o['exec'] !== true && command.length > 0) throw new UsageError(`unexpected arguments: ${command.join(' ')}`, 'to run a command: crossrole assume <id> --exec -- <command> [args...]');
      return (await assume()).assumeCommand(s, target ?? '', {
        duration: String(o['duration']), ...stringOpt(o, 'format'), ...stringOpt(o, 'sessionName'), ...stringOpt(o, 'externalId'),
        sourceIdentity: o['sourceIdentity'] !== false, ...(o['exec'] === true ? { exec: command } : {}),
      });
    }));

  example(program.command('configure-profile').argument('<id>', 'request id of a grant').description('add an aliyun CLI profile (External mode) that runs `crossrole assume <id>` whenever the aliyun CLI or an SDK needs credentials')
    .option('--name <profile>', 'profile name (default crossrole-<short id>)')
    .option('--duration <duration>', 'session length of each assume')
    .option('--crossrole-command <cmd>', 'how to run crossrole later (default: this program, by its absolute path)'),
  'crossrole configure-profile 0f8e4c1a-... --profile my-b-user && aliyun --profile crossrole-0f8e4c1a1111 ecs DescribeInstances')
    .action(run(async (s, o, [id]) => (await configureProfile()).configureProfileCommand(s, id ?? '', {
      ...stringOpt(o, 'name'), ...stringOpt(o, 'duration'), ...stringOpt(o, 'crossroleCommand'),
      self: { node: process.execPath, ...(argv[1] === undefined ? {} : { script: argv[1] }) },
    })));

  example(program.command('console').argument('<id>', 'request id of a grant').description('the console switch-role details of a grant (role ARN, account, role name, URL); --federation signs in as the role')
    .option('--open', 'open the URL in a browser (xdg-open / open)')
    .option('--federation', 'a one-time sign-in URL from a fresh STS session (GetSigninToken at signin.aliyun.com)')
    .option('--duration <duration>', 'with --federation: session length', '1h')
    .option('--signin-endpoint <url>', 'with --federation: the federation endpoint (default https://signin.aliyun.com/federation)')
    .option('--destination <url>', 'with --federation: the console page to land on'),
  'crossrole console 0f8e4c1a-... --as bob', 'crossrole console 0f8e4c1a-... --federation --open')
    .action(run(async (s, o, [id]) => (await consoleCmd()).consoleCommand(s, id ?? '', {
      open: o['open'] === true, federation: o['federation'] === true, duration: String(o['duration']),
      ...stringOpt(o, 'signinEndpoint'), ...stringOpt(o, 'destination'), platform: process.platform,
    })));

  example(program.command('profiles').description('list the profiles you may ask for (name, maximum duration, approval, privileged, policies)'),
    'crossrole profiles --as partner-admin', 'crossrole profiles --json')
    .action(run(async (s) => (await profiles()).profilesCommand(s)));

  registerLifecycleCommands(program, run);

  example(program.command('inbox').description('decide the requests waiting in the approvals queue (approver)')
    .option('--decision <decision>', 'decide every waiting request without prompting: approve, reject or skip', parseDecision)
    .option('--yes', 'same as --decision approve')
    .option('--reason <text>', 'reason for --decision reject (or a note for approve)')
    .option('--duration <duration>', 'approve for less than asked')
    .option('--catalog <file>', 'catalog JSON, to show the policies of each profile'),
  'crossrole inbox --as approver', 'crossrole inbox --as approver --json', 'crossrole inbox --as approver --decision reject --reason "no ticket"')
    .action(run(async (s, o) => (await inbox()).inboxCommand(s, {
      ...(typeof o['decision'] === 'string' ? { decision: parseDecision(o['decision']) } : {}),
      yes: o['yes'] === true,
      ...stringOpt(o, 'reason'),
      ...stringOpt(o, 'duration'),
      ...stringOpt(o, 'catalog'),
      ...stringOpt(o, 'databaseSecret'),
      ...stringOpt(o, 'databaseSecretKey'),
    })));

  example(program.command('approve').argument('<id>', 'request id').description('approve a pending request (approver)')
    .option('--duration <duration>', 'grant less than asked')
    .option('--reason <text>', 'note for the audit trail')
    .option('--wait', 'wait until the role is provisioned')
    .option('--timeout <seconds>', 'how long --wait waits', positiveInt, DEFAULT_WAIT_TIMEOUT_SECONDS),
  'crossrole approve 0f8e4c1a-... --as approver --wait')
    .action(run(async (s, o, [id]) => (await requests()).approveCommand(s, id ?? '', {
      ...stringOpt(o, 'duration'),
      ...stringOpt(o, 'reason'),
      wait: o['wait'] === true, timeout: Number(o['timeout']),
    })));

  example(program.command('reject').argument('<id>', 'request id').description('reject a pending request (approver)')
    .requiredOption('--reason <text>', 'why; the partner sees it'),
  'crossrole reject 0f8e4c1a-... --as approver --reason "no change ticket"')
    .action(run(async (s, o, [id]) => (await requests()).rejectCommand(s, id ?? '', { reason: String(o['reason']) })));

  example(program.command('reconcile').argument('<id>', 'request id').description('make the grant\'s role in RAM match the ledger now, and show what was found and done (approvers, operators)'),
  'crossrole reconcile 0f8e4c1a-... --as approver', 'crossrole reconcile 0f8e4c1a-... --as approver --json')
    .action(run(async (s, _o, [id]) => (await requests()).reconcileCommand(s, id ?? '')));

  example(program.command('retry').argument('<id>', 'request id of a FAILED request').description('retry a failed provisioning or revocation (approver)')
    .option('--wait', 'wait until it settles')
    .option('--timeout <seconds>', 'how long --wait waits', positiveInt, DEFAULT_WAIT_TIMEOUT_SECONDS),
  'crossrole retry 0f8e4c1a-... --as approver --wait')
    .action(run(async (s, o, [id]) => (await requests()).retryCommand(s, id ?? '', { wait: o['wait'] === true, timeout: Number(o['timeout']) })));

  // ------------------------------------------------------------------ operator
  example(program.command('bootstrap').description('plan, then create or update, the queues, the functions\' execution role and policy, the approvers\' policy and the ledger schema in the account of the credentials (idempotent); prints the hand-out for partners')
    .option('--dry-run', 'print the plan (create / update / unchanged, with what would change) and change nothing')
    .option('--database-url <url>', 'PostgreSQL URL of the ledger (env DATABASE_URL); without it the schema step is skipped')
    .option('--database-schema <name>', 'PostgreSQL schema for the ledger tables (default: the connection\'s)')
    .option('--catalog <file>', 'the catalog the functions are built with; the policies and the approvers come from it (default: CROSSROLE_CATALOG_FILE, CROSSROLE_CONFIG, or the local stack\'s)')
    .option('--database-secret <name>', 'the KMS secret the functions read DATABASE_URL from (env DATABASE_SECRET_NAME): the role may read that secret, nothing else in KMS')
    .option('--database-secret-key <key-id>', 'the KMS key encrypting that secret: the role may decrypt with it')
    .option('--api-url <url>', 'a custom domain in front of both functions, to hand out instead of the HTTP trigger URLs'),
  'crossrole bootstrap --profile prod-admin --region cn-hangzhou --catalog catalog.json --database-url postgres://crossrole@pgm-xxx:5432/crossrole --dry-run',
  'crossrole bootstrap --catalog catalog.json --database-secret crossrole/ledger-url --database-secret-key key-hzz62xxxx',
  'crossrole bootstrap --as owner-admin')
    .action(run(async (s, o) => (await bootstrap()).bootstrapCommand(s, {
      dryRun: o['dryRun'] === true,
      ...stringOpt(o, 'databaseUrl'),
      ...stringOpt(o, 'databaseSchema'),
      ...stringOpt(o, 'catalog'),
      ...stringOpt(o, 'databaseSecret'),
      ...stringOpt(o, 'databaseSecretKey'),
      ...stringOpt(o, 'apiUrl'),
    })));

  example(program.command('doctor').description('check a deployment, or your own setup, line by line (ok / warn / fail, with the fix); owner checks need the owner\'s credentials; exit 1 if any line fails')
    .option('--catalog <file>', 'the catalog the functions are deployed with (default: CROSSROLE_CATALOG_FILE, CROSSROLE_CONFIG, or the local stack\'s)')
    .option('--database-url <url>', 'PostgreSQL URL of the ledger (env DATABASE_URL), to check its migrations')
    .option('--database-schema <name>', 'PostgreSQL schema of the ledger tables')
    .option('--s-yaml <file>', 's.yaml whose environment size to check (default ./s.yaml when present)')
    .option('--function-prefix <prefix>', 'the functions\' name prefix in s.yaml', 'crossrole-'),
  'crossrole doctor --profile prod-admin --catalog catalog.json --database-url postgres://crossrole@pgm-xxx:5432/crossrole',
  'crossrole doctor                      # a partner or an approver, after `crossrole configure`',
  'crossrole doctor --as owner-admin --json')
    .action(run(async (s, o) => (await doctor()).doctorCommand(s, {
      ...stringOpt(o, 'catalog'),
      ...stringOpt(o, 'databaseUrl'),
      ...stringOpt(o, 'databaseSchema'),
      ...stringOpt(o, 'sYaml'),
      functionPrefix: String(o['functionPrefix']),
    })));

  example(program.command('configure').description('write the client config (API URLs, region, STS endpoint) every command reads; the owner\'s `crossrole bootstrap` prints the command to run')
    .option('--intake-url <url>', 'HTTP trigger URL of crossrole-intake')
    .option('--approval-url <url>', 'HTTP trigger URL of crossrole-approval')
    .option('--api-url <url>', 'one custom domain in front of both functions, instead of the two URLs')
    .option('--mns-endpoint <url>', 'approvers: the owner account\'s MNS endpoint, https://<uid>.mns.<region>.aliyuncs.com')
    .option('--show', 'print the config and where it is, change nothing')
    .addHelpText('after', '\nThe global --region, --sts-endpoint, --owner-account (approvers) and --profile (your default aliyun CLI profile) are written to the config too.'),
  'crossrole configure --intake-url https://crossrole-intake-abc.cn-hangzhou.fcapp.run --approval-url https://crossrole-approval-def.cn-hangzhou.fcapp.run --region cn-hangzhou --sts-endpoint sts.aliyuncs.com',
  'crossrole configure --show --json')
    .action(run(async (s, o) => (await configure()).configureCommand(s, {
      ...stringOpt(o, 'intakeUrl'),
      ...stringOpt(o, 'approvalUrl'),
      ...stringOpt(o, 'apiUrl'),
      ...stringOpt(o, 'region'),
      ...stringOpt(o, 'stsEndpoint'),
      ...stringOpt(o, 'mnsEndpoint'),
      ...stringOpt(o, 'ownerAccount'),
      ...(typeof (o['aliyunProfile'] ?? o['profile']) === 'string' ? { profile: String(o['aliyunProfile'] ?? o['profile']) } : {}),
      show: o['show'] === true,
    })));

  example(program.command('invoke').argument('<function>', 'function name, e.g. crossrole-expiry').description('invoke a function through the FC 3.0 API (InvokeFunction, 2023-03-30); <function> is the functionName in s.yaml')
    .option('--event-file <file>', 'event JSON (see events/)')
    .option('--async', 'asynchronous invocation'),
  'crossrole invoke crossrole-expiry --event-file events/timer/expiry-scan.json --as owner-admin')
    .action(run(async (s, o, [fn]) => (await operator()).invokeCommand(s, fn ?? '', { ...stringOpt(o, 'eventFile'), async: o['async'] === true })));

  const config = example(program.command('config').description('catalog tools'), 'crossrole config check catalog.json');
  example(config.command('check').argument('<file>', 'catalog JSON').description('list every problem of a catalog (schema, guardrails, unknown System policies) and what each profile grants; exit 1 on any error'),
    'crossrole config check catalog.json', 'crossrole config check examples/catalog.json --json')
    .action(run(async (s, _o, [file]) => (await configCheck()).configCheckCommand(s, file ?? '')));

  // ------------------------------------------------------------------ demo
  example(program.command('demo').description('play the cross-account tutorial end to end against the local stack, narrated (starts one if none is running)')
    .option('--short-duration <duration>', 'length of the grant that expires on its own', '20s'),
  'crossrole demo', 'crossrole demo --data-dir /tmp/crossrole-demo')
    .action(run(async (s, o) => (await demo()).demoCommand(s, { shortDuration: String(o['shortDuration']) })));

  // ------------------------------------------------------------------ shell
  example(program.command('completion').argument('<shell>', 'bash, zsh or fish').description('print a shell completion script for crossrole\'s commands and options'),
    'source <(crossrole completion bash)              # in ~/.bashrc',
    'source <(crossrole completion zsh)               # in ~/.zshrc, after compinit',
    'crossrole completion fish > ~/.config/fish/completions/crossrole.fish')
    .action((shell: string) => {
      io.stdout.write(completionScript(program, shell));
    });

  try {
    await program.parseAsync(argv as string[], { from: 'node' });
    return exit;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version') return ExitCode.OK;
      if (e.code === 'commander.help' || e.code === 'commander.executeSubCommandAsync') return ExitCode.USAGE;
      io.stderr.write('(see crossrole <command> --help)\n');
      return ExitCode.USAGE;
    }
    const err = e instanceof UsageError ? e : toCliError(e);
    if (ui.json) {
      ui.printJson({ error: { code: err.code, message: err.message, ...(err.hint ? { hint: err.hint } : {}), ...(err.status ? { status: err.status } : {}), ...(err.field ? { field: err.field } : {}), ...(err.requestId ? { requestId: err.requestId } : {}) } });
    }
    // Server messages may echo what a partner sent: shown with its invisible characters escaped.
    const where = err.status !== undefined ? ` (HTTP ${err.status}${err.requestId ? `, request ${escapeInvisible(err.requestId)}` : ''})` : '';
    const field = err.field !== undefined && !err.message.includes(err.field) ? `${err.field}: ` : '';
    io.stderr.write(`${ui.c.red('crossrole:')} ${escapeInvisible(`${err.code}: ${field}${err.message}`)}${where}\n`);
    if (err.hint) io.stderr.write(`  ${ui.c.dim('what to do:')} ${escapeInvisible(err.hint)}\n`);
    return err.exitCode;
  }
}

/**
 * `main`, then wait until stdout and stderr have drained: the caller exits the process right after
 * (the SDKs' keep-alive sockets would otherwise keep it running), and an exit before the drain cuts
 * piped output short.
 */
export async function run(argv: readonly string[], io: MainIo = defaultIo()): Promise<number> {
  try {
    return await main(argv, io);
  } finally {
    await Promise.all([flushed(io.stdout), flushed(io.stderr)]);
  }
}

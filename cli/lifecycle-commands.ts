/**
 * The commands of a grant's lifecycle after it was asked for: extend, shorten and an approver's
 * decision on an extension; the post-hoc review of a break-glass grant; the audit export. Registered
 * on the program by cli/index.ts, with its `run` (options merged with the program's, the session
 * built, the exit code kept); the command modules load only when one runs, like the others.
 */
import { Option, type Command } from 'commander';
import { DEFAULT_WAIT_TIMEOUT_SECONDS, example, stringOpt } from './command-help';
import type { createSession } from './context';
import { UsageError } from './errors';
import { positiveInt } from './parse';

const extensions = () => import('./commands/extensions.js');
const requests = () => import('./commands/requests.js');
const audit = () => import('./commands/audit.js');

type Run = (fn: (session: ReturnType<typeof createSession>, opts: Record<string, unknown>, args: string[]) => Promise<number> | number) => (...params: unknown[]) => Promise<void>;

export function registerLifecycleCommands(program: Command, run: Run): void {
  for (const [name, what] of [['extend', 'ask for a later expiry of an ACTIVE grant (the grant\'s partner); the profile decides whether an approver must agree'], ['shorten', 'move an ACTIVE grant\'s expiry earlier, at once (the grant\'s partner, approvers)']] as const) {
    example(program.command(name).argument('<id>', 'request id of an ACTIVE grant').description(what)
      .option('--by <duration>', `${name === 'extend' ? 'later' : 'earlier'} than the current expiry by this much (90m, 2h, PT2H)`)
      .option('--until <time>', 'the new expiry, ISO 8601 (2026-12-07T18:00:00Z)')
      .requiredOption('--reason <text>', 'why (kept in the audit trail; approvers read it)')
      .option('--wait', 'wait until the change is applied (not for an approver)')
      .option('--timeout <seconds>', 'how long --wait waits', positiveInt, DEFAULT_WAIT_TIMEOUT_SECONDS),
    `crossrole ${name} 0f8e4c1a-... --by ${name === 'extend' ? '2h' : '30m'} --reason "${name === 'extend' ? 'migration overran' : 'done early'}" --as partner-admin --wait`)
      .action(run(async (s, o, [id]) => {
        const m = await extensions();
        const options = { ...stringOpt(o, 'by'), ...stringOpt(o, 'until'), reason: String(o['reason']), wait: o['wait'] === true, timeout: Number(o['timeout']) };
        return name === 'extend' ? m.extendCommand(s, id ?? '', options) : m.shortenCommand(s, id ?? '', options);
      }));
  }

  const extension = example(program.command('extension').description('decide a grant\'s pending extension (approver)'), 'crossrole extension approve 0f8e4c1a-... --as approver --wait');
  for (const decision of ['approve', 'reject'] as const) {
    const cmd = example(extension.command(decision).argument('<id>', 'request id of the grant').description(`${decision} the grant's pending extension`),
      decision === 'approve' ? 'crossrole extension approve 0f8e4c1a-... --as approver --wait' : 'crossrole extension reject 0f8e4c1a-... --as approver --reason "no ticket"');
    if (decision === 'reject') cmd.requiredOption('--reason <text>', 'why; the partner sees it');
    else cmd.option('--reason <text>', 'note for the audit trail').option('--wait', 'wait until it is applied');
    cmd.option('--timeout <seconds>', 'how long --wait waits', positiveInt, DEFAULT_WAIT_TIMEOUT_SECONDS)
      .action(run(async (s, o, [id]) => (await extensions()).decideExtensionCommand(s, id ?? '', decision, { ...stringOpt(o, 'reason'), wait: o['wait'] === true, timeout: Number(o['timeout']) })));
  }

  example(program.command('review').argument('<id>', 'request id of a break-glass grant').description('review a break-glass grant after the fact (approver, never the requester): --ok or --flag, with a note; once')
    .option('--ok', 'the emergency access was justified')
    .option('--flag', 'it was not: a finding for the security team (revoke it separately if it is still live)')
    .requiredOption('--note <text>', 'what you checked (kept in the audit trail)'),
  'crossrole review 0f8e4c1a-... --as approver --ok --note "INC-4711: restart was needed"')
    .action(run(async (s, o, [id]) => {
      if ((o['ok'] === true) === (o['flag'] === true)) throw new UsageError('give exactly one of --ok and --flag');
      return (await requests()).reviewCommand(s, id ?? '', { verdict: o['ok'] === true ? 'ok' : 'flag', note: String(o['note']) });
    }));

  const auditCmd = example(program.command('audit').description('the audit trail (approvers, operators)'), 'crossrole audit export --since 7d --format csv --output audit.csv');
  example(auditCmd.command('export').description('export the append-only audit events of a time window (who, what, when, from which state to which, the reason and ticket, the RAM calls made), page by page')
    .requiredOption('--since <time>', 'from: ISO-8601 (2026-12-07T10:00:00Z), a date (2026-12-07), or a duration ago (24h, 7d)')
    .option('--until <time>', 'to (exclusive); default: two minutes ago (later events may still be committing)')
    .addOption(new Option('--format <format>', 'jsonl (one event per line) or csv (RFC 4180, with a header)').choices(['jsonl', 'csv']).default('jsonl'))
    .option('--partner <account>', 'only the events of this partner account\'s requests')
    .option('--output <file>', 'write to this file instead of stdout')
    .option('--page-size <n>', 'events per API page (at most 500)', positiveInt),
  'crossrole audit export --as approver --since 24h > audit.jsonl',
  'crossrole audit export --as approver --since 2026-12-01 --until 2026-12-07 --format csv --partner 1879324520397241 --output audit.csv')
    .action(run(async (s, o) => (await audit()).auditExportCommand(s, {
      since: String(o['since']),
      format: o['format'] === 'csv' ? 'csv' : 'jsonl',
      ...stringOpt(o, 'until'),
      ...stringOpt(o, 'partner'),
      ...stringOpt(o, 'output'),
      ...(typeof o['pageSize'] === 'number' ? { pageSize: o['pageSize'] } : {}),
    })));
}

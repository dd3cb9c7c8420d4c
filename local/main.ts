/**
 * `npm start`: the local cloud and the Crossrole functions on one port, until Ctrl-C.
 */
import { resolve } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { loadLocalConfig } from './config';
import { errorMessage } from './core/errors';
import { redactDatabaseUrl, startLocalStack } from './stack';

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('must be a port number (0-65535)');
  return n;
}

async function main(argv: readonly string[]): Promise<void> {
  const defaults = loadLocalConfig([]);
  const program = new Command()
    .name('npm start --')
    .description('Run the local cloud (RAM, STS, ECS, MNS, Function Compute) and the Crossrole functions from s.yaml.')
    .option('--port <port>', 'port on 127.0.0.1', port, defaults.port)
    .option('--data-dir <dir>', 'state directory', defaults.dataDir ?? '.crossrole')
    .option('--fresh', 'delete the state directory and start empty', false)
    .option('--no-timers', 'do not run timer triggers on their schedule (fire them with POST /_local/fc/timers/<fn>/fire)')
    .option('--strict-limits', 'enforce RAM/STS rate limits and quotas as the real services do', defaults.strictLimits)
    .option('--fast-retries', 'retry failed queue messages after 1 s instead of EventBridge\'s 10-20 s', false)
    .option('--database-url <url>', 'keep the ledger on this PostgreSQL server instead of PGlite (migrated at start; --fresh does not empty it)', defaults.databaseUrl)
    .addHelpText('after', '\nExamples:\n  npm start -- --port 9500 --fresh\n  npm start -- --database-url postgres://postgres@127.0.0.1:5432/crossrole\n');
  program.parse(argv as string[], { from: 'user' });
  const o = program.opts<{ port: number; dataDir: string; fresh: boolean; timers: boolean; strictLimits: boolean; fastRetries: boolean; databaseUrl?: string }>();

  const started = Date.now();
  const dataDir = resolve(o.dataDir);
  const stack = await startLocalStack({
    projectRoot: resolve(__dirname, '..', '..'),
    port: o.port,
    dataDir,
    fresh: o.fresh,
    timers: o.timers,
    strictLimits: o.strictLimits,
    ...(o.fastRetries ? { retryDelayMs: 1000 } : {}),
    ...(o.databaseUrl === undefined ? {} : { databaseUrl: o.databaseUrl }),
    logger: {
      debug: () => undefined,
      info: () => undefined,
      warn: (m, f) => console.warn(`[fc] ${m}`, f ? JSON.stringify(f) : ''),
      error: (m, f) => console.error(`[fc] ${m}`, f ? JSON.stringify(f) : ''),
    },
  });
  const c = stack.contract;
  const ms = Date.now() - started;
  console.log(`Crossrole local cloud ready in ${ms} ms on http://${c.endpoint}`);
  console.log(`  state          ${dataDir}  (contract: ${dataDir}/local.json)`);
  console.log(`  intake API     ${c.api.intake}`);
  console.log(`  approval API   ${c.api.approval}`);
  console.log(`  RAM/STS/ECS    ${c.endpoint} (POP RPC, protocol http)`);
  console.log(`  MNS, FC API    http://${c.endpoint}`);
  console.log(`  ledger         ${redactDatabaseUrl(stack.ledgerUrl)}  (${o.databaseUrl === undefined ? 'PGlite; psql works' : 'your PostgreSQL server'})`);
  console.log(`  webhooks       http://${c.endpoint}/_local/webhooks/<name>  (${stack.webhooks.names().join(', ')}: GET shows the verified deliveries)`);
  console.log(`  Company A      ${c.ownerAccountId}  (owner-admin, approver)`);
  console.log(`  Company B      ${c.partnerAccountId}  (partner-admin, bob)`);
  console.log('');
  console.log('Try next, in another terminal:');
  console.log('  npx crossrole demo                                  # the whole tutorial, narrated');
  console.log('  npx crossrole request --as partner-admin --access-profile ecs-readonly --duration 8h --reason "audit"');
  console.log('  npx crossrole inbox --as approver');
  console.log('Ctrl-C stops; state is kept (use --fresh to start empty).');

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping...`);
    stack.close().then(
      () => process.exit(0),
      (e: unknown) => {
        console.error(e);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main(process.argv.slice(2)).catch((e: unknown) => {
  console.error(`npm start failed: ${errorMessage(e)}`);
  process.exit(1);
});

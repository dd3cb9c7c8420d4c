/**
 * `npm run bench [-- --quick] [-- --only intake,approval,...]`: measures the figures of the
 * "Prove it" benchmark against the local stack, prints a table and writes bench/results.json.
 * Run through scripts/bench.js, which builds the functions first when the sources changed.
 */
import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { benchBurst } from './burst';
import { benchColdStart } from './cold-start';
import { benchExposureNormal, benchExposureWorst, benchReconcilePass } from './exposure';
import { benchApproval, benchExpiryMessage, benchExpiryTimer, benchIntake } from './flow';
import { captureFunctionLogs, startBenchStack, submitMany, type BenchStack } from './lib';
import { benchIntakeLedgers } from './ledgers';
import { quotaCapacity } from './quotas';
import { renderTable, row, type Row, type SectionResult } from './report';
import { benchScanCost } from './scan-cost';

const ROOT = join(__dirname, '..');
const SECTIONS = ['intake', 'approval', 'expiry', 'coldstart', 'quotas', 'burst', 'expiry-timer', 'scan', 'exposure', 'intake-ledgers'] as const;
type Section = (typeof SECTIONS)[number];

interface Sizes {
  intakeRequests: number;
  intakeConcurrency: number;
  approvals: number;
  burst: number;
  expiryGrants: number;
  expiryDurationSeconds: number;
  timerGrants: number;
  timerStaggerMs: number;
  timerManual: boolean;
  scanSizes: number[];
  scanMaxInsertSeconds: number;
  coldRuns: number;
  exposureGrants: number;
  exposureWorstGrants: number;
  exposureStaggerMs: number;
  exposureManual: boolean;
  passRoles: number;
}

const FULL: Sizes = {
  intakeRequests: 1000, intakeConcurrency: 50, approvals: 50, burst: 500,
  expiryGrants: 20, expiryDurationSeconds: 10, timerGrants: 4, timerStaggerMs: 15_000, timerManual: false,
  scanSizes: [10_000, 100_000, 1_000_000], scanMaxInsertSeconds: 240, coldRuns: 3,
  exposureGrants: 20, exposureWorstGrants: 4, exposureStaggerMs: 15_000, exposureManual: false, passRoles: 999,
};

const QUICK: Sizes = {
  intakeRequests: 200, intakeConcurrency: 50, approvals: 10, burst: 60,
  expiryGrants: 5, expiryDurationSeconds: 5, timerGrants: 3, timerStaggerMs: 0, timerManual: true,
  scanSizes: [10_000, 100_000], scanMaxInsertSeconds: 60, coldRuns: 2,
  exposureGrants: 10, exposureWorstGrants: 3, exposureStaggerMs: 0, exposureManual: true, passRoles: 200,
};

function parseArgs(argv: readonly string[]): { quick: boolean; only: Set<Section> } {
  const quick = argv.includes('--quick');
  const i = argv.indexOf('--only');
  const list = i >= 0 ? (argv[i + 1] ?? '').split(',').filter((s) => s !== '') : [...SECTIONS];
  for (const s of list) if (!(SECTIONS as readonly string[]).includes(s)) throw new Error(`unknown section "${s}" (sections: ${SECTIONS.join(', ')})`);
  return { quick, only: new Set(list as Section[]) };
}

async function main(): Promise<void> {
  const { quick, only } = parseArgs(process.argv.slice(2));
  captureFunctionLogs();
  const size = quick ? QUICK : FULL;
  const started = new Date();
  const results: SectionResult[] = [];
  const failures: Row[] = [];
  const log = (m: string): void => {
    process.stdout.write(`[bench +${((Date.now() - started.getTime()) / 1000).toFixed(0)}s] ${m}\n`);
  };
  const run = async (name: string, f: () => Promise<SectionResult | SectionResult[]>): Promise<void> => {
    log(`${name}...`);
    try {
      const r = await f();
      for (const s of Array.isArray(r) ? r : [r]) {
        results.push(s);
        for (const x of s.rows) log(`  ${x.metric}: ${x.value}${x.goal ? ` (goal ${x.goal})` : ''}`);
      }
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      failures.push(row(name, 'ERROR', message.slice(0, 200)));
      log(`  ${name} failed: ${message}`);
    }
  };
  const projectRoot = ROOT;

  // Stack A: no timers (the delayed message is the only expiry path), default limits.
  if (['intake', 'approval', 'expiry', 'coldstart', 'quotas'].some((s) => only.has(s as Section)) || (quick && only.has('expiry-timer'))) {
    log('starting the local stack (timers off, default limits)');
    const a: BenchStack = await startBenchStack({ projectRoot, port: 0, timers: false, retryDelayMs: 1000 });
    try {
      let ids: string[] = [];
      if (only.has('intake')) {
        await run('1 intake', async () => {
          const r = await benchIntake(a, size.intakeRequests, size.intakeConcurrency);
          ids = r.ids;
          return r;
        });
      }
      let revoked: string[] = [];
      if (only.has('approval') || only.has('quotas')) {
        await run('2+4 approval, RAM calls', async () => {
          const pending = ids.length > size.approvals ? ids.slice(0, size.approvals + 1) : await submitMany(a, size.approvals + 1, '8h');
          const r = await benchApproval(a, pending);
          revoked = (await a.db.query<{ role_name: string }>("SELECT role_name FROM requests WHERE id = ANY($1::text[]) AND status = 'REVOKED'", [pending])).rows.map((x) => x.role_name);
          return r;
        });
      }
      if (only.has('expiry')) await run('5a expiry via delayed message', () => benchExpiryMessage(a, size.expiryGrants, size.expiryDurationSeconds));
      if (quick && only.has('expiry-timer')) await run('5b expiry via timer (manual fire)', () => benchExpiryTimer(a, size.timerGrants, 0, true));
      if (only.has('coldstart')) {
        await run('7 cold start', async () => {
          const [id] = await submitMany(a, 1, '8h');
          if (id === undefined) throw new Error('no request for the cold start event');
          return benchColdStart(a, id, size.coldRuns);
        });
      }
      if (only.has('quotas')) {
        await run('quota capacity', async () => quotaCapacity({
          trustRevokedGrants: revoked.length,
          managedRolesLeft: revoked.filter((name) => a.stack.server.ram.findRole(a.stack.contract.ownerAccountId, name) !== undefined).length,
        }));
      }
      if (a.probe.warningCount > 0) log(`stack A: ${a.probe.warningCount} warning(s) from the functions, e.g. ${a.probe.warnings.slice(0, 3).join(' | ')}`);
    } finally {
      await a.close();
    }
  }

  if (only.has('burst')) {
    log(`starting a stack with strict RAM limits for ${size.burst} approvals (the provision trigger pushes one batch of up to 10 at a time)`);
    const s = await startBenchStack({ projectRoot, port: 0, timers: false, retryDelayMs: 1000, strictLimits: true });
    try {
      await run('3 burst', () => benchBurst(s, { grants: size.burst, approveConcurrency: 20, label: 'strict limits', key: 'burst' }));
      if (s.probe.warningCount > 0) log(`burst stack: ${s.probe.warningCount} warning(s), e.g. ${s.probe.warnings.slice(0, 3).join(' | ')}`);
    } finally {
      await s.close();
    }
  }

  if (!quick && only.has('expiry-timer')) {
    log('starting a stack with the real @every 1m expiry timer');
    const t = await startBenchStack({ projectRoot, port: 0, timers: true, retryDelayMs: 1000 });
    try {
      await run('5b expiry via timer sweep', () => benchExpiryTimer(t, size.timerGrants, size.timerStaggerMs, false));
    } finally {
      await t.close();
    }
  }

  if (only.has('scan')) await run('6 scan cost', () => benchScanCost(size.scanSizes, size.scanMaxInsertSeconds));

  if (only.has('exposure')) {
    log('starting a stack for the exposure bound (timers off: the expiry timer is fired by hand)');
    const e = await startBenchStack({ projectRoot, port: 0, timers: false, retryDelayMs: 1000 });
    try {
      let revoked: string[] = [];
      await run('exposure (a) normal', async () => {
        const r = await benchExposureNormal(e, size.exposureGrants);
        revoked = r.revokedIds;
        return r;
      });
      if (size.exposureManual) await run('exposure (b) message lost, manual fire', () => benchExposureWorst(e, size.exposureWorstGrants, 0, true));
      await run(`exposure pass over ${size.passRoles}+ roles`, async () => {
        const [template] = revoked;
        if (template === undefined) throw new Error('no REVOKED grant from (a) to copy');
        return benchReconcilePass(e, template, size.passRoles);
      });
    } finally {
      await e.close();
    }
    if (!size.exposureManual) {
      log('starting a stack with the real @every 1m expiry timer for the lost-message case');
      const t = await startBenchStack({ projectRoot, port: 0, timers: true, retryDelayMs: 1000 });
      try {
        await run('exposure (b) message lost, real timer', () => benchExposureWorst(t, size.exposureWorstGrants, size.exposureStaggerMs, false));
      } finally {
        await t.close();
      }
    }
  }

  if (only.has('intake-ledgers')) await run('intake on both ledgers', () => benchIntakeLedgers(projectRoot, size.intakeRequests, size.intakeConcurrency));

  const rows = [...results.flatMap((r) => r.rows), ...failures];
  const machine = { cores: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version, platform: `${process.platform} ${process.arch}` };
  const finished = new Date();
  const notes = results.flatMap((r) => r.notes);
  process.stdout.write(`\nCrossrole benchmark (${quick ? 'quick' : 'full'}), ${finished.toISOString()}, ${machine.cores} cores (${machine.cpuModel}), node ${machine.node}, ${((finished.getTime() - started.getTime()) / 1000).toFixed(0)} s\n\n`);
  process.stdout.write(`${renderTable(rows)}\n\nNotes:\n${notes.map((n) => `- ${n}`).join('\n')}\n`);
  const out = {
    date: finished.toISOString(), startedAt: started.toISOString(), mode: quick ? 'quick' : 'full', machine, sizes: size,
    durationSeconds: Math.round((finished.getTime() - started.getTime()) / 1000),
    sections: Object.fromEntries(results.map((r) => [r.key, { title: r.title, ...r.figures }])),
    table: rows, notes, errors: failures,
  };
  writeFileSync(join(ROOT, 'bench', 'results.json'), `${JSON.stringify(out, null, 2)}\n`);
  process.stdout.write('\nWrote bench/results.json\n');
  if (failures.length > 0) process.exitCode = 1;
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});

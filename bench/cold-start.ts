/**
 * Section 7: cold start of each bundled function. A child `node -e` requires
 * `dist/functions/<name>/index.js` and calls its handler once with a sample event from events/
 * (identity proofs made fresh), against the running local stack; compared with a bare
 * `node -e 0` measured in the same run.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { LOCAL_CATALOG, LOCAL_REGION } from '../local/world';
import { proofFor, round, type BenchStack } from './lib';
import { row, type SectionResult } from './report';

const ROOT = join(__dirname, '..');
const ONE_MB = 1024 * 1024;

/** Runs in the child: require the bundle, call the handler once, report timings on stdout. */
const CHILD = `
const t0 = performance.now();
const m = require(process.argv[1]);
const t1 = performance.now();
const event = Buffer.from(process.argv[2], 'base64');
Promise.resolve(m.handler(event, JSON.parse(process.argv[3]))).then((r) => {
  const t2 = performance.now();
  const result = r && typeof r === 'object' ? (r.statusCode !== undefined ? 'HTTP ' + r.statusCode : r.outcome !== undefined ? String(r.outcome) : 'ok') : (r === undefined ? 'returned' : typeof r);
  process.stdout.write(JSON.stringify({ boot: t0, load: t1 - t0, first: t2 - t1, result }) + '\\n');
  process.exit(0);
}, (e) => {
  process.stdout.write(JSON.stringify({ boot: t0, load: t1 - t0, first: performance.now() - t1, result: 'threw ' + (e && e.message) }) + '\\n');
  process.exit(0);
});`;

interface ChildRun {
  wallMs: number;
  stdout: string;
}

function runNode(args: string[], env: Record<string, string>): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const t = performance.now();
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code !== 0) reject(new Error(`node exited ${code}: ${stderr.slice(0, 500)}`));
      else resolve({ wallMs: performance.now() - t, stdout });
    });
  });
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)] ?? Number.NaN;
};

function event(file: string, edit: (e: Record<string, unknown>) => void): Buffer {
  const e = JSON.parse(readFileSync(join(ROOT, 'events', file), 'utf8')) as Record<string, unknown>;
  edit(e);
  return Buffer.from(JSON.stringify(e), 'utf8');
}

function withProof(e: Record<string, unknown>, proof: string, path?: string): void {
  e.headers = { ...(e.headers as Record<string, string>), 'x-crossrole-identity': proof };
  if (path !== undefined) {
    e.rawPath = path;
    const rc = e.requestContext as { http: { path: string } };
    rc.http.path = path;
  }
}

/** The largest inputs of one bundle, by package (esbuild metafile, built in memory). */
async function bundleComposition(name: string): Promise<Array<{ module: string; kib: number }>> {
  const r = await build({
    entryPoints: [join(ROOT, 'functions', name, 'index.ts')], bundle: true, platform: 'node', target: 'node20', format: 'cjs', minify: true, write: false, metafile: true,
    external: ['@electric-sql/pglite', '@electric-sql/pglite-socket', 'pg-native'], logLevel: 'silent', outfile: join(ROOT, '.tmp', 'bench-meta.js'),
  });
  const byModule = new Map<string, number>();
  for (const out of Object.values(r.metafile.outputs)) {
    for (const [path, info] of Object.entries(out.inputs)) {
      const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
      const key = m?.[1] ?? (path.startsWith('shared/') || path.startsWith('functions/') ? 'crossrole (shared/, functions/)' : path);
      byModule.set(key, (byModule.get(key) ?? 0) + info.bytesInOutput);
    }
  }
  return [...byModule].sort((a, b) => b[1] - a[1]).slice(0, 8).map(([module, bytes]) => ({ module, kib: round(bytes / 1024, 0) }));
}

export async function benchColdStart(b: BenchStack, partnerRequestId: string, runs: number): Promise<SectionResult> {
  const { stack } = b;
  const c = stack.contract;
  const owner = c.principals['owner-admin'];
  const env: Record<string, string> = {
    CROSSROLE_CONFIG: JSON.stringify(LOCAL_CATALOG),
    DATABASE_URL: stack.ledgerUrl,
    CROSSROLE_REGION: LOCAL_REGION,
    CROSSROLE_PROTOCOL: 'http',
    CROSSROLE_RAM_ENDPOINT: c.endpoint,
    CROSSROLE_STS_ENDPOINT: c.endpoint,
    CROSSROLE_MNS_ENDPOINT: stack.server.url,
    CROSSROLE_IDENTITY_STS_URLS: `${stack.server.url}/`,
    CROSSROLE_LOG_LEVEL: 'error',
  };
  const bare: number[] = [];
  for (let i = 0; i < runs + 2; i++) bare.push((await runNode(['-e', '0'], {})).wallMs);
  const bareMs = median(bare);

  const functions: Array<{ name: string; fn: string; event: () => Buffer }> = [
    { name: 'intake', fn: 'crossrole-intake', event: () => event('http/intake-get-request.json', (e) => withProof(e, proofFor(stack, c.principals['partner-admin']), `/requests/${partnerRequestId}`)) },
    { name: 'approval', fn: 'crossrole-approval', event: () => event('http/approval-list-pending.json', (e) => withProof(e, proofFor(stack, c.principals.approver))) },
    { name: 'provisioning', fn: 'crossrole-provisioning', event: () => event('mns/provision.json', () => undefined) },
    { name: 'revocation', fn: 'crossrole-revocation', event: () => event('mns/revoke.json', () => undefined) },
    { name: 'expiry', fn: 'crossrole-expiry', event: () => event('timer/expiry-scan.json', (e) => { e.triggerTime = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'); }) },
  ];
  const figures: Record<string, unknown> = { bareNodeMs: round(bareMs), bareNodeRunsMs: bare.map((x) => round(x)) };
  const rows: ReturnType<typeof row>[] = [row('7 cold start', 'bare `node -e 0` (median)', `${bareMs.toFixed(0)} ms`)];
  let oversize = 0;
  for (const f of functions) {
    const bundle = join(ROOT, 'dist', 'functions', f.name, 'index.js');
    const bytes = statSync(bundle).size;
    const walls: number[] = [];
    const loads: number[] = [];
    const firsts: number[] = [];
    let result = '';
    for (let i = 0; i < runs; i++) {
      const context = { requestId: randomUUID(), credentials: { accessKeyId: owner.accessKeyId, accessKeySecret: owner.accessKeySecret }, function: { name: f.fn } };
      const run = await runNode(['-e', CHILD, bundle, f.event().toString('base64'), JSON.stringify(context)], { ...env, FC_FUNCTION_NAME: f.fn, FC_REGION: LOCAL_REGION });
      const out = JSON.parse(run.stdout.trim().split('\n').pop() ?? '{}') as { load: number; first: number; result: string };
      walls.push(run.wallMs);
      loads.push(out.load);
      firsts.push(out.first);
      result = out.result;
    }
    const wall = median(walls);
    if (bytes > ONE_MB) oversize++;
    figures[f.name] = { bundleBytes: bytes, loadMs: round(median(loads)), firstInvocationMs: round(median(firsts)), wallMs: round(wall), ratioToBareNode: round(wall / bareMs, 2), firstResult: result };
    rows.push(row('7 cold start', `${f.name}: bundle; load + 1st call; wall (x bare node) [${result}]`, `${(bytes / 1024).toFixed(0)} KiB; ${median(loads).toFixed(0)} + ${median(firsts).toFixed(0)} ms; ${wall.toFixed(0)} ms (x${(wall / bareMs).toFixed(1)})`, '<= 1 MB', bytes <= ONE_MB));
  }
  const composition = await bundleComposition('intake');
  figures.intakeBundleComposition = composition;
  return {
    key: 'coldStart',
    title: 'Cold start of each bundled function',
    figures,
    rows,
    notes: [
      `Cold start: child \`node -e\` requiring dist/functions/<name>/index.js and calling its handler once (median of ${runs} runs) against the running local stack: intake GET /requests/{id} and approval GET /requests?status=PENDING with fresh identity proofs (STS replay + nonce insert + ledger read), provisioning/revocation with the sample MNS events (unknown request: one ledger read, acknowledged as stale), expiry with the sample timer event (a full scan of the benchmark ledger, RAM sweep included). "load" = require() of the bundle, "1st call" = first invocation including the first ledger connection; wall = process spawn to exit.`,
      `Bundle size: ${oversize} of ${functions.length} bundles are over 1 MB (sizes exclude the .map). Largest inputs of the intake bundle: ${composition.map((m) => `${m.module} ${m.kib} KiB`).join(', ')}.`,
    ],
  };
}

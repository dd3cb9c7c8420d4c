/**
 * A local FC runtime on the fixture s.yaml behind a real HTTP server, with in-memory fakes for
 * STS and MNS, a recording logger and the function's output file; closed after each test.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFcService, type FcRuntime, type FcServiceOptions } from '../../../local/fc';
import type { FcLogger } from '../../../local/fc/types';
import { ACCOUNT, FakeIdentity, FakeIssuer, FakeQueues, REGION, serve } from './fakes';

export const FIXTURE = join(__dirname, 'fixture', 's.yaml');

export interface LogEntry {
  level: string;
  msg: string;
  fields?: Record<string, unknown>;
}

export interface Harness {
  fc: FcRuntime;
  issuer: FakeIssuer;
  queues: FakeQueues;
  out: string;
  url: string;
  logs: LogEntry[];
  lines(): Array<Record<string, unknown>>;
  close(): Promise<void>;
}

const open: Harness[] = [];

export function recordingLogger(logs: LogEntry[]): FcLogger {
  const at = (level: string) => (msg: string, fields?: Record<string, unknown>): void => {
    logs.push({ level, msg, ...(fields ? { fields } : {}) });
  };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

export async function start(over: Partial<FcServiceOptions> = {}, issuer = new FakeIssuer()): Promise<Harness> {
  const out = join(mkdtempSync(join(tmpdir(), 'fc-rt-')), 'out.jsonl');
  const queues = new FakeQueues();
  const logs: LogEntry[] = [];
  const fc = createFcService({
    sYamlPath: FIXTURE,
    sYamlEnv: { FX_OUT: out },
    accountId: ACCOUNT,
    region: REGION,
    credentials: issuer,
    identity: new FakeIdentity(),
    queues,
    timers: false,
    env: { LOCAL_ENDPOINT: 'http://127.0.0.1:1', GREETING: 'overridden-by-s.yaml' },
    logger: recordingLogger(logs),
    queueWaitSeconds: 0.2,
    retryDelayMs: () => 10,
    ...over,
  });
  const server = await serve(fc);
  const h: Harness = {
    fc, issuer, queues, out, url: server.url, logs,
    lines: () => (existsSync(out) ? readFileSync(out, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>) : []),
    close: async () => {
      await server.close();
      await fc.close?.();
    },
  };
  open.push(h);
  return h;
}

/** Close every harness a test started (call from afterEach). */
export async function closeAll(): Promise<void> {
  await Promise.all(open.splice(0).map((h) => h.close()));
}

/** Forget a harness the test closed itself. */
export function forget(h: Harness): void {
  const i = open.indexOf(h);
  if (i >= 0) open.splice(i, 1);
}

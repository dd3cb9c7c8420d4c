/**
 * What every parity test needs whatever the target: bounded waits for an eventually consistent
 * cloud, exact error-code assertions for both SDK families, resource names that say who made
 * them and when, and a cleanup list that runs even after a failed test.
 */

/** Everything the parity tests create starts with this, then `<runId>-`. */
export const NAME_PREFIX = 'crossrole-parity-';
/** The tag every taggable resource carries (RAM roles and policies). */
export const OWNERSHIP_TAG = { key: 'crossrole-parity', value: 'true' } as const;

/**
 * `<base36 ms>-<4 random>`: unique per test file, and the leftover sweep reads the creation
 * time back from it (users and queues cannot carry tags).
 */
export function newRunId(now = Date.now()): string {
  return `${now.toString(36)}-${Math.random().toString(36).slice(2, 6).padEnd(4, '0')}`;
}

/** `crossrole-parity-<runId>-<label>` (lower case: RAM lower-cases role names in ARNs). */
export const resourceName = (t: { runId: string }, label: string): string => `${NAME_PREFIX}${t.runId}-${label}`.toLowerCase();

/** When a `crossrole-parity-<runId>-…` name was made, or undefined for any other name. */
export function createdAtFromName(name: string): number | undefined {
  const m = /^crossrole-parity-([0-9a-z]{6,11})-[0-9a-z]{4}-/.exec(name);
  if (!m?.[1]) return undefined;
  const ms = parseInt(m[1], 36);
  return Number.isFinite(ms) ? ms : undefined;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** `2026-11-29T12:00:00Z`: the form the guard policy writes `acs:CurrentTime` in. */
export const policyTime = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

export interface WaitOptions {
  timeoutMs: number;
  intervalMs?: number;
}

/**
 * Retry `fn` (an action with its assertions) until it passes or `timeoutMs` ran out; then the
 * last failure is thrown. Against the local cloud the first attempt passes.
 */
export async function eventually<T>(fn: () => Promise<T>, opts: WaitOptions): Promise<T> {
  const deadline = Date.now() + opts.timeoutMs;
  const interval = opts.intervalMs ?? 500;
  let attempts = 0;
  for (;;) {
    attempts++;
    try {
      return await fn();
    } catch (err) {
      if (Date.now() + interval > deadline) {
        if (err instanceof Error) err.message = `still failing after ${attempts} attempts in ${opts.timeoutMs} ms: ${err.message}`;
        throw err;
      }
      await sleep(interval);
    }
  }
}

/** `fn` passes at once and keeps passing for `forMs` (a change that must NOT take effect). */
export async function holds(fn: () => Promise<unknown>, opts: { forMs: number; intervalMs?: number }): Promise<void> {
  const until = Date.now() + opts.forMs;
  do {
    await fn();
    if (Date.now() >= until) return;
    await sleep(opts.intervalMs ?? 1000);
  } while (Date.now() < until);
  await fn();
}

// --------------------------------------------------------------------------------- errors

export interface CloudError {
  code: string;
  statusCode: number;
  message: string;
}

async function failure(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  return undefined;
}

/** A POP (RAM/STS/ECS) SDK error: `code` and `statusCode` are set by @alicloud/tea-typescript. */
export async function popError(p: Promise<unknown>): Promise<CloudError | undefined> {
  const err = await failure(p);
  if (err === undefined) return undefined;
  const e = err as { code?: unknown; statusCode?: unknown; message?: unknown };
  return { code: String(e.code ?? ''), statusCode: Number(e.statusCode ?? 0), message: String(e.message ?? '') };
}

export async function expectPopError(p: Promise<unknown>, code: string, statusCode: number): Promise<CloudError> {
  const e = await popError(p);
  if (e === undefined) throw new Error(`expected ${code} (${statusCode}), but the call succeeded`);
  expect({ code: e.code, statusCode: e.statusCode }).toEqual({ code, statusCode });
  return e;
}

/**
 * An @alicloud/mns error: its only contract is `name = 'MNS<Code>Error'` and a message
 * `<METHOD> <url> failed with <status>. requestid: …`.
 */
export async function mnsError(p: Promise<unknown>): Promise<CloudError | undefined> {
  const err = await failure(p);
  if (err === undefined) return undefined;
  const e = err as { name?: unknown; message?: unknown };
  const name = String(e.name ?? '');
  const message = String(e.message ?? '');
  const code = /^MNS(.+)Error$/.exec(name)?.[1] ?? name;
  const status = /failed with (\d{3})\./.exec(message)?.[1];
  return { code, statusCode: status === undefined ? 0 : Number(status), message };
}

export async function expectMnsError(p: Promise<unknown>, code: string, statusCode: number): Promise<CloudError> {
  const e = await mnsError(p);
  if (e === undefined) throw new Error(`expected MNS ${code} (${statusCode}), but the call succeeded`);
  expect({ code: e.code, statusCode: e.statusCode }).toEqual({ code, statusCode });
  return e;
}

/**
 * Call `fn` again while it fails with one of `codes` (e.g. DeleteConflict.Role.Policy right after the
 * last detach, which real RAM may answer for a moment), for at most `timeoutMs`.
 */
export async function retryWhile<T>(codes: string | readonly string[], fn: () => Promise<T>, opts: WaitOptions): Promise<T> {
  const retried = new Set(typeof codes === 'string' ? [codes] : codes);
  const deadline = Date.now() + opts.timeoutMs;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (!retried.has(errorCode(err)) || Date.now() + (opts.intervalMs ?? 1000) > deadline) throw err;
      await sleep(opts.intervalMs ?? 1000);
    }
  }
}

// -------------------------------------------------------------------------------- cleanup

/** Codes meaning "already gone": cleanup of something a failed test never created. */
const GONE = new Set(['EntityNotExist.Role', 'EntityNotExist.Policy', 'EntityNotExist.User', 'EntityNotExist.User.Policy', 'EntityNotExist.Role.Policy', 'QueueNotExist']);

function errorCode(err: unknown): string {
  const e = err as { code?: unknown; name?: unknown };
  if (typeof e.code === 'string') return e.code;
  const mns = /^MNS(.+)Error$/.exec(String(e.name ?? ''));
  return mns?.[1] ?? '';
}

/**
 * Undo steps, run last-registered first; steps added with `last` run after all others (a policy
 * can only be deleted once every role and user has let go of it). "Already gone" is fine; any
 * other failure is reported after every step had its try.
 */
export class Cleanup {
  private readonly steps: Array<{ what: string; run: () => Promise<unknown> }> = [];
  private readonly lastSteps: Array<{ what: string; run: () => Promise<unknown> }> = [];

  add(what: string, run: () => Promise<unknown>, opts: { last?: boolean } = {}): void {
    (opts.last ? this.lastSteps : this.steps).push({ what, run });
  }

  async run(): Promise<void> {
    const failures: string[] = [];
    for (const list of [this.steps, this.lastSteps]) {
      while (list.length > 0) {
        const step = list.pop();
        if (!step) break;
        try {
          await step.run();
        } catch (err) {
          if (!GONE.has(errorCode(err))) failures.push(`${step.what}: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
    }
    if (failures.length > 0) throw new Error(`cleanup left resources behind (the next live run's sweep removes them):\n${failures.join('\n')}`);
  }
}

/**
 * Terminal output: data on stdout, progress and diagnostics on stderr, JSON when asked, colour and
 * spinners only on a terminal (and never with NO_COLOR), so pipes and scripts get plain text.
 */
import type { Writable } from 'node:stream';
import { createColors } from 'picocolors';
import { spinner as clackSpinner } from '@clack/prompts';
import type { CliEnv } from './config';

export type Colors = ReturnType<typeof createColors>;

interface Progress {
  update(text: string): void;
  stop(text: string, ok?: boolean): void;
}

export interface Ui {
  readonly json: boolean;
  /** stdout is a terminal. */
  readonly tty: boolean;
  /** stdin and stdout are terminals: prompts are possible. */
  readonly interactive: boolean;
  readonly c: Colors;
  /** A line of data (stdout). Suppressed in JSON mode: JSON goes through printJson only. */
  out(text?: string): void;
  /** A line of progress or diagnostics (stderr). */
  info(text: string): void;
  /** One JSON document on stdout, stamped with schemaVersion (see jsonDocument). */
  printJson(value: object): void;
  progress(text: string): Progress;
  /** Raw data on stdout in any mode (exports): resolves when the stream can take more (backpressure). */
  data(chunk: string): Promise<void>;
  /** stderr is a terminal: a progress bar may redraw itself there. */
  readonly stderrTty: boolean;
  /** Raw text on stderr, no newline added (a progress bar's `\r` redraws). */
  err(text: string): void;
}

/**
 * The version of every `--json` document's shape (docs/cli-json.md). Adding a field keeps it;
 * renaming, removing or retyping one bumps it.
 */
const CLI_JSON_SCHEMA_VERSION = 1;

/**
 * The one place `--json` output is made, so no command can forget its parts: `schemaVersion`
 * first, then the command's fields; and a grant's `partnerPolicy` (the step-2 policy, a JSON string
 * in the API) as the policy object itself, wherever it appears (request, status, list, inbox).
 */
export function jsonDocument(value: object): string {
  const replacer = (key: string, v: unknown): unknown => {
    if (key !== 'partnerPolicy' || typeof v !== 'string') return v;
    try {
      return JSON.parse(v) as unknown;
    } catch {
      return v;
    }
  };
  return `${JSON.stringify({ schemaVersion: CLI_JSON_SCHEMA_VERSION, ...value }, replacer, 2)}\n`;
}

export interface UiStreams {
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable & { isTTY?: boolean };
  stdinIsTTY: boolean;
}

export function createUi(env: CliEnv, json: boolean, streams: UiStreams): Ui {
  const tty = streams.stdout.isTTY === true;
  const colour = !env.noColor && (tty || env.forceColor);
  const c = createColors(colour);
  const stderrTty = streams.stderr.isTTY === true;
  return {
    json,
    tty,
    interactive: tty && streams.stdinIsTTY,
    c,
    out(text = '') {
      if (!json) streams.stdout.write(`${text}\n`);
    },
    info(text) {
      streams.stderr.write(`${text}\n`);
    },
    printJson(value) {
      streams.stdout.write(jsonDocument(value));
    },
    stderrTty,
    err(text) {
      streams.stderr.write(text);
    },
    data(chunk) {
      if (streams.stdout.write(chunk)) return Promise.resolve();
      return new Promise((resolve) => {
        streams.stdout.once('drain', () => resolve());
      });
    },
    progress(text) {
      if (stderrTty && !env.noColor) {
        const s = clackSpinner({ output: streams.stderr, withGuide: false });
        s.start(text);
        return {
          update: (t) => s.message(t),
          stop: (t, ok = true) => (ok ? s.stop(t) : s.error(t)),
        };
      }
      // Not a terminal: one line at the start and one at the end, no animation.
      streams.stderr.write(`${text}...\n`);
      return {
        update: () => undefined,
        stop: (t) => {
          streams.stderr.write(`${t}\n`);
        },
      };
    },
  };
}

/**
 * Resolves once everything written to `stream` so far has been handed to the operating system (or
 * the stream failed: a closed pipe has nothing left to wait for). On POSIX, Node writes to a pipe
 * asynchronously: whatever the reader has not taken yet (beyond the 64 KiB pipe buffer) is lost if
 * the process exits first, and a script gets cut-off JSON with exit status 0. A write's callback
 * runs after every earlier write has completed, so an empty write marks the end of the queue.
 */
export function flushed(stream: Writable): Promise<void> {
  if (stream.destroyed || stream.writableEnded || stream.writableLength === 0) return Promise.resolve();
  return new Promise((resolve) => {
    stream.write('', () => resolve());
  });
}

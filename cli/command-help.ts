/** Small helpers every command registration uses (cli/index.ts, cli/lifecycle-commands.ts). */
import type { Command } from 'commander';

/** How long `--wait` waits by default, in seconds. */
export const DEFAULT_WAIT_TIMEOUT_SECONDS = 60;

/** `{ key: value }` when the option was given as a string, else `{}` (commander leaves it undefined). */
export function stringOpt<K extends string>(o: Record<string, unknown>, key: K): { [P in K]?: string } {
  const v = o[key];
  return typeof v === 'string' ? ({ [key]: v } as { [P in K]?: string }) : {};
}

export function example(cmd: Command, ...lines: string[]): Command {
  return cmd.addHelpText('after', `\nExample${lines.length > 1 ? 's' : ''}:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`);
}

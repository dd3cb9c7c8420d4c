/**
 * globalSetup of the `live` jest project (only configured when CROSSROLE_LIVE=1 and every
 * variable of live-env.json is set, see jest.config.js): sweep what earlier crashed runs left in
 * the real accounts before this run creates anything.
 */
import { sweepLeftovers } from './sweep';
import { liveSettings } from './target';

// eslint-disable-next-line no-restricted-syntax -- jest loads a globalSetup module through its default export
export default async function liveGlobalSetup(): Promise<void> {
  const live = liveSettings();
  if (!live.ok) throw new Error(`live parity: missing ${live.missing.join(', ')}`);
  const { removed, failed } = await sweepLeftovers(live.settings);
  if (removed.length > 0) console.log(`[live] swept ${removed.length} leftovers of earlier runs: ${removed.join(', ')}`);
  // A leftover that resists is reported but does not stop the run: every name is unique per run.
  if (failed.length > 0) console.warn(`[live] could not sweep ${failed.length} leftovers:\n${failed.join('\n')}`);
}

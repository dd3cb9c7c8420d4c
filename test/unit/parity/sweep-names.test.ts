/**
 * The live leftover sweep deletes resources in real accounts by name alone (users and queues
 * carry no tags), so the name filter is the safety catch: only `crossrole-parity-<runId>-…`
 * whose runId is older than SWEEP_MIN_AGE_MS.
 */
import { createdAtFromName, newRunId, resourceName } from '../../parity/support';
import { isStaleParityName, SWEEP_MIN_AGE_MS } from '../../parity/sweep';

describe('parity sweep: which names it may delete', () => {
  const made = Date.UTC(2026, 11, 7, 3, 0, 0);
  const runId = newRunId(made);

  it('reads the creation time back from a run id', () => {
    expect(runId).toMatch(/^[0-9a-z]+-[0-9a-z]{4}$/);
    expect(createdAtFromName(resourceName({ runId }, 'guard-past'))).toBe(made);
  });

  it('only names with the prefix and a run id older than the minimum age', () => {
    const name = resourceName({ runId }, 'user');
    expect(isStaleParityName(name, made + SWEEP_MIN_AGE_MS + 1)).toBe(true);
    // A run still going on elsewhere.
    expect(isStaleParityName(name, made + SWEEP_MIN_AGE_MS - 1)).toBe(false);
    // A run id from the future (clock skew, or not a time at all).
    expect(isStaleParityName(name, made - 1)).toBe(false);
    // Not ours, or ours without a readable run id.
    expect(isStaleParityName('crossrole-fc-exec', made + 86_400_000)).toBe(false);
    expect(isStaleParityName('crossrole-parity-', made + 86_400_000)).toBe(false);
    expect(isStaleParityName('crossrole-parity-mine-too', made + 86_400_000)).toBe(false);
    expect(isStaleParityName(`x${name}`, made + 86_400_000)).toBe(false);
    expect(isStaleParityName(undefined, made)).toBe(false);
  });
});

/**
 * The local cloud owns its quota tables (local/ram/quotas.ts, local/sts/quotas.ts) and the
 * product keeps its own copy to pace itself (shared/cloud/rate-limiter.ts). They must agree
 * action by action, so that a change on either side is deliberate: change both, or change this
 * test's list of known differences with the reason.
 */
import { RAM_API_QUOTAS, RAM_DOCUMENTED_QUOTAS, STS_API_QUOTAS } from '../../../shared/cloud/rate-limiter';
import { DEFAULT_RAM_QUOTAS, RAM_RATE_LIMITS } from '../../../local/ram/quotas';
import { STS_RATE_LIMITS } from '../../../local/sts/quotas';

/**
 * Rates the product paces but the emulator does not enforce: they were not in the documented
 * flow-control table the emulator cites (the product guesses them, [UNCONFIRMED]).
 */
const PRODUCT_GUESSES_NOT_ENFORCED = ['GetPolicy', 'ListRoles', 'TagResources', 'UpdateRole'];

describe('quota tables: emulator vs product', () => {
  it.each(Object.entries(RAM_DOCUMENTED_QUOTAS))('RAM %s: the product\'s documented rate (%d/s) is the one the emulator enforces', (action, rate) => {
    expect(RAM_RATE_LIMITS[action]).toBe(rate);
  });

  it.each(Object.entries(RAM_API_QUOTAS).filter(([a]) => a in RAM_RATE_LIMITS))('RAM %s: the product paces at the enforced rate (%d/s)', (action, rate) => {
    expect(RAM_RATE_LIMITS[action]).toBe(rate);
  });

  it('RAM: the product\'s paced-but-unenforced actions are exactly the known undocumented guesses', () => {
    expect(Object.keys(RAM_API_QUOTAS).filter((a) => !(a in RAM_RATE_LIMITS)).sort()).toEqual(PRODUCT_GUESSES_NOT_ENFORCED);
  });

  it('RAM: every rate the emulator enforces on an action the product calls is known to the product', () => {
    const productCalls = new Set(Object.keys(RAM_API_QUOTAS));
    for (const [action, rate] of Object.entries(RAM_RATE_LIMITS)) {
      if (productCalls.has(action)) expect({ action, rate: RAM_API_QUOTAS[action] }).toEqual({ action, rate });
    }
  });

  it('STS: the same table on both sides', () => {
    expect({ ...STS_API_QUOTAS }).toEqual({ ...STS_RATE_LIMITS });
  });

  it('RAM account quotas are the documented defaults (limits page, Dec 2025)', () => {
    expect(DEFAULT_RAM_QUOTAS).toEqual({ roles: 1000, policies: 1500, customPoliciesPerRole: 10, systemPoliciesPerRole: 20, versionsPerPolicy: 5, accessKeysPerUser: 2 });
  });
});

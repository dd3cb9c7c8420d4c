/**
 * shared/domain/timing.ts restates s.yaml's timeouts, retry strategy, batch window and timer
 * period; the stuck threshold is derived from them. This reads s.yaml itself, so changing one side
 * without the other fails here.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import {
  FUNCTION_TIMEOUT_SECONDS, SCAN_PERIOD_SECONDS, STUCK_AFTER_SECONDS, TRIGGER_BATCH_WINDOW_SECONDS, stepDeadlineSeconds,
} from '../../../shared/domain/timing';

interface Props {
  timeout: number;
  triggers: Array<{ triggerType: string; triggerConfig: { cronExpression?: string; runOptions?: { retryStrategy?: { PushRetryStrategy?: string }; batchWindow?: { TimeBasedWindow?: number } } } }>;
}
const sYaml = parse(readFileSync(join(__dirname, '..', '..', '..', 's.yaml'), 'utf8')) as { resources: Record<string, { props: Props }> };

describe('timing restates s.yaml', () => {
  it.each(Object.entries(FUNCTION_TIMEOUT_SECONDS))('%s: timeout %i s', (name, seconds) => {
    expect(sYaml.resources[name]?.props.timeout).toBe(seconds);
  });

  it.each(['provisioning', 'revocation'])('%s: BACKOFF_RETRY, 1-second batch window', (name) => {
    const run = sYaml.resources[name]?.props.triggers[0]?.triggerConfig.runOptions;
    expect(run?.retryStrategy?.PushRetryStrategy).toBe('BACKOFF_RETRY');
    expect(run?.batchWindow?.TimeBasedWindow).toBe(TRIGGER_BATCH_WINDOW_SECONDS);
  });

  it('the scan runs every minute', () => {
    expect(sYaml.resources['expiry']?.props.triggers[0]?.triggerConfig.cronExpression).toBe(`@every ${SCAN_PERIOD_SECONDS / 60}m`);
  });

  it('stuck after 60 s x (1 + 3) + 3 x 20 s + 1 s = 301 s', () => {
    expect(stepDeadlineSeconds(60)).toBe(301);
    expect(STUCK_AFTER_SECONDS).toBe(301);
  });
});

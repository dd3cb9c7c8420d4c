import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CrossroleError } from '../../../shared/domain/errors';
import { loadFunctionsFromSYaml, parseSYaml, resolveSYaml } from '../../../local/fc/s-yaml';
import { parseSchedule, nextFire } from '../../../local/fc/timers';
import { createFcRuntime } from '../../../local/fc/runtime';
import { ACCOUNT, FakeIssuer } from './fakes';

const FIXTURE = join(__dirname, 'fixture', 's.yaml');

function thrown(f: () => unknown): CrossroleError {
  try {
    f();
  } catch (e) {
    if (e instanceof CrossroleError) return e;
    throw e;
  }
  throw new Error('expected a CrossroleError');
}

const RO = 'resources.f.props.triggers[0].triggerConfig.runOptions';

/** An MNS eventbridge trigger with the given runOptions (flow YAML), or none. */
const mnsTrigger = (runOptions: string | undefined): string => `      triggers:
        - {triggerName: q, triggerType: eventbridge, triggerConfig: {eventSourceConfig: {eventSourceType: MNS, eventSourceParameters: {sourceMNSParameters: {QueueName: a}}}${runOptions === undefined ? '' : `, runOptions: ${runOptions}`}}}`;

const minimal = (props: string): string => `edition: 3.0.0
name: t
resources:
  f:
    component: fc3
    props:
      region: cn-hangzhou
      functionName: f1
      runtime: nodejs20
      code: ./code
${props}`;

describe('s.yaml loading', () => {
  it('loads the fc3 resources with vars, env defaults, config and role completion', () => {
    const fns = loadFunctionsFromSYaml(FIXTURE, { env: { FX_OUT: '/tmp/out.jsonl' }, accountId: ACCOUNT });
    expect(fns.map((f) => f.functionName)).toEqual(['fx-http', 'fx-timer', 'fx-queue']);
    const [http, timer, queue] = fns;
    expect(http).toMatchObject({
      resourceName: 'http', region: 'cn-hangzhou', runtime: 'nodejs20', handler: 'index.handler', code: './code/http',
      memorySize: 128, timeout: 1, instanceConcurrency: 1, internetAccess: true, role: `acs:ram::${ACCOUNT}:role/fx-http-role`,
      environmentVariables: { GREETING: 'hello-http', OUT_FILE: '/tmp/out.jsonl' },
      triggers: [{ kind: 'http', triggerName: 'http', methods: ['GET', 'POST'], authType: 'anonymous' }],
    });
    // fc3 completes a bare role name and lower-cases the ARN; memorySize defaults to 512.
    expect(timer).toMatchObject({ role: `acs:ram::${ACCOUNT}:role/fx-timer-role`, memorySize: 512, triggers: [{ kind: 'timer', cronExpression: '@every 60m', enable: true, payload: '{"job":"scan"}' }] });
    expect(queue?.triggers).toEqual([
      { kind: 'mns', triggerName: 'work', enable: true, queueName: 'fx-work', isBase64Decode: false, regionId: 'cn-hangzhou', asyncInvocationType: false, ignoredRunOptions: [], mode: 'event-streaming', errorsTolerance: 'ALL', retryStrategy: 'BACKOFF_RETRY', deadLetterQueueArn: `acs:mns:cn-hangzhou:${ACCOUNT}:/queues/fx-dlq`, batchWindow: { countBasedWindow: 3, timeBasedWindowSeconds: 1 } },
      // No batchWindow: batch push off, each message alone and at once.
      { kind: 'mns', triggerName: 'encoded', enable: true, queueName: 'fx-encoded', isBase64Decode: true, asyncInvocationType: false, ignoredRunOptions: [], mode: 'event-streaming', errorsTolerance: 'NONE', retryStrategy: 'BACKOFF_RETRY', batchWindow: { countBasedWindow: 1, timeBasedWindowSeconds: 0 } },
      // event-driven keeps none of the runOptions, and names them.
      { kind: 'mns', triggerName: 'driven', enable: true, queueName: 'fx-driven', isBase64Decode: false, asyncInvocationType: false, ignoredRunOptions: ['errorsTolerance', 'retryStrategy', 'deadLetterQueue'], mode: 'event-driven' },
    ]);
  });

  it('takes env values from the injected map, not process.env', () => {
    const fns = loadFunctionsFromSYaml(FIXTURE, { env: { REGION: 'cn-shanghai', FX_OUT: '/x' }, accountId: ACCOUNT });
    expect(fns.every((f) => f.region === 'cn-shanghai')).toBe(true);
  });

  it('returns the fully resolved document, objects kept as objects', () => {
    const doc = resolveSYaml(readFileSync(FIXTURE, 'utf8'), { env: {}, accountId: ACCOUNT });
    expect(JSON.stringify(doc)).not.toContain('${');
    expect(doc.access).toBe('default');
    expect(doc.vars).toMatchObject({ queuePrefix: 'fx', common: { runtime: 'nodejs20' } });
    expect(doc.resources.http?.props.environmentVariables).toEqual({ GREETING: 'hello-http', OUT_FILE: '/dev/null' });
    const text = 'vars:\n  log: {project: p, logstore: s}\nresources:\n  a:\n    component: fc3\n    props: {logConfig: "${vars.log}", n: "x-${vars.log.project}-y"}\n';
    expect(resolveSYaml(text, { env: {}, accountId: ACCOUNT }).resources.a?.props).toEqual({ logConfig: { project: 'p', logstore: 's' }, n: 'x-p-y' });
  });

  it.each([
    ['an env var without default', '      role: ${env(\'NOPE\')}', 'resources.f.props.role', 'is not set and has no default'],
    ['an undefined var', '      role: ${vars.missing}', 'resources.f.props.role', 'vars.missing'],
    ['an unsupported expression', '      description: ${resources.x.output.y}', 'resources.f.props.description', 'unsupported expression'],
    ['a memorySize that is not a multiple of 64', '      memorySize: 200', 'resources.f.props.memorySize', 'multiple of 64'],
    ['an HTTP method FC does not know', '      triggers:\n        - {triggerName: h, triggerType: http, triggerConfig: {authType: anonymous, methods: [GET, FETCH]}}', 'resources.f.props.triggers[0].triggerConfig.methods[1]', ''],
    ['a timer without enable', '      triggers:\n        - {triggerName: t, triggerType: timer, triggerConfig: {cronExpression: "@every 1m"}}', 'resources.f.props.triggers[0].triggerConfig.enable', ''],
    ['an MNS trigger without QueueName', '      triggers:\n        - {triggerName: q, triggerType: eventbridge, triggerConfig: {eventSourceConfig: {eventSourceType: MNS, eventSourceParameters: {sourceMNSParameters: {IsBase64Decode: true}}}}}', 'resources.f.props.triggers[0].triggerConfig.eventSourceConfig.eventSourceParameters.sourceMNSParameters.QueueName', ''],
    ['a dead-letter ARN that is not a queue', mnsTrigger('{mode: event-streaming, deadLetterQueue: {Arn: "acs:mns:cn-hangzhou:1:/topics/t"}}'), `${RO}.deadLetterQueue.Arn`, 'MNS queue ARN'],
    ['an MNS trigger without mode', mnsTrigger('{errorsTolerance: ALL}'), `${RO}.mode`, 'is required'],
    ['an MNS trigger without runOptions', mnsTrigger(undefined), `${RO}.mode`, 'is required'],
    ['an unknown mode', mnsTrigger('{mode: event-stream}'), `${RO}.mode`, ''],
    ['an unknown retry strategy', mnsTrigger('{mode: event-streaming, retryStrategy: {PushRetryStrategy: LINEAR}}'), `${RO}.retryStrategy.PushRetryStrategy`, ''],
    ['an unknown errorsTolerance', mnsTrigger('{mode: event-streaming, errorsTolerance: SOME}'), `${RO}.errorsTolerance`, ''],
    ['CountBasedWindow 0', mnsTrigger('{mode: event-streaming, batchWindow: {CountBasedWindow: 0, TimeBasedWindow: 1}}'), `${RO}.batchWindow.CountBasedWindow`, 'between 1 and 10000'],
    ['CountBasedWindow 10001', mnsTrigger('{mode: event-streaming, batchWindow: {CountBasedWindow: 10001, TimeBasedWindow: 1}}'), `${RO}.batchWindow.CountBasedWindow`, 'between 1 and 10000'],
    ['a fractional CountBasedWindow', mnsTrigger('{mode: event-streaming, batchWindow: {CountBasedWindow: 2.5, TimeBasedWindow: 1}}'), `${RO}.batchWindow.CountBasedWindow`, 'integer'],
    ['TimeBasedWindow -1', mnsTrigger('{mode: event-streaming, batchWindow: {CountBasedWindow: 10, TimeBasedWindow: -1}}'), `${RO}.batchWindow.TimeBasedWindow`, 'between 0 and 15 seconds'],
    ['TimeBasedWindow 16', mnsTrigger('{mode: event-streaming, batchWindow: {CountBasedWindow: 10, TimeBasedWindow: 16}}'), `${RO}.batchWindow.TimeBasedWindow`, 'between 0 and 15 seconds'],
    ['a window as a string', mnsTrigger('{mode: event-streaming, batchWindow: {CountBasedWindow: "10", TimeBasedWindow: 1}}'), `${RO}.batchWindow.CountBasedWindow`, ''],
    ['half a window', mnsTrigger('{mode: event-streaming, batchWindow: {CountBasedWindow: 10}}'), `${RO}.batchWindow.TimeBasedWindow`, ''],
    ['a batchWindow in event-driven mode', mnsTrigger('{mode: event-driven, batchWindow: {CountBasedWindow: 10, TimeBasedWindow: 1}}'), `${RO}.batchWindow`, 'not supported in event-driven mode'],
    ['vpcConfig: auto', '      vpcConfig: auto', 'resources.f.props.vpcConfig', 'not emulated'],
    ['a vpcConfig with an empty vpcId', '      vpcConfig: {vpcId: "", vSwitchIds: [vsw-1], securityGroupId: sg-1}', 'resources.f.props.vpcConfig.vpcId', 'is empty'],
    ['a vpcConfig without vSwitches', '      vpcConfig: {vpcId: vpc-1, vSwitchIds: [], securityGroupId: sg-1}', 'resources.f.props.vpcConfig.vSwitchIds', 'at least one vSwitch'],
  ])('rejects %s, naming the key', (_what, props, field, message) => {
    const e = thrown(() => parseSYaml(minimal(props), { env: {}, accountId: ACCOUNT }));
    expect(e.code).toBe('INVALID_CONFIG');
    expect(e.field).toBe(field);
    expect(e.message).toContain(message);
  });

  it('takes the mode from eventSinkConfig.deliveryOption.mode when runOptions has none, runOptions winning', () => {
    const trig = (deliveryMode: string, runMode: string | undefined): unknown => parseSYaml(minimal(`      triggers:
        - {triggerName: q, triggerType: eventbridge, triggerConfig: {eventSourceConfig: {eventSourceType: MNS, eventSourceParameters: {sourceMNSParameters: {QueueName: a}}}, eventSinkConfig: {deliveryOption: {mode: ${deliveryMode}}}${runMode === undefined ? '' : `, runOptions: {mode: ${runMode}}`}}}`), { env: {}, accountId: ACCOUNT })[0]?.triggers[0];
    expect(trig('event-streaming', undefined)).toMatchObject({ mode: 'event-streaming' });
    expect(trig('event-streaming', 'event-driven')).toMatchObject({ mode: 'event-driven' });
  });

  it('keeps the documented batchWindow bounds', () => {
    for (const [count, time] of [[1, 0], [10000, 15]]) {
      const [f] = parseSYaml(minimal(mnsTrigger(`{mode: event-streaming, batchWindow: {CountBasedWindow: ${count}, TimeBasedWindow: ${time}}}`)), { env: {}, accountId: ACCOUNT });
      expect(f?.triggers[0]).toMatchObject({ batchWindow: { countBasedWindow: count, timeBasedWindowSeconds: time } });
    }
  });

  it('reads vpcConfig and internetAccess', () => {
    const [f] = parseSYaml(minimal('      vpcConfig: {vpcId: vpc-1, vSwitchIds: [vsw-1], securityGroupId: sg-1}\n      internetAccess: false'), { env: {}, accountId: ACCOUNT });
    expect(f).toMatchObject({ vpcConfig: { vpcId: 'vpc-1', vSwitchIds: ['vsw-1'], securityGroupId: 'sg-1' }, internetAccess: false });
  });

  it('reports a var that refers to itself', () => {
    const e = thrown(() => resolveSYaml('vars:\n  a: ${vars.b}\n  b: ${vars.a}\nresources: {}\n', { env: {}, accountId: ACCOUNT }));
    expect(e.code).toBe('INVALID_CONFIG');
    expect(e.message).toContain('refers to itself');
  });
});

describe('timer schedules', () => {
  it('parses @every intervals and 6-field cron in UTC or CRON_TZ', () => {
    expect(parseSchedule('@every 5m')).toEqual({ kind: 'every', intervalMs: 300_000 });
    expect(parseSchedule('@every 1h30s')).toEqual({ kind: 'every', intervalMs: 3_630_000 });
    const from = new Date('2026-01-01T00:01:02Z');
    expect(nextFire(parseSchedule('0 */5 * * * *'), from).toISOString()).toBe('2026-01-01T00:05:00.000Z');
    expect(nextFire(parseSchedule('CRON_TZ=Asia/Shanghai 0 0 4 * * *'), from).toISOString()).toBe('2026-01-01T20:00:00.000Z');
  });

  it.each(['0 0 4 * *', 'every 5m', '@every 0m', '61 * * * * *'])('rejects %j', (expr) => {
    expect(thrown(() => parseSchedule(expr)).code).toBe('INVALID_CONFIG');
  });

  it('fails at runtime creation for a bad cron, naming the trigger key', () => {
    const [spec] = parseSYaml(minimal('      triggers:\n        - {triggerName: t, triggerType: timer, triggerConfig: {cronExpression: "0 0 99 * * *", enable: true}}'), { env: {}, accountId: ACCOUNT });
    const e = thrown(() => createFcRuntime({ functions: [spec!], baseDir: __dirname, region: 'cn-hangzhou', accountId: ACCOUNT, credentials: new FakeIssuer(), timers: false }));
    expect(e.field).toBe('resources.f.props.triggers[0].triggerConfig.cronExpression');
  });
});

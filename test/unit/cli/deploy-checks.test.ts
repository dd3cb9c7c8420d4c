/**
 * The pure judgements behind `crossrole doctor` and `crossrole bootstrap`: a function's wiring from
 * what the FC 3.0 API answers, the environment size of s.yaml (counted as the local FC runtime
 * counts it), the queue attributes, and which approvers get the approvers' policy.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { approverTarget, queueAttributeChanges } from '../../../cli/deployment/bootstrap-plan';
import { roleProblem, triggerProblems, type TriggerView } from '../../../cli/deployment/fc-wiring';
import { sYamlEnvironments } from '../../../cli/deployment/s-yaml-env';
import { fcEnvironmentSize, FC_ENVIRONMENT_LIMIT_BYTES, FUNCTION_TOPOLOGY } from '../../../shared/domain/fc-deployment';
import { QueueName } from '../../../shared/domain/ports';
import { parseSYaml } from '../../../local/fc/s-yaml';
import { ENVIRONMENT_LIMIT_BYTES, environmentSize } from '../../../local/fc/spec';

const ROOT = join(__dirname, '..', '..', '..');
const OWNER = '1511928242963727';
const S_YAML = readFileSync(join(ROOT, 's.yaml'), 'utf8');
const VPC = { CROSSROLE_VPC_ID: 'vpc-1', CROSSROLE_VSWITCH_ID: 'vsw-1', CROSSROLE_SECURITY_GROUP_ID: 'sg-1' };

/** s.yaml's triggers as fc3 deploys them, in the shape the FC 3.0 API answers (read by the local loader, a separate reading). */
function deployedTriggers(): Map<string, TriggerView[]> {
  const specs = parseSYaml(S_YAML, { env: VPC, accountId: OWNER });
  return new Map(specs.map((s) => [s.functionName, (s.declaredTriggers ?? []).map((t) => ({ name: t.triggerName, type: t.triggerType, config: structuredClone(t.triggerConfig) }))]));
}

describe('triggerProblems', () => {
  it('finds nothing wrong with the functions s.yaml deploys', () => {
    const deployed = deployedTriggers();
    for (const { role, trigger } of FUNCTION_TOPOLOGY) expect({ role, problems: triggerProblems(trigger, deployed.get(`crossrole-${role}`) ?? []) }).toEqual({ role, problems: [] });
  });

  it('sees a queue trigger on the wrong queue, in event-driven mode, without the dead-letter queue, or disabled', () => {
    const [provision] = deployedTriggers().get('crossrole-provisioning') ?? [];
    if (provision === undefined) throw new Error('s.yaml has no provisioning trigger');
    const expected = { kind: 'queue' as const, queue: QueueName.PROVISION };
    const wrongQueue = structuredClone(provision);
    ((wrongQueue.config['eventSourceConfig'] as Record<string, Record<string, Record<string, unknown>>>)['eventSourceParameters'] ?? {})['sourceMNSParameters'] = { QueueName: 'crossrole-revoke' };
    expect(triggerProblems(expected, [wrongQueue])).toEqual([`has no EventBridge trigger on queue crossrole-provision (found provision-queue ← crossrole-revoke)`]);
    const driven = structuredClone(provision);
    driven.config['runOptions'] = { mode: 'event-driven' };
    driven.config['triggerEnable'] = false;
    expect(triggerProblems(expected, [driven])).toEqual([
      'trigger provision-queue is disabled',
      'trigger provision-queue runs in event-driven mode: retries and the dead-letter queue apply only in event-streaming mode',
      'trigger provision-queue has no dead-letter queue, not crossrole-deadletter',
    ]);
    expect(triggerProblems(expected, [])).toEqual(['has no EventBridge trigger on queue crossrole-provision']);
  });

  it('sees an HTTP trigger that demands FC signatures or lacks a method, and a disabled or missing timer', () => {
    const http = (config: Record<string, unknown>): TriggerView[] => [{ name: 'http', type: 'http', config }];
    expect(triggerProblems({ kind: 'http' }, http({ authType: 'function', methods: ['GET', 'POST'] }))).toEqual([expect.stringMatching(/authType function, not anonymous/)]);
    expect(triggerProblems({ kind: 'http' }, http({ authType: 'anonymous', methods: ['GET'] }))).toEqual(['HTTP trigger http accepts GET, not GET and POST']);
    expect(triggerProblems({ kind: 'http' }, [])).toEqual(['has no HTTP trigger']);
    expect(triggerProblems({ kind: 'timer' }, [{ name: 't', type: 'timer', config: { cronExpression: '@every 1m', enable: false } }])).toEqual(['timer t is disabled or has no cronExpression']);
    expect(triggerProblems({ kind: 'timer' }, [])).toEqual(['has no timer trigger']);
  });

  it('compares the role as fc3 writes it (lower-cased)', () => {
    expect(roleProblem(`acs:ram::${OWNER}:role/crossrole-fc-exec`, OWNER)).toBeUndefined();
    expect(roleProblem(`ACS:RAM::${OWNER}:ROLE/CROSSROLE-FC-EXEC`, OWNER)).toBeUndefined();
    expect(roleProblem(`acs:ram::${OWNER}:role/admin`, OWNER)).toMatch(/runs as .*role\/admin, not/);
    expect(roleProblem(undefined, OWNER)).toMatch(/without a role/);
  });
});

describe('sYamlEnvironments', () => {
  it('resolves s.yaml\'s vars.env with the environment and counts it exactly as the local FC runtime does', () => {
    const env = { ...VPC, CROSSROLE_CONFIG: '{"ownerAccountId":"1511928242963727"}', CROSSROLE_REGION: 'cn-shanghai', DATABASE_URL: 'postgres://u:p@db:5432/crossrole' };
    const mine = sYamlEnvironments(S_YAML, { env, accountId: OWNER });
    const local = parseSYaml(S_YAML, { env, accountId: OWNER });
    expect(mine.map((f) => f.functionName).sort()).toEqual(local.map((f) => f.functionName).sort());
    for (const f of mine) {
      const witness = local.find((l) => l.functionName === f.functionName);
      expect(f.variables).toEqual(witness?.environmentVariables);
      expect(f.size).toBe(environmentSize(witness?.environmentVariables ?? {}));
      expect(f.unresolved).toEqual([]);
    }
    expect(mine[0]?.variables['CROSSROLE_REGION']).toBe('cn-shanghai');
    expect(mine[0]?.variables['CROSSROLE_STS_ENDPOINT']).toBe('sts.cn-hangzhou.aliyuncs.com');
  });

  it('uses the same 4 KB limit and byte count as the local runtime, for non-ASCII text too', () => {
    expect(FC_ENVIRONMENT_LIMIT_BYTES).toBe(ENVIRONMENT_LIMIT_BYTES);
    const cases: Array<Record<string, string>> = [{}, { A: 'x' }, { CATALOG: 'Zugriff für Prüfer – 审计 "quoted" \\ \n' }];
    for (const vars of cases) expect(fcEnvironmentSize(vars)).toBe(environmentSize(vars));
  });

  it('sees an environment too large for FC (a 4 KB DATABASE_URL), and reports what it could not resolve', () => {
    const big = sYamlEnvironments(S_YAML, { env: { DATABASE_URL: `postgres://u:${'x'.repeat(4000)}@h/db` }, accountId: OWNER });
    expect(big.every((f) => f.size > FC_ENVIRONMENT_LIMIT_BYTES)).toBe(true);
    const odd = sYamlEnvironments([
      'vars:', '  env:', "    A: ${env('A', 'a')}-${ssm('secret')}", "    B: ${config('AccessKeyID')}",
      'resources:', '  one:', '    component: fc3', '    props:', '      functionName: one', '      environmentVariables: ${vars.env}',
      '  other:', '    component: oss', '    props: {}',
    ].join('\n'), { env: {}, accountId: OWNER });
    expect(odd).toEqual([{ functionName: 'one', variables: { A: 'a-', B: '' }, size: fcEnvironmentSize({ A: 'a-', B: '' }), unresolved: ["${config('AccessKeyID')}", "${ssm('secret')}"] }]);
  });
});

describe('bootstrap\'s judgements', () => {
  it('wants 7-day retention and no default delay', () => {
    expect(queueAttributeChanges({ MessageRetentionPeriod: '604800', DelaySeconds: '0', VisibilityTimeout: '30' })).toEqual([]);
    expect(queueAttributeChanges({ MessageRetentionPeriod: '345600', DelaySeconds: '10' })).toEqual(['MessageRetentionPeriod 345600 → 604800', 'DelaySeconds 10 → 0']);
  });

  it('attaches the approvers\' policy to users and roles of the owner account only', () => {
    expect(approverTarget(`acs:ram::${OWNER}:user/alice`, OWNER)).toEqual({ kind: 'user', name: 'alice' });
    expect(approverTarget(`acs:ram::${OWNER}:role/approvers`, OWNER)).toEqual({ kind: 'role', name: 'approvers' });
    expect(approverTarget(`acs:ram::${OWNER}:root`, OWNER)).toEqual({ skip: expect.stringMatching(/root has every permission/) });
    expect(approverTarget(`acs:ram::${OWNER}:assumed-role/approvers/alice`, OWNER)).toEqual({ skip: expect.stringMatching(/name the role .*role\/approvers/) });
    expect(approverTarget('acs:ram::1879324520397241:user/bob', OWNER)).toEqual({ skip: expect.stringMatching(/not a principal of account/) });
  });
});

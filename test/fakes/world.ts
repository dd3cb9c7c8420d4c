/**
 * A whole Crossrole world in memory: catalog, ledger, RAM, queues, clock, logger and identities,
 * wired as the workflow's deps, plus a pump that plays the queue triggers through the same edge
 * (shared/runtime/queue) the functions use.
 */
import { parseCatalog } from '../../shared/domain/catalog';
import type { Catalog, CatalogInput } from '../../shared/domain/catalog';
import { parseWorkflowMessage } from '../../shared/domain/messages';
import type { CallerIdentity } from '../../shared/domain/ports';
import { QueueName } from '../../shared/domain/ports';
import { deadLetterInbox } from '../../shared/runtime/queue/dead-letters';
import { processQueueItems, type QueueUseCase } from '../../shared/runtime/queue/edge';
import type { Outcome, WorkflowDeps } from '../../shared/workflow';
import type { ScanDeps } from '../../shared/workflow/use-cases/scan';
import { provisionGrant, revokeGrant } from '../../shared/workflow';
import { FixedClock } from './clock';
import { InMemoryLedger } from './ledger';
import { MemoryLogger } from './logger';
import { FakeQueue } from './queue';
import { FakeRam } from './ram';

export const OWNER = '1000000000000001';
export const PARTNER = '2000000000000002';
export const OTHER_PARTNER = '3000000000000003';
export const STRANGER = '4000000000000004';

export function identity(arn: string): CallerIdentity {
  const accountId = /^acs:ram::(\d{16}):/.exec(arn)?.[1] ?? '';
  const identityType = arn.includes(':assumed-role/') ? 'AssumedRoleUser' : arn.endsWith(':root') ? 'Account' : 'RAMUser';
  return { accountId, arn, principalId: `pid-${arn.length}`, identityType };
}

export const callers = {
  bob: identity(`acs:ram::${PARTNER}:user/bob`),
  /** A manager of PARTNER (catalogInput.partnerRoles): sees, cancels and revokes all of its requests. */
  partnerAdmin: identity(`acs:ram::${PARTNER}:user/admin`),
  /** A colleague of bob in PARTNER, neither bob nor a manager: sees only what it asked for itself. */
  dave: identity(`acs:ram::${PARTNER}:user/dave`),
  partnerRoot: identity(`acs:ram::${PARTNER}:root`),
  partnerSession: identity(`acs:ram::${PARTNER}:assumed-role/ops/bob-session`),
  carol: identity(`acs:ram::${OTHER_PARTNER}:user/carol`),
  mallory: identity(`acs:ram::${STRANGER}:user/mallory`),
  alice: identity(`acs:ram::${OWNER}:user/alice`),
  approverSession: identity(`acs:ram::${OWNER}:assumed-role/Approvers/alice-laptop`),
  eve: identity(`acs:ram::${OWNER}:user/eve`),
  ownerRoot: identity(`acs:ram::${OWNER}:root`),
};

export const RESTART_POLICY = { Version: '1', Statement: [{ Effect: 'Allow', Action: ['ecs:RebootInstance'], Resource: '*' }] };

export const catalogInput: CatalogInput = {
  ownerAccountId: OWNER,
  approvers: [`acs:ram::${OWNER}:user/alice`, `acs:ram::${OWNER}:role/approvers`],
  partners: [PARTNER, OTHER_PARTNER],
  partnerRoles: [{ account: PARTNER, managers: ['user/admin'] }],
  pendingTtl: '72h',
  profiles: [
    { name: 'ecs-read', policies: [{ type: 'System', name: 'AliyunECSReadOnlyAccess' }], maxDuration: '8h' },
    {
      name: 'ops',
      policies: [{ type: 'System', name: 'AliyunECSReadOnlyAccess' }, { type: 'Custom', name: 'restart', document: RESTART_POLICY }],
      maxDuration: '30d',
    },
    // Extensions of up to 1h are approved without an approver, up to 4h in all (shared/domain/extension.ts).
    { name: 'auto-read', policies: [{ type: 'System', name: 'ReadOnlyAccess' }], maxDuration: '2h', autoApprove: true, maxTotalDuration: '4h', autoExtend: '1h' },
    { name: 'admin', policies: [{ type: 'System', name: 'AdministratorAccess' }], maxDuration: '1h', privileged: true },
    { name: 'templated', policies: [{ type: 'System', name: 'ReadOnlyAccess' }], maxDuration: '1h', roleNameTemplate: 'crossrole-Tpl-{id}' },
  ],
};

export interface World {
  /** WorkflowDeps, plus the dead-letter inbox the expiry function's edge adds for the scan. */
  deps: ScanDeps;
  ledger: InMemoryLedger;
  ram: FakeRam;
  queue: FakeQueue;
  clock: FixedClock;
  logger: MemoryLogger;
  catalog: Catalog;
}

export function makeWorld(overrides: { catalog?: Partial<CatalogInput>; start?: string } = {}): World {
  const clock = new FixedClock(overrides.start ?? '2026-01-01T00:00:00.000Z');
  const ledger = new InMemoryLedger(clock);
  const ram = new FakeRam(OWNER);
  const queue = new FakeQueue(clock);
  const logger = new MemoryLogger();
  const catalog = parseCatalog({ ...catalogInput, ...overrides.catalog });
  let ids = 0;
  let ext = 0;
  const hex = (n: number, width: number): string => n.toString(16).padStart(width, '0');
  const deps: ScanDeps = {
    ledger,
    ram,
    queue,
    catalog,
    clock,
    logger,
    // Distinct first 12 hex digits, so short ids (role and guard names) never collide.
    newId: () => {
      ids++;
      return `${hex(ids, 8)}-abcd-4ef0-8123-${hex(ids, 12)}`;
    },
    newExternalId: () => `xid-${++ext}-5f3c9a`,
    region: 'cn-hangzhou',
    deadLetters: deadLetterInbox(queue),
  };
  return { deps, ledger, ram, queue, clock, logger, catalog };
}

export interface PumpResult {
  outcomes: Outcome[];
  errors: unknown[];
}

/**
 * What a queue trigger's edge does with one message body (a string as queued, or any value):
 * parse it with the workflow schema, acknowledge junk as `malformed`, else run the use case.
 * Throws what the use case threw (the trigger would redeliver).
 */
export async function deliver(world: World, useCase: QueueUseCase<WorkflowDeps>, body: unknown): Promise<Outcome> {
  const { outcomes, failures } = await processQueueItems([{ parsed: parseWorkflowMessage(body) }], useCase, world.deps);
  if (failures.length > 0) throw failures[0];
  const [outcome] = outcomes;
  if (outcome === undefined) throw new Error('no outcome');
  return outcome;
}

/**
 * Play the provision and revoke triggers until no visible message is left (bounded). A handler
 * that throws puts the message back, visible at once (retries are the trigger's job).
 */
export async function pump(world: World, maxRounds = 20): Promise<PumpResult> {
  const result: PumpResult = { outcomes: [], errors: [] };
  for (let round = 0; round < maxRounds; round++) {
    let any = false;
    for (const [queue, handler] of [[QueueName.PROVISION, provisionGrant], [QueueName.REVOKE, revokeGrant]] as const) {
      for (const m of world.queue.take(queue)) {
        any = true;
        const { outcomes, failures } = await processQueueItems([{ messageId: m.messageId, parsed: parseWorkflowMessage(m.body) }], handler, world.deps);
        result.outcomes.push(...outcomes);
        if (failures.length > 0) {
          result.errors.push(...failures);
          if (round < maxRounds - 1) world.queue.pushRaw(queue, m.body);
        }
      }
    }
    if (!any) break;
  }
  return result;
}

import type { AccessRequest } from '../../../shared/domain/access-request';
import { CrossroleError } from '../../../shared/domain/errors';
import type { ErrorCode } from '../../../shared/domain/errors';
import { approveRequest, submitRequest } from '../../../shared/workflow';
import { callers, pump } from '../../fakes';
import type { World } from '../../fakes';

export const baseInput = { profile: 'ecs-read', duration: '2h', reason: 'investigate ticket 42' };

/** Await `p` and return the CrossroleError code it rejects with (fails the test otherwise). */
export async function codeOf(p: Promise<unknown>): Promise<ErrorCode> {
  try {
    await p;
  } catch (e) {
    if (e instanceof CrossroleError) return e.code;
    throw e;
  }
  throw new Error('expected a CrossroleError, but the call succeeded');
}

export async function submitted(world: World, input: Record<string, unknown> = {}): Promise<AccessRequest> {
  return submitRequest(world.deps, callers.bob, { ...baseInput, ...input });
}

export async function approved(world: World, input: Record<string, unknown> = {}): Promise<AccessRequest> {
  const r = await submitted(world, input);
  return approveRequest(world.deps, callers.alice, r.id);
}

/** Submitted, approved and provisioned (the provision queue pumped). */
export async function active(world: World, input: Record<string, unknown> = {}): Promise<AccessRequest> {
  const r = await approved(world, input);
  await pump(world);
  const now = await world.ledger.get(r.id);
  if (now?.status !== 'ACTIVE') throw new Error(`expected ACTIVE, got ${now?.status}`);
  return now;
}

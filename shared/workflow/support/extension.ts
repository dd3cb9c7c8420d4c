/**
 * Applying an approved extension or shortening to RAM, then to the ledger (docs/architecture.md
 * "Extending and shortening a grant"). Shared by the provisioning consumer of `extend` messages
 * and the scan, which re-sends `extend` for changes left APPROVED.
 *
 * The order is the whole argument:
 *   1. the change is APPROVED in the ledger (targetExpiresAt = new) before RAM is touched, so RAM
 *      never allows what the ledger has not approved, and a crash anywhere after is resumed;
 *   2. the guard (a new default version, the oldest non-default pruned in the same call under RAM's
 *      5 versions) and the role's `crossrole:expires-at` tag move to the new expiry;
 *   3. only then the ledger APPLIES it (expiresAt = new), so RAM never denies a grant the ledger
 *      reports ACTIVE; and a new delayed `expire` is sent (the old one finds a newer version and
 *      does nothing).
 * Every RAM step converges when repeated; the ledger step is guarded by the grant's version.
 */
import type { AccessRequest } from '../../domain/access-request';
import { guardPolicyName } from '../../domain/access-request';
import { CrossroleError, errorMessage } from '../../domain/errors';
import type { Extension } from '../../domain/extension';
import { ExtensionStatus, ExtensionStep, isApprovedExtension, isOpenExtension } from '../../domain/extension';
import { isActive } from '../../domain/state-machine';
import { buildGuardPolicy, sameDocument } from '../../policy';
import { Actor } from './deps';
import type { Outcome, WorkflowDeps } from './deps';
import { sendBestEffort, sendFor } from './messages';
import { Tag } from './naming';
import { hasCode } from './ram-grant';

/** The grant's open change (PENDING or APPROVED), if any. */
export async function openExtensionOf(deps: WorkflowDeps, requestId: string): Promise<Extension | undefined> {
  return (await deps.ledger.listExtensions(requestId)).find((e) => isOpenExtension(e.status));
}

/** Close a change whose grant is no longer ACTIVE (a revocation or expiry overtook it); never throws. */
export async function cancelExtension(deps: WorkflowDeps, e: Extension, actor: string, why: string): Promise<void> {
  try {
    await deps.ledger.stepExtension(e.id, ExtensionStep.CANCEL, undefined, {}, { actor, reason: why });
  } catch (err) {
    if (!hasCode(err, 'ILLEGAL_TRANSITION')) deps.logger.warn('could not cancel an extension', { requestId: e.requestId, extensionId: e.id, error: errorMessage(err) });
  }
}

/** Step 2: the guard's default version and the role's expiry tag say `expiresAt`. */
async function moveRam(deps: WorkflowDeps, r: AccessRequest, expiresAt: Date): Promise<void> {
  const name = guardPolicyName(r.id);
  const document = buildGuardPolicy(expiresAt);
  const current = await deps.ram.getPolicyDocument(name);
  // Missing while ACTIVE: the reconciler restores it (at the effective expiry) and a redelivery goes on.
  if (current === undefined) throw new CrossroleError('NOT_FOUND', `guard policy ${name} is missing`, { details: { policyName: name } });
  // A resumed apply finds its own version already the default: no second version.
  if (!sameDocument(current.document, document)) await deps.ram.setPolicyDocument(name, document);
  await deps.ram.tagRole(r.roleName, { [Tag.EXPIRES_AT]: expiresAt.toISOString() });
}

/**
 * Apply the grant's APPROVED change: RAM, then the ledger, then the new `expire`. A grant that is
 * no longer ACTIVE cancels the change and leaves RAM alone (a revocation wins; its guard only
 * denies). Throws for what another delivery may fix (RAM down, the guard missing until the
 * reconciler restores it).
 */
export async function applyApproved(deps: WorkflowDeps, requestId: string): Promise<Outcome> {
  const before = deps.ram.callCount();
  const r = await deps.ledger.get(requestId);
  if (r === undefined) return { outcome: 'stale', requestId };
  const e = (await deps.ledger.listExtensions(r.id)).find((x) => isApprovedExtension(x.status));
  if (e === undefined) return { outcome: 'stale', requestId, status: r.status, detail: 'no approved extension to apply' };
  if (!isActive(r.status)) {
    await cancelExtension(deps, e, Actor.PROVISIONING, `the grant is ${r.status}: not applied`);
    return { outcome: 'stale', requestId, status: r.status, detail: 'the grant is no longer ACTIVE' };
  }
  try {
    await moveRam(deps, r, new Date(e.newExpiresAt));
  } catch (err) {
    const gone = hasCode(err, 'NOT_FOUND');
    const now = gone ? await deps.ledger.get(r.id) : undefined;
    if (now !== undefined && !isActive(now.status)) {
      await cancelExtension(deps, e, Actor.PROVISIONING, `the grant is ${now.status}: not applied`);
      return { outcome: 'stale', requestId, status: now.status, detail: 'the grant is no longer ACTIVE' };
    }
    throw err;
  }
  let applied: AccessRequest;
  try {
    applied = (await deps.ledger.stepExtension(e.id, ExtensionStep.APPLY, r.version, {}, {
      actor: Actor.PROVISIONING,
      details: { ramCalls: deps.ram.callCount() - before },
    })).request;
  } catch (err) {
    if (!hasCode(err, 'VERSION_CONFLICT', 'ILLEGAL_TRANSITION', 'NOT_ACTIVE')) throw err;
    return afterLostApply(deps, r.id, e, err);
  }
  // If this send fails, the scan still expires the grant at its new time (listDueForExpiry).
  await sendBestEffort(deps, applied, 'expire', (Date.parse(e.newExpiresAt) - deps.clock.now().getTime()) / 1000);
  const ramCalls = deps.ram.callCount() - before;
  deps.logger.info('extension applied', { requestId, extensionId: e.id, kind: e.kind, expiresAt: e.newExpiresAt, ramCalls });
  return { outcome: 'done', requestId, status: applied.status, ramCalls };
}

/**
 * The APPLY lost (a sibling delivery applied it, a revocation started, a newer change moved the
 * row): our RAM writes may now be stale, and a stale guard must not outlive this step. A grant no
 * longer ACTIVE cancels the change (its guard only denies). An ACTIVE grant with an APPROVED change
 * is retried (the redelivery applies whatever is approved now). Otherwise RAM is put back to the
 * expiry the ledger reports, so the window a stale write opened closes with this step.
 */
async function afterLostApply(deps: WorkflowDeps, requestId: string, e: Extension, err: unknown): Promise<Outcome> {
  const now = await deps.ledger.get(requestId);
  if (now === undefined) return { outcome: 'stale', requestId };
  if (!isActive(now.status)) {
    const ext = await deps.ledger.getExtension(e.id);
    if (ext !== undefined && isOpenExtension(ext.status)) await cancelExtension(deps, ext, Actor.PROVISIONING, `the grant is ${now.status}: not applied`);
    return { outcome: 'stale', requestId, status: now.status, detail: 'the grant is no longer ACTIVE' };
  }
  if ((await deps.ledger.listExtensions(requestId)).some((x) => isApprovedExtension(x.status))) throw err;
  if (now.expiresAt !== undefined && now.expiresAt !== e.newExpiresAt) await moveRam(deps, now, new Date(now.expiresAt));
  return { outcome: 'stale', requestId, status: now.status, detail: 'applied meanwhile' };
}

/**
 * The scan's share: changes left APPROVED (a lost `extend`, a dead letter) get `extend` again; a
 * PENDING change whose grant is no longer ACTIVE is cancelled. Returns how many were re-sent.
 */
export async function resendStuckExtensions(deps: WorkflowDeps, olderThan: Date, limit: number): Promise<number> {
  let sent = 0;
  for (const e of await deps.ledger.listStaleExtensions(ExtensionStatus.APPROVED, olderThan, limit)) {
    const r = await deps.ledger.get(e.requestId);
    if (r === undefined) continue;
    await sendFor(deps, r, 'extend');
    sent++;
  }
  for (const e of await deps.ledger.listStaleExtensions(ExtensionStatus.PENDING, olderThan, limit)) {
    const r = await deps.ledger.get(e.requestId);
    if (r !== undefined && !isActive(r.status)) await cancelExtension(deps, e, Actor.SCAN, `the grant is ${r.status}: not decided`);
  }
  return sent;
}

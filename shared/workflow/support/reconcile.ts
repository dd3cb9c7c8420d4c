/**
 * The reconciler: make one managed role say what the ledger says, whatever happened in between.
 *
 * The queue-driven steps are fast but can interleave badly (a revocation that ran before
 * provisioning's role existed, a rollback that failed and was never retried, a person editing the
 * role by hand). Instead of proving each path correct, the scan runs every role tagged
 * `crossrole:managed=true` through here every period, and one-grant reconciliation is on demand
 * (`POST /requests/{id}/reconcile`). The desired state is a pure function of the request row
 * (desiredState); the RAM work only ever converges, and every change lands on the audit trail.
 *
 * Only one direction grants access (restoring a live grant), and it re-reads the row right before
 * writing: a stale ACTIVE must never undo a revocation that just ran. Taking access away needs no
 * such care: at worst a grant that just became ACTIVE is stripped, and the next pass restores it.
 */
import type { AccessRequest } from '../../domain/access-request';
import { mapLimited } from '../../domain/concurrency';
import { errorMessage } from '../../domain/errors';
import { RevokeMode, guardPolicyName } from '../../domain/access-request';
import type { DesiredRoleState, ReconcileOutcome, RoleReconciliation } from '../../domain/api';
import { findProfile } from '../../domain/catalog';
import { effectiveExpiresAt } from '../../domain/extension';
import { EXEC_ROLE_NAME } from '../../domain/deployment';
import type { PolicyRef, RoleInfo } from '../../domain/ports';
import { Status, isActive, isApproved, isRevoked, isScheduled } from '../../domain/state-machine';
import { buildGuardPolicy, buildTrustPolicy, ownerOnlyTrustPolicy, sameDocument, sameTrustPolicy, trustedAccounts, trustsBeyondOwner } from '../../policy';
import { Actor } from './deps';
import type { WorkflowDeps } from './deps';
import { NAME_PREFIX, Tag, isGuardPolicy, policyRefOf } from './naming';
import { attachProfilePolicy, deleteGuardPolicy, hasCode, noteQuietly } from './ram-grant';

interface ReconcileOptions {
  now: Date;
  /** An APPROVED row unchanged for longer than this is stuck (shared/domain/timing.ts). */
  stuckMs: number;
  /**
   * Read every guard's document (GetPolicy): the one-grant reconciliation does. The periodic pass
   * reads it only when ListPoliciesForRole shows a default version other than `v1` (the only one
   * Crossrole writes), which costs no call per role.
   */
  readGuardDocument: boolean;
  /** Who the audit note names. */
  actor: string;
  /** Asked before changing a role; false defers it to the next pass (the scan's per-run limit). */
  reserve?: () => boolean;
}

/** The version CreatePolicy gives a new policy: any other default means somebody edited the guard. */
const FIRST_VERSION = 'v1';

const sameRef = (a: PolicyRef, b: PolicyRef): boolean => a.type === b.type && a.name.toLowerCase() === b.name.toLowerCase();
const plain = (p: PolicyRef): { type: 'System' | 'Custom'; name: string } => ({ type: p.type, name: p.name });
const describe = (p: PolicyRef): string => `${p.type} ${p.name}`;

function isRoleGone(e: unknown): boolean {
  return hasCode(e, 'NOT_FOUND') && e.details?.['cloudCode'] === 'EntityNotExist.Role';
}

/** Is this a role a grant could own? Anything else tagged managed (our own execution role, a role outside `crossrole-`) is never touched. */
function isGrantRoleName(name: string): boolean {
  const lower = name.toLowerCase();
  return lower.startsWith(NAME_PREFIX) && lower !== EXEC_ROLE_NAME;
}

/**
 * What RAM should hold for `roleName`, from the request its tag names (undefined: not in the
 * ledger). Pure: the whole policy of the reconciler is this function.
 */
function desiredState(request: AccessRequest | undefined, roleName: string, now: Date, stuckMs: number): { desired: DesiredRoleState; why: string } {
  if (request === undefined) return { desired: 'no-access', why: 'its request is not in the ledger (orphan)' };
  if (request.roleName.toLowerCase() !== roleName.toLowerCase()) {
    return { desired: 'not-ours', why: `its request ${request.id} is for role ${request.roleName}` };
  }
  if (isActive(request.status)) {
    const effective = effectiveExpiresAt(request);
    const expires = Date.parse(effective ?? '');
    if (!Number.isNaN(expires) && expires <= now.getTime()) return { desired: 'no-access', why: `ACTIVE but past its expiry (${effective ?? '?'})` };
    return { desired: 'live', why: `ACTIVE until ${effective ?? '?'}${request.targetExpiresAt === undefined ? '' : ` (a change from ${request.expiresAt ?? '?'} is being applied)`}` };
  }
  if (isApproved(request.status)) {
    const idle = now.getTime() - Date.parse(request.updatedAt);
    if (idle > stuckMs) return { desired: 'no-access', why: `APPROVED and unchanged for ${Math.floor(idle / 1000)} s: provisioning is stuck, and converges again on its next delivery` };
    return { desired: 'in-flight', why: 'APPROVED: provisioning is at work' };
  }
  if (isScheduled(request.status)) return { desired: 'no-access', why: `SCHEDULED to start at ${request.startAt ?? '?'}: nothing may exist in RAM before then` };
  if (isRevoked(request.status) && (request.revokeMode === RevokeMode.DELETE || request.resourcesReleasedAt !== undefined)) {
    return { desired: 'deleted', why: request.revokeMode === RevokeMode.DELETE ? 'REVOKED in delete mode' : 'REVOKED and released after the retention' };
  }
  return { desired: 'no-access', why: `${request.status}${request.revokeMode === undefined ? '' : ` (${request.revokeMode} mode)`}` };
}

function accountsOf(trustPolicy: string): string[] {
  try {
    return trustedAccounts(trustPolicy);
  } catch {
    return [];
  }
}

/** A report with nothing done yet. */
function baseReport(role: Pick<RoleInfo, 'name' | 'trustPolicy'> | undefined, roleName: string, request: AccessRequest | undefined, requestId: string | undefined, desired: { desired: DesiredRoleState; why: string }): RoleReconciliation {
  return {
    roleName: role?.name ?? roleName,
    ...(requestId === undefined ? {} : { requestId }),
    ...(request === undefined ? {} : { ledgerStatus: request.status }),
    rolePresent: role !== undefined,
    trustedAccounts: role === undefined ? [] : accountsOf(role.trustPolicy),
    attachedPolicies: [],
    desired: desired.desired,
    why: desired.why,
    actions: [],
    outcome: 'unchanged',
    orphan: request === undefined && desired.desired !== 'not-ours',
  };
}

/**
 * Reconcile one role found in RAM with the request its tag names (`request` undefined: the ledger
 * has no such request). Throws what RAM throws; the actions done until then are on the report and
 * on the audit trail.
 */
export async function reconcileRole(deps: WorkflowDeps, role: RoleInfo, request: AccessRequest | undefined, options: ReconcileOptions): Promise<RoleReconciliation> {
  const requestId = request?.id ?? role.tags[Tag.REQUEST_ID];
  const desired = isGrantRoleName(role.name)
    ? desiredState(request, role.name, options.now, options.stuckMs)
    : { desired: 'not-ours' as const, why: 'not a grant role name' };
  const report = baseReport(role, role.name, request, requestId, desired);
  if (desired.desired === 'not-ours' || desired.desired === 'in-flight') {
    report.outcome = 'left-alone';
    return report;
  }
  try {
    const attached = await deps.ram.listPoliciesForRole(role.name);
    report.attachedPolicies = attached.map(plain);
    if (desired.desired === 'no-access') await strip(deps, role, attached, report, options);
    else if (desired.desired === 'deleted' && request !== undefined) await remove(deps, role, attached, request, report, options);
    else if (desired.desired === 'live' && request !== undefined) await restore(deps, role, attached, request, report, options);
  } catch (e) {
    // Deleted meanwhile (a delete-mode revocation running now, a person): nothing left to converge.
    if (!isRoleGone(e)) throw e;
    report.rolePresent = false;
    if (report.actions.length === 0) report.outcome = 'unchanged';
    report.why += '; the role was deleted while it was being reconciled';
  } finally {
    if (report.actions.length > 0 && request !== undefined) {
      await noteQuietly(deps, request.id, `reconciled: role ${report.outcome} (${report.why})`, { roleName: role.name, desired: report.desired, actions: report.actions }, options.actor);
    }
  }
  return report;
}

/** Trust nobody but the owner, detach every policy but a guard (which keeps denying after expiry). */
async function strip(deps: WorkflowDeps, role: RoleInfo, attached: readonly PolicyRef[], report: RoleReconciliation, options: ReconcileOptions): Promise<void> {
  const owner = deps.catalog.ownerAccountId;
  const trustsOthers = trustsBeyondOwner(role.trustPolicy, owner);
  const permissions = attached.filter((p) => !isGuardPolicy(p));
  if (!trustsOthers && permissions.length === 0) return;
  if (!(options.reserve?.() ?? true)) {
    report.outcome = 'deferred';
    return;
  }
  report.outcome = 'stripped';
  if (trustsOthers) {
    await deps.ram.updateTrustPolicy(role.name, ownerOnlyTrustPolicy(owner));
    report.actions.push(`UpdateRole: trust only the owner account (was ${accountsOf(role.trustPolicy).filter((a) => a !== owner).join(', ') || 'a principal that is not an account'})`);
  }
  for (const p of permissions) {
    await deps.ram.detachPolicyFromRole(role.name, p);
    report.actions.push(`DetachPolicyFromRole: ${describe(p)}`);
  }
}

/** Delete mode: every policy detached, the role deleted, then its guard policy. */
async function remove(deps: WorkflowDeps, role: RoleInfo, attached: readonly PolicyRef[], request: AccessRequest, report: RoleReconciliation, options: ReconcileOptions): Promise<void> {
  if (!(options.reserve?.() ?? true)) {
    report.outcome = 'deferred';
    return;
  }
  report.outcome = 'deleted';
  for (const p of attached) {
    await deps.ram.detachPolicyFromRole(role.name, p);
    report.actions.push(`DetachPolicyFromRole: ${describe(p)}`);
  }
  await deps.ram.deleteRole(role.name);
  report.actions.push(`DeleteRole: ${role.name}`);
  const gone = await deleteGuardPolicy(deps, request.id);
  report.actions.push(gone ? `DeletePolicy: ${guardPolicyName(request.id)}` : `DeletePolicy refused (older versions): ${guardPolicyName(request.id)} left, unattached`);
}

/** ACTIVE: the grant's trust policy, its profile's policies and its guard, nothing else. */
async function restore(deps: WorkflowDeps, role: RoleInfo, attached: readonly PolicyRef[], request: AccessRequest, report: RoleReconciliation, options: ReconcileOptions): Promise<void> {
  const guardRef: PolicyRef = { type: 'Custom', name: guardPolicyName(request.id) };
  const effective = effectiveExpiresAt(request) ?? '';
  const guardDocument = buildGuardPolicy(new Date(effective));
  // While an approved change is applied (targetExpiresAt), the guard may say either expiry: both are
  // what the ledger stands by (extension.ts), and the apply, not the reconciler, moves it on.
  const inFlight = request.targetExpiresAt === undefined || request.expiresAt === undefined ? [] : [request.expiresAt];
  const acceptable = [effective, ...inFlight];
  const trustPolicy = buildTrustPolicy({ principals: request.principals, externalId: request.externalId });
  const profile = findProfile(deps.catalog, request.profile);
  const listedGuard = attached.find((p) => sameRef(p, guardRef));

  let guardState: 'matches' | 'drifted' | 'missing' | 'not-read' = 'not-read';
  if (listedGuard !== undefined && (options.readGuardDocument || (listedGuard.defaultVersion ?? FIRST_VERSION) !== FIRST_VERSION)) {
    const current = await deps.ram.getPolicyDocument(guardRef.name);
    guardState = current === undefined ? 'missing' : acceptable.some((at) => sameDocument(current.document, buildGuardPolicy(new Date(at)))) ? 'matches' : 'drifted';
  }
  const tagged = role.tags[Tag.EXPIRES_AT];
  const tagDrifted = tagged === undefined || !acceptable.some((at) => Date.parse(at) === Date.parse(tagged));
  report.guard = { name: guardRef.name, attached: listedGuard !== undefined, document: guardState };

  const trustDrifted = !sameTrustPolicy(role.trustPolicy, trustPolicy);
  // Without its profile in the catalog, which policies belong is unknown: none is added or removed.
  const wanted = profile?.policies.map((p) => ({ policy: p, ref: policyRefOf(profile.name, p) })) ?? [];
  const missing = wanted.filter((w) => !attached.some((a) => sameRef(a, w.ref)));
  const extra = profile === undefined ? [] : attached.filter((a) => !sameRef(a, guardRef) && !wanted.some((w) => sameRef(a, w.ref)));
  if (profile === undefined) report.why += `; profile ${request.profile} is no longer in the catalog, its policies are left as they are`;
  const needed = guardState === 'drifted' || listedGuard === undefined || trustDrifted || tagDrifted || missing.length > 0 || extra.length > 0;
  if (!needed) return;
  if (!(options.reserve?.() ?? true)) {
    report.outcome = 'deferred';
    return;
  }
  // Restoring grants access: only on a row that is still this ACTIVE version right now.
  const fresh = await deps.ledger.get(request.id);
  if (fresh === undefined || fresh.status !== Status.ACTIVE || fresh.version !== request.version) {
    report.outcome = 'left-alone';
    report.why += `; the request moved on (now ${fresh?.status ?? 'gone'}) while it was being reconciled: the next pass decides`;
    return;
  }
  report.outcome = 'restored';
  // The guard first, as provisioning does: the role never holds a permission without its expiry guard.
  if (guardState === 'drifted') {
    await deps.ram.setPolicyDocument(guardRef.name, guardDocument);
    report.actions.push(`CreatePolicyVersion: ${guardRef.name} denies everything after ${effective} again`);
    await rewriteIfMoved(deps, request, guardRef.name, effective, report);
  }
  if (tagDrifted) {
    await deps.ram.tagRole(role.name, { [Tag.EXPIRES_AT]: new Date(effective).toISOString() });
    report.actions.push(`TagResources: ${Tag.EXPIRES_AT}=${effective}`);
  }
  if (listedGuard === undefined) {
    try {
      await deps.ram.attachPolicyToRole(role.name, guardRef);
    } catch (e) {
      if (!hasCode(e, 'NOT_FOUND')) throw e;
      await deps.ram.createPolicy(guardRef.name, guardDocument, `Crossrole expiry guard of ${role.name}: denies everything after ${request.expiresAt ?? '?'}`);
      report.actions.push(`CreatePolicy: ${guardRef.name}`);
      await deps.ram.attachPolicyToRole(role.name, guardRef);
    }
    report.actions.push(`AttachPolicyToRole: ${describe(guardRef)}`);
  }
  if (trustDrifted) {
    await deps.ram.updateTrustPolicy(role.name, trustPolicy);
    report.actions.push('UpdateRole: the grant\'s trust policy');
  }
  for (const m of missing) {
    if (profile !== undefined) await attachProfilePolicy(deps, role.name, profile, m.policy);
    report.actions.push(`AttachPolicyToRole: ${describe(m.ref)}`);
  }
  for (const p of extra) {
    await deps.ram.detachPolicyFromRole(role.name, p);
    report.actions.push(`DetachPolicyFromRole: ${describe(p)} (not in profile ${request.profile})`);
  }
}

/**
 * The guard was just written from a read of the row; an extension applied in between (guard, tag,
 * then the ledger) would now be undone by that write. Read the row again and, if its effective
 * expiry moved, write that one: the window in which RAM is earlier than the ledger reports shrinks
 * to these two calls, and the next pass closes it whatever happens.
 */
async function rewriteIfMoved(deps: WorkflowDeps, request: AccessRequest, guardName: string, written: string, report: RoleReconciliation): Promise<void> {
  const again = await deps.ledger.get(request.id);
  const now = again === undefined || !isActive(again.status) ? undefined : effectiveExpiresAt(again);
  if (now === undefined || Date.parse(now) === Date.parse(written)) return;
  await deps.ram.setPolicyDocument(guardName, buildGuardPolicy(new Date(now)));
  report.actions.push(`CreatePolicyVersion: ${guardName} follows the expiry the ledger moved to meanwhile (${now})`);
}

/**
 * One grant, on demand: find its role by name and reconcile it if it is the grant's own (its tag
 * names this request). A role that is gone is reported, and in delete mode its guard policy is
 * removed too (a provisioning cut short can leave one alone).
 */
export async function reconcileGrant(deps: WorkflowDeps, request: AccessRequest, options: ReconcileOptions): Promise<RoleReconciliation> {
  const role = await deps.ram.getRole(request.roleName);
  if (role === undefined) {
    const desired = desiredState(request, request.roleName, options.now, options.stuckMs);
    const report = baseReport(undefined, request.roleName, request, request.id, desired);
    report.outcome = desired.desired === 'live' ? 'role-missing' : 'unchanged';
    if (desired.desired === 'live') report.why += '; its role is gone: revoke it, or ask for a new grant';
    if (desired.desired === 'deleted' && (await deps.ram.getPolicyDocument(guardPolicyName(request.id))) !== undefined && await deleteGuardPolicy(deps, request.id)) {
      report.actions.push(`DeletePolicy: ${guardPolicyName(request.id)}`);
      report.outcome = 'deleted';
      await noteQuietly(deps, request.id, `reconciled: guard policy deleted (${report.why})`, { roleName: request.roleName, actions: report.actions }, options.actor);
    }
    return report;
  }
  const owner = role.tags[Tag.REQUEST_ID];
  if (owner !== request.id) {
    const report = baseReport(role, role.name, request, request.id, { desired: 'not-ours', why: `the role under this name is ${owner === undefined ? 'no Crossrole request\'s' : `request ${owner}'s`}` });
    report.outcome = 'left-alone';
    return report;
  }
  return reconcileRole(deps, role, request, options);
}

/** Counters of one pass over every managed role. */
interface ReconcilePass {
  checked: number;
  stripped: number;
  restored: number;
  deleted: number;
  orphans: number;
  foreign: number;
  deferred: number;
  errors: number;
}

const emptyPass = (): ReconcilePass => ({ checked: 0, stripped: 0, restored: 0, deleted: 0, orphans: 0, foreign: 0, deferred: 0, errors: 0 });

const COUNTED: Partial<Record<ReconcileOutcome, keyof ReconcilePass>> = { stripped: 'stripped', restored: 'restored', deleted: 'deleted', deferred: 'deferred' };

/** Add one role's result to the pass's counters. */
function tally(pass: ReconcilePass, r: RoleReconciliation): void {
  pass.checked++;
  const counter = COUNTED[r.outcome];
  if (counter !== undefined) pass[counter]++;
  if (r.orphan) pass.orphans++;
  if (r.desired === 'not-ours') pass.foreign++;
}

/** Roles reconciled at once: with the adapter's per-API pacing, enough to run at ListPoliciesForRole's paced rate. */
const RECONCILE_FAN_OUT = 8;

/** The most changed roles the summary line names; the counters count them all. */
const LOGGED_CHANGES = 20;

/**
 * One pass over every managed role (the scan's reconcile phase), changing at most `limit` roles;
 * one summary log line with the counters. A role that fails is counted and left for the next pass.
 *
 * Cost, measured with the fake RAM in test/unit/workflow/reconcile.test.ts: 999 ACTIVE roles take
 * 1 listRolesByTag + 999 ListPoliciesForRole + 999 ledger reads, no write. The adapter's
 * listRolesByTag is 1 ListRoles (MaxItems 1000) + 999 GetRole (test/unit/cloud/ram-adapter.test.ts);
 * paced at 90% of RAM's 100/s for both APIs that is 999 / 90 + 999 / 90 ≈ 22 s of RAM calls, under
 * the one-minute period and the function's 120 s timeout, and never above RAM's quotas.
 */
export async function reconcileManagedRoles(deps: WorkflowDeps, options: { now: Date; stuckMs: number; limit: number }): Promise<ReconcilePass> {
  const roles = await deps.ram.listRolesByTag(Tag.MANAGED, 'true');
  const pass = emptyPass();
  const changed: Array<{ roleName: string; outcome: string; requestId?: string }> = [];
  let changes = 0;
  const reserve = (): boolean => {
    if (changes >= options.limit) return false;
    changes++;
    return true;
  };
  await mapLimited(roles, RECONCILE_FAN_OUT, async (role) => {
    const requestId = role.tags[Tag.REQUEST_ID];
    try {
      const request = requestId === undefined ? undefined : await deps.ledger.get(requestId);
      const r = await reconcileRole(deps, role, request, { now: options.now, stuckMs: options.stuckMs, readGuardDocument: false, actor: Actor.SCAN, reserve });
      tally(pass, r);
      if (r.orphan) deps.logger.warn('orphan: managed role whose request the ledger does not know', { roleName: role.name, requestId, outcome: r.outcome, actions: r.actions });
      else if (r.desired === 'not-ours') deps.logger.warn('managed role left alone: not its request\'s', { roleName: role.name, requestId, why: r.why });
      if (r.actions.length > 0 && changed.length < LOGGED_CHANGES) changed.push({ roleName: role.name, outcome: r.outcome, ...(requestId === undefined ? {} : { requestId }) });
    } catch (e) {
      pass.errors++;
      deps.logger.warn('scan item failed; the next scan retries it', { phase: 'reconcile', id: role.name, requestId, error: errorMessage(e) });
    }
  });
  const line = { ...pass, roles: roles.length, ...(changed.length > 0 ? { changed } : {}) };
  if (pass.errors > 0 || pass.stripped + pass.restored + pass.deleted + pass.orphans > 0) deps.logger.warn('ram reconcile', line);
  else deps.logger.info('ram reconcile', line);
  return pass;
}

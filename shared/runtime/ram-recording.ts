/**
 * The RAM calls behind each audit event, recorded without touching the use cases: a decorator
 * around the RAM port notes every write (CreateRole, UpdateRole, DeleteRole, Attach/Detach,
 * CreatePolicy, DeletePolicy, CreatePolicyVersion) with its resource, time and result, and a
 * decorator around the ledger hands the calls noted since the last audit write to the next one
 * (`details.ramActions`; the audit export shows them as `ramCalls`).
 *
 * Calls are scoped per unit of work with AsyncLocalStorage: one queue message, one HTTP request,
 * one timer run (function-handlers.ts opens the scope). Outside a scope (tools, tests calling the
 * use cases directly) nothing is recorded. Reads are not recorded: they change nothing, and a
 * reconciler pass reads every managed role (thousands of calls) without writing an event.
 * A write whose step ends without an audit event (a transient failure: the message comes back) is
 * dropped with its scope; its retry records its own calls. A call that names another request's
 * role or guard policy (the scan reconciles many roles in one run, orphans without any event) is
 * never attached to this request's event: it waits in the scope for an event of its own.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { guardPolicyName, type AccessRequest } from '../domain/access-request';
import type { RamCallRecord } from '../domain/api';
import { isCrossroleError } from '../domain/errors';
import type { AuditInput, Clock, PolicyRef, RamPort } from '../domain/ports';
import type { Ledger } from '../ledger';

const scope = new AsyncLocalStorage<RamCallRecord[]>();

/** At most this many calls on one event (a grant makes 4–8; a delete-mode revocation a few more). */
const MAX_CALLS_PER_EVENT = 50;

/** Run `fn` as one unit of work whose RAM writes go to the audit events it writes. */
export function inRamRecordingScope<T>(fn: () => Promise<T>): Promise<T> {
  return scope.run([], fn);
}

type Writes = Pick<RamPort, 'createRole' | 'updateTrustPolicy' | 'deleteRole' | 'attachPolicyToRole' | 'detachPolicyFromRole' | 'createPolicy' | 'deletePolicy' | 'setPolicyDocument' | 'tagRole' | 'deleteOlderPolicyVersions'>;

const policy = (p: PolicyRef): string => `policy/${p.type}/${p.name}`;

/** The RAM port, with every write noted in the current scope. */
export function recordingRam(ram: RamPort, clock: Clock): RamPort {
  const note = async <T>(action: string, resource: string, call: () => Promise<T>): Promise<T> => {
    const calls = scope.getStore();
    if (calls === undefined) return call();
    const at = clock.now().toISOString();
    try {
      const out = await call();
      calls.push({ action, resource, at, result: 'ok' });
      return out;
    } catch (e) {
      calls.push({ action, resource, at, result: isCrossroleError(e) ? e.code : 'error' });
      throw e;
    }
  };
  const writes: Writes = {
    createRole: (input) => note('CreateRole', `role/${input.name}`, () => ram.createRole(input)),
    updateTrustPolicy: (name, doc) => note('UpdateRole', `role/${name}`, () => ram.updateTrustPolicy(name, doc)),
    deleteRole: (name) => note('DeleteRole', `role/${name}`, () => ram.deleteRole(name)),
    attachPolicyToRole: (role, p) => note('AttachPolicyToRole', `role/${role} ${policy(p)}`, () => ram.attachPolicyToRole(role, p)),
    detachPolicyFromRole: (role, p) => note('DetachPolicyFromRole', `role/${role} ${policy(p)}`, () => ram.detachPolicyFromRole(role, p)),
    createPolicy: (name, doc, description) => note('CreatePolicy', `policy/Custom/${name}`, () => ram.createPolicy(name, doc, description)),
    deletePolicy: (name) => note('DeletePolicy', `policy/Custom/${name}`, () => ram.deletePolicy(name)),
    setPolicyDocument: (name, doc) => note('CreatePolicyVersion', `policy/Custom/${name}`, () => ram.setPolicyDocument(name, doc)),
    tagRole: (name, tags) => note('TagResources', `role/${name}`, () => ram.tagRole(name, tags)),
    deleteOlderPolicyVersions: (name) => note('DeletePolicyVersion', `policy/Custom/${name}`, () => ram.deleteOlderPolicyVersions(name)),
  };
  return {
    getRole: (name) => ram.getRole(name),
    listPoliciesForRole: (name) => ram.listPoliciesForRole(name),
    getPolicyDocument: (name) => ram.getPolicyDocument(name),
    listRolesByTag: (key, value) => ram.listRolesByTag(key, value),
    callCount: () => ram.callCount(),
    ...writes,
  };
}

/** Does this call act on the request's own role or guard (or on something no other request owns)? */
function concerns(call: RamCallRecord, request: Pick<AccessRequest, 'id' | 'roleName'>): boolean {
  const role = /(?:^| )role\/(\S+)/.exec(call.resource)?.[1];
  if (role !== undefined) return role.toLowerCase() === request.roleName.toLowerCase();
  const guard = /^policy\/Custom\/(crossrole-guard-\S+)$/.exec(call.resource)?.[1];
  return guard === undefined || guard === guardPolicyName(request.id);
}

/** The calls noted so far in this scope that concern the request, taken (they go to its event). */
async function take(request: () => Promise<Pick<AccessRequest, 'id' | 'roleName'> | undefined>): Promise<RamCallRecord[]> {
  const calls = scope.getStore();
  if (calls === undefined || calls.length === 0) return [];
  const r = await request();
  if (r === undefined) return [];
  const mine = calls.filter((c) => concerns(c, r));
  const others = calls.filter((c) => !concerns(c, r));
  calls.splice(0, calls.length, ...others);
  return mine;
}

function withCalls(audit: AuditInput, calls: RamCallRecord[]): AuditInput {
  if (calls.length === 0) return audit;
  const kept = calls.slice(-MAX_CALLS_PER_EVENT);
  const extra = calls.length > kept.length ? { ramActionsOmitted: calls.length - kept.length } : {};
  return { ...audit, details: { ...audit.details, ramActions: kept, ...extra } };
}

/** Methods that write one audit event, and the position of their AuditInput argument. */
const AUDITED: Record<string, number> = { create: 1, transition: 4, note: 2, markReleased: 1, review: 2 };

/**
 * The ledger, with the scope's noted RAM calls attached to the next audit event written. Should
 * the write fail (a lost race), the calls go back to the scope for the event that follows.
 */
export function auditingRamCalls(ledger: Ledger): Ledger {
  return new Proxy(ledger, {
    get(target, name, receiver) {
      const value: unknown = Reflect.get(target, name, receiver);
      if (typeof value !== 'function') return value;
      const position = typeof name === 'string' ? AUDITED[name] : undefined;
      const method = value as (...args: unknown[]) => Promise<unknown>;
      if (position === undefined) return method.bind(target);
      return async (...args: unknown[]): Promise<unknown> => {
        // create carries the request; the others name it by id (read only when there are calls to place).
        const calls = await take(async () => (name === 'create' ? (args[0] as AccessRequest) : target.get(String(args[0]))));
        const audited = [...args];
        audited[position] = withCalls(args[position] as AuditInput, calls);
        try {
          return await method.apply(target, audited);
        } catch (e) {
          scope.getStore()?.unshift(...calls);
          throw e;
        }
      };
    },
  });
}

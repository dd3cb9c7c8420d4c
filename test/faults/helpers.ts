/**
 * Shared helpers of the worst-day tests (test/faults): sizes from the environment, the ledger
 * read directly over its PostgreSQL socket, the RAM state read from the local IAM, and an API
 * call that rides out injected STS faults (every HTTP call replays its identity proof to STS,
 * which the fault injector also hits).
 */
import { Client } from 'pg';
import type { LocalServer } from '../../local/server';
import { OWNER_ACCOUNT_ID } from '../../local/world';
import type { Api, ApiClient, ApiResponse, CallOptions } from '../helpers/stack';

/** A positive integer from the environment, or the default (sizes fit the ~4 minute budget on 2 cores). */
export function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer, got "${raw}"`);
  return n;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Run `fn` over `items` with at most `width` in flight. */
export async function pool<T, R>(items: readonly T[], width: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (;;) {
      const i = next++;
      if (i >= items.length) return;
      out[i] = await fn(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
  return out;
}

/**
 * An API call retried (with a fresh identity proof each time) while it answers 5xx: under
 * injected faults the STS replay of the proof may fail, which is a 502/503 by design.
 * Only safe for calls that are idempotent or failed before any ledger write (authentication).
 */
export async function callThroughFaults<T = Record<string, unknown>>(client: ApiClient, api: Api, method: string, path: string, options: CallOptions = {}, attempts = 40): Promise<ApiResponse<T>> {
  let last: ApiResponse<T> | undefined;
  for (let i = 0; i < attempts; i++) {
    last = await client.call<T>(api, method, path, options);
    if (last.status < 500) return last;
    await sleep(20 + i * 10);
  }
  if (!last) throw new Error('no attempt made');
  return last;
}

export async function connectLedger(url: string): Promise<Client> {
  const pg = new Client({ connectionString: url });
  await pg.connect();
  return pg;
}

export interface LedgerRow {
  id: string;
  status: string;
  version: number;
  expiresAt: Date | null;
  revokeMode: string | null;
  roleName: string;
}

export async function ledgerRows(pg: Client): Promise<LedgerRow[]> {
  const { rows } = await pg.query<{ id: string; status: string; version: number; expires_at: Date | null; revoke_mode: string | null; role_name: string }>(
    'SELECT id, status, version, expires_at, revoke_mode, role_name FROM requests ORDER BY id',
  );
  return rows.map((r) => ({ id: r.id, status: r.status, version: Number(r.version), expiresAt: r.expires_at, revokeMode: r.revoke_mode, roleName: r.role_name }));
}

export interface AuditRow {
  requestId: string;
  action: string;
  fromStatus: string | null;
  toStatus: string | null;
  actor: string;
}

/** Audit events per request, in order. */
export async function auditByRequest(pg: Client): Promise<Map<string, AuditRow[]>> {
  const { rows } = await pg.query<{ request_id: string; action: string; from_status: string | null; to_status: string | null; actor: string }>(
    'SELECT request_id, action, from_status, to_status, actor FROM audit_events ORDER BY id',
  );
  const out = new Map<string, AuditRow[]>();
  for (const r of rows) {
    const list = out.get(r.request_id) ?? [];
    list.push({ requestId: r.request_id, action: r.action, fromStatus: r.from_status, toStatus: r.to_status, actor: r.actor });
    out.set(r.request_id, list);
  }
  return out;
}

/** Count of each action in a request's audit trail. */
export function actionCounts(events: readonly AuditRow[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const e of events) out[e.action] = (out[e.action] ?? 0) + 1;
  return out;
}

/**
 * Problems with an audit trail: every transition event must start where the previous one ended
 * (a duplicate or a lost event breaks the chain), and the last must end in `finalStatus`.
 */
export function auditChainProblems(events: readonly AuditRow[], finalStatus: string): string[] {
  const problems: string[] = [];
  const transitions = events.filter((e) => e.action !== 'NOTE');
  if (transitions[0]?.action !== 'CREATE') problems.push(`first event is ${transitions[0]?.action ?? 'missing'}, not CREATE`);
  for (let i = 1; i < transitions.length; i++) {
    const prev = transitions[i - 1];
    const cur = transitions[i];
    if (prev && cur && cur.fromStatus !== prev.toStatus) problems.push(`event ${i} ${cur.action} from ${cur.fromStatus} after ${prev.action} to ${prev.toStatus}`);
  }
  const last = transitions[transitions.length - 1];
  if (last?.toStatus !== finalStatus) problems.push(`trail ends in ${last?.toStatus ?? 'nothing'}, not ${finalStatus}`);
  return problems;
}

export interface ManagedRole {
  roleName: string;
  requestId: string | undefined;
  trust: string;
  policies: Array<{ policyType: string; policyName: string }>;
}

/** Every role of the owner account tagged crossrole:managed=true, read straight from the local IAM. */
export function managedRoles(server: LocalServer): ManagedRole[] {
  const out: ManagedRole[] = [];
  let marker: string | undefined;
  for (;;) {
    const page = server.ram.listRoles(OWNER_ACCOUNT_ID, { maxItems: 1000, ...(marker === undefined ? {} : { marker }) });
    for (const r of page.roles) {
      const tag = (k: string): string | undefined => r.tags.find((t) => t.key === k)?.value;
      if (tag('crossrole:managed') !== 'true') continue;
      out.push({
        roleName: r.roleName,
        requestId: tag('crossrole:request-id'),
        trust: r.assumeRolePolicyDocument,
        policies: server.ram.listPoliciesForRole(OWNER_ACCOUNT_ID, r.roleName).map((p) => ({ policyType: p.policyType, policyName: p.policyName })),
      });
    }
    if (!page.isTruncated || page.marker === undefined) break;
    marker = page.marker;
  }
  return out;
}

/** Names of the owner account's custom guard policies (crossrole-guard-*). */
export function guardPolicies(server: LocalServer): string[] {
  return server.ram.listPolicies(OWNER_ACCOUNT_ID).map((p) => p.policyName).filter((n) => n.startsWith('crossrole-guard-'));
}

/** Accounts a trust policy lets assume the role (principal ARNs `acs:ram::<id>:...`). */
export function trustedPrincipals(trust: string): string[] {
  const doc = JSON.parse(trust) as { Statement?: Array<{ Effect?: string; Principal?: { RAM?: string | string[] } }> };
  const out: string[] = [];
  for (const s of doc.Statement ?? []) {
    if (s.Effect !== 'Allow') continue;
    const ram = s.Principal?.RAM;
    if (ram === undefined) continue;
    out.push(...(Array.isArray(ram) ? ram : [ram]));
  }
  return out;
}

/**
 * Client of the two HTTP APIs (intake for partners, approval for approvers). Every call carries a
 * fresh identity proof (a signed, unsent STS GetCallerIdentity; nonces are single-use), and every
 * refusal becomes a CliError with the server's stable code.
 */
import type { AccessRequest, RevokeMode } from '../shared/domain/access-request';
import {
  MAX_PAGE_SIZE, type ApproveBody, type AuditPage, type AuditQuery, type CancelBody, type ChangeExpiryBody, type ExtensionAnswer, type ExtensionDecisionBody, type ListQuery, type ReconcileAnswer, type RejectBody, type RevokeAnswer, type RevokeBody, type RequestAnswer,
  type RequestPage, type RequestView, type ReviewBody, type SubmitRequestBody,
} from '../shared/domain/api';
import type { CloudCredentials } from '../shared/cloud/credentials';
import type { ProfilesAnswer } from '../shared/domain/profile-summary';
import { errorMessage } from '../shared/domain/errors';
import { buildIdentityProof, IDENTITY_HEADER } from '../shared/identity';
import { apiHint, CliError } from './errors';

export interface PopEndpoint {
  /** `host[:port]`, as the POP SDKs and identity proofs want it. */
  host: string;
  protocol: 'http' | 'https';
}

export type Api = 'intake' | 'approval';

interface ApiClientOptions {
  intake: string;
  approval: string;
  sts: PopEndpoint;
  credentials: () => Promise<CloudCredentials>;
  /** ms per HTTP call (default 30 s). */
  timeoutMs?: number;
}

export interface ApiClient {
  submit(body: SubmitRequestBody): Promise<AccessRequest>;
  get(id: string, via?: Api): Promise<RequestView>;
  list(query: ListQuery, via?: Api): Promise<RequestPage>;
  /** Every page, up to `max` items. */
  listAll(query: Pick<ListQuery, 'status' | 'unreviewed'>, via?: Api, max?: number): Promise<AccessRequest[]>;
  cancel(id: string, reason?: string): Promise<AccessRequest>;
  approve(id: string, body: ApproveBody): Promise<AccessRequest>;
  reject(id: string, reason: string): Promise<AccessRequest>;
  /** The request and the mode that applies to it (not necessarily the one asked for). */
  revoke(id: string, mode: RevokeMode, reason: string): Promise<RevokeAnswer>;
  retry(id: string): Promise<AccessRequest>;
  /** Reconcile the grant's role with the ledger now (approvers and operators). */
  reconcile(id: string): Promise<ReconcileAnswer>;
  /** The catalog's profiles the caller may ask for (intake). */
  profiles(): Promise<ProfilesAnswer>;
  /** Ask for a later expiry (the grant's partner). */
  extend(id: string, body: ChangeExpiryBody): Promise<ExtensionAnswer>;
  /** Move the expiry earlier (the grant's partner, approvers). */
  shorten(id: string, body: ChangeExpiryBody): Promise<ExtensionAnswer>;
  /** Decide the grant's pending extension (approvers). */
  decideExtension(id: string, decision: 'approve' | 'reject', body: ExtensionDecisionBody): Promise<ExtensionAnswer>;
  /** The post-hoc review of a break-glass grant (approvers). */
  review(id: string, body: ReviewBody): Promise<AccessRequest>;
  /** One page of the audit export (approvers and operators). */
  auditPage(query: AuditQuery): Promise<AuditPage>;
}

interface ErrorBody {
  error?: { code?: unknown; message?: unknown; field?: unknown };
  requestId?: unknown;
}

function asString(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

export function createApiClient(options: ApiClientOptions): ApiClient {
  const base: Record<Api, string> = { intake: trimSlash(options.intake), approval: trimSlash(options.approval) };

  async function call<T>(api: Api, method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const credentials = await options.credentials();
    const proof = buildIdentityProof({ stsEndpoint: options.sts.host, protocol: options.sts.protocol, credentials });
    const url = `${base[api]}${path}`;
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        headers: { [IDENTITY_HEADER]: proof, accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
      });
    } catch (e) {
      const cause = errorMessage(e instanceof Error && e.cause instanceof Error ? e.cause : e);
      throw new CliError('UNREACHABLE', `cannot reach the ${api} API at ${base[api]} (${cause})`, {
        cause: e,
        hint: 'check --endpoint / CROSSROLE_ENDPOINT, or start the local stack with `npm start`.',
      });
    }
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    if (res.ok) {
      if (parsed === undefined) throw new CliError('BAD_RESPONSE', `the ${api} API answered ${res.status} without JSON`, { status: res.status });
      return parsed as T;
    }
    const eb = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as ErrorBody;
    const code = asString(eb.error?.code) ?? `HTTP_${res.status}`;
    const message = asString(eb.error?.message) ?? (text.slice(0, 200) || res.statusText);
    const field = asString(eb.error?.field);
    const requestId = asString(eb.requestId) ?? res.headers.get('x-fc-request-id') ?? undefined;
    const hint = apiHint(code);
    throw new CliError(code, message, {
      status: res.status,
      ...(field === undefined ? {} : { field }),
      ...(requestId === undefined ? {} : { requestId }),
      ...(hint === undefined ? {} : { hint }),
    });
  }

  const enc = encodeURIComponent;
  const client: ApiClient = {
    submit: async (body) => (await call<RequestAnswer>('intake', 'POST', '/requests', body)).request,
    get: (id, via = 'intake') => call<RequestView>(via, 'GET', `/requests/${enc(id)}`),
    list: (query, via = 'intake') => {
      const q = new URLSearchParams();
      if (query.status !== undefined) q.set('status', query.status);
      if (query.limit !== undefined) q.set('limit', String(query.limit));
      if (query.after !== undefined) q.set('after', query.after);
      if (query.unreviewed !== undefined) q.set('unreviewed', query.unreviewed);
      const qs = q.toString();
      return call<RequestPage>(via, 'GET', `/requests${qs === '' ? '' : `?${qs}`}`);
    },
    async listAll(query, via = 'intake', max = 1000) {
      const items: AccessRequest[] = [];
      let after: string | undefined;
      do {
        const page = await client.list({ ...query, limit: MAX_PAGE_SIZE, ...(after === undefined ? {} : { after }) }, via);
        items.push(...page.items);
        after = page.next;
      } while (after !== undefined && items.length < max);
      return items;
    },
    cancel: async (id, reason) => (await call<RequestAnswer>('intake', 'POST', `/requests/${enc(id)}/cancel`, (reason === undefined ? {} : { reason }) satisfies CancelBody)).request,
    approve: async (id, body) => (await call<RequestAnswer>('approval', 'POST', `/requests/${enc(id)}/approve`, body)).request,
    reject: async (id, reason) => (await call<RequestAnswer>('approval', 'POST', `/requests/${enc(id)}/reject`, { reason } satisfies RejectBody)).request,
    revoke: async (id, mode, reason) => {
      const answer = await call<RevokeAnswer>('approval', 'POST', `/requests/${enc(id)}/revoke`, { mode, reason } satisfies RevokeBody);
      // A server from before modeApplied existed: the request's own mode is what applies.
      return { ...answer, modeApplied: answer.modeApplied ?? answer.request.revokeMode ?? mode };
    },
    retry: async (id) => (await call<RequestAnswer>('approval', 'POST', `/requests/${enc(id)}/retry`, {})).request,
    reconcile: (id) => call<ReconcileAnswer>('approval', 'POST', `/requests/${enc(id)}/reconcile`, {}),
    profiles: () => call<ProfilesAnswer>('intake', 'GET', '/profiles'),
    extend: (id, body) => call<ExtensionAnswer>('intake', 'POST', `/requests/${enc(id)}/extend`, body),
    shorten: (id, body) => call<ExtensionAnswer>('intake', 'POST', `/requests/${enc(id)}/shorten`, body),
    decideExtension: (id, decision, body) => call<ExtensionAnswer>('approval', 'POST', `/requests/${enc(id)}/extension/${decision}`, body),
    review: async (id, body) => (await call<RequestAnswer>('approval', 'POST', `/requests/${enc(id)}/review`, body)).request,
    auditPage: (query) => {
      const q = new URLSearchParams({ since: query.since });
      for (const key of ['until', 'partner', 'cursor'] as const) {
        const v = query[key];
        if (v !== undefined) q.set(key, v);
      }
      if (query.limit !== undefined) q.set('limit', String(query.limit));
      return call<AuditPage>('approval', 'GET', `/audit?${q.toString()}`);
    },
  };
  return client;
}

/**
 * The local FC runtime's own admin endpoint (no cloud counterpart): fire a timer trigger now,
 * `POST /_local/fc/timers/<fn>/fire[?trigger=<name>]`, so tests and people need not wait for a schedule.
 */
import { asError } from '../../shared/domain/errors';
import type { LocalRequest, LocalResponse } from '../core/contract';
import type { InvocationOutcome } from './types';

function jsonResponse(status: number, body: unknown): LocalResponse {
  return { status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

export async function handleFcAdmin(req: LocalRequest, fireTimer: (fn: string, trigger?: string) => Promise<InvocationOutcome>): Promise<LocalResponse> {
  const m = /^\/_local\/fc\/timers\/([^/]+)\/fire\/?$/.exec(req.path);
  if (!m || m[1] === undefined || req.method.toUpperCase() !== 'POST') return jsonResponse(404, { ErrorCode: 'PathNotSupported', ErrorMessage: `${req.method} ${req.path} is not a local FC admin endpoint` });
  const fn = decodeURIComponent(m[1]);
  const trig = new URLSearchParams(req.rawQuery).get('trigger') ?? undefined;
  try {
    const o = await fireTimer(fn, trig);
    return jsonResponse(200, o.ok ? { requestId: o.requestId, ok: true, result: o.result.kind === 'json' ? o.result.value : o.result.kind === 'string' ? o.result.text : null } : { requestId: o.requestId, ok: false, error: o.error });
  } catch (e) {
    return jsonResponse(404, { ErrorCode: 'TriggerNotFound', ErrorMessage: asError(e).message });
  }
}

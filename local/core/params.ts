/**
 * Parameter decoding shared by the POP services: numbers, booleans, and the list/map
 * parameters the SDKs send as JSON strings (`Tag=[{"Key":"k","Value":"v"}]`), with the
 * flattened `Tag.1.Key` form other SDK languages use as a fallback.
 */
import { ServiceError } from './errors';
import type { RpcContext } from './rpc';

/** What decoding needs of a call: its parameters. */
type Params = Pick<RpcContext, 'param' | 'paramsWithPrefix'>;

const invalid = (name: string, why: string): ServiceError => new ServiceError(`InvalidParameter.${name}`, 400, `The parameter - "${name}" ${why}.`);

export function intParam(ctx: Params, name: string): number | undefined {
  const v = ctx.param(name);
  if (v === undefined || v === '') return undefined;
  if (!/^-?\d+$/.test(v)) throw invalid(name, 'must be an integer');
  return Number.parseInt(v, 10);
}

export function boolParam(ctx: Params, name: string): boolean | undefined {
  const v = ctx.param(name);
  if (v === undefined || v === '') return undefined;
  if (v === 'true' || v === 'True') return true;
  if (v === 'false' || v === 'False') return false;
  throw invalid(name, 'must be true or false');
}

/** The parameter sent as JSON text, parsed (undefined when absent or empty: JSON itself has no undefined). */
function jsonParam(ctx: Params, name: string, shape: string): unknown {
  const v = ctx.param(name);
  if (v === undefined || v === '') return undefined;
  try {
    return JSON.parse(v) as unknown;
  } catch {
    throw invalid(name, `must be ${shape}`);
  }
}

/** A JSON list of strings (`["a","b"]`), or flattened `Name.1`, `Name.2`. */
export function stringListParam(ctx: Params, name: string): string[] | undefined {
  const shape = 'a JSON array of strings';
  const parsed = jsonParam(ctx, name, shape);
  if (parsed !== undefined) {
    if (!Array.isArray(parsed) || !parsed.every((x) => typeof x === 'string')) throw invalid(name, `must be ${shape}`);
    return parsed as string[];
  }
  const flat = ctx
    .paramsWithPrefix(`${name}.`)
    .filter(([k]) => /^\d+$/.test(k.slice(name.length + 1)))
    .sort(([a], [b]) => Number(a.slice(name.length + 1)) - Number(b.slice(name.length + 1)))
    .map(([, val]) => val);
  return flat.length > 0 ? flat : undefined;
}

/** A JSON list of `{Key, Value}` (`Value` optional), or flattened `Name.N.Key` / `Name.N.Value`. */
export function tagListParam(ctx: Params, name: string): Array<{ key: string; value?: string }> | undefined {
  const shape = 'a JSON array of {"Key","Value"}';
  const parsed = jsonParam(ctx, name, shape);
  if (parsed !== undefined) {
    if (!Array.isArray(parsed)) throw invalid(name, `must be ${shape}`);
    return parsed.map((t: unknown) => {
      if (typeof t !== 'object' || t === null) throw invalid(name, `must be ${shape}`);
      const rec = t as Record<string, unknown>;
      const key = rec.Key;
      const value = rec.Value;
      if (typeof key !== 'string' || (value !== undefined && typeof value !== 'string')) throw invalid(name, `must be ${shape}`);
      return value === undefined ? { key } : { key, value };
    });
  }
  const byIndex = new Map<number, { key?: string; value?: string }>();
  for (const [k, val] of ctx.paramsWithPrefix(`${name}.`)) {
    const m = /^[^.]+\.(\d+)\.(Key|Value)$/.exec(k);
    if (!m) continue;
    const i = Number(m[1]);
    const e = byIndex.get(i) ?? {};
    if (m[2] === 'Key') e.key = val;
    else e.value = val;
    byIndex.set(i, e);
  }
  if (byIndex.size === 0) return undefined;
  return [...byIndex.entries()]
    .sort(([a], [b]) => a - b)
    .map(([, e]) => {
      if (e.key === undefined) throw invalid(`${name}.Key`, 'is mandatory');
      return e.value === undefined ? { key: e.key } : { key: e.key, value: e.value };
    });
}

/**
 * Each function's environment variables as `s deploy` would send them, read from s.yaml with the
 * current environment, so their size can be checked against FC's 4 KB limit before a deploy fails
 * (or, worse, a catalog is cut). Serverless Devs resolves `${env('X', 'default')}`,
 * `${config('AccountID')}` and `${vars.a.b}` (devsapp/fc3 and Serverless Devs 3 variable syntax); these are what s.yaml uses.
 * Anything else is reported as unresolved and counted as empty, so the size is a lower bound then.
 *
 * The product's own reading, deliberately separate from the local FC runtime's loader (local/fc),
 * which is a witness and must not share our understanding.
 */
import { parse as parseYaml } from 'yaml';
import { fcEnvironmentSize } from '../../shared/domain/fc-deployment';

interface FunctionEnvironment {
  /** `props.functionName`, or the resource's key when it has none. */
  functionName: string;
  variables: Record<string, string>;
  /** Bytes as FC counts them (shared/domain/fc-deployment.ts). */
  size: number;
  /** Expressions this reader could not resolve (counted as ''). */
  unresolved: string[];
}

interface SYamlEnvOptions {
  env: Readonly<Record<string, string | undefined>>;
  accountId: string;
}

const EXPR = /\$\{([^{}]*)\}/g;
const WHOLE = /^\$\{([^{}]*)\}$/;
const FUNC = /^(env|config)\(\s*(['"])([^'"]*)\2\s*(?:,\s*(['"])([^'"]*)\4\s*)?\)$/;
const VARS = /^vars((?:\.[A-Za-z0-9_-]+)+)$/;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

class Resolver {
  readonly unresolved = new Set<string>();
  private readonly depth = new Set<string>();

  constructor(private readonly vars: Record<string, unknown>, private readonly opts: SYamlEnvOptions) {}

  private expression(expr: string): unknown {
    const e = expr.trim();
    const f = FUNC.exec(e);
    if (f) {
      const [, fn, , name = '', , dflt] = f;
      if (fn === 'env') return this.opts.env[name] ?? dflt ?? '';
      if (name === 'AccountID') return this.opts.accountId;
    }
    const v = VARS.exec(e);
    if (v?.[1] !== undefined && !this.depth.has(e)) {
      let cur: unknown = this.vars;
      for (const part of v[1].slice(1).split('.')) cur = isRecord(cur) ? cur[part] : undefined;
      if (cur !== undefined) {
        this.depth.add(e);
        const out = this.value(cur);
        this.depth.delete(e);
        return out;
      }
    }
    this.unresolved.add(`\${${e}}`);
    return '';
  }

  value(v: unknown): unknown {
    if (typeof v === 'string') {
      const whole = WHOLE.exec(v);
      if (whole?.[1] !== undefined) return this.expression(whole[1]);
      return v.replace(EXPR, (_m, inner: string) => {
        const r = this.expression(inner);
        return isRecord(r) || Array.isArray(r) ? '' : String(r);
      });
    }
    if (Array.isArray(v)) return v.map((x) => this.value(x));
    if (isRecord(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, this.value(x)]));
    return v;
  }
}

/** The environment of every fc3 function in an s.yaml text. Throws on text that is not YAML. */
export function sYamlEnvironments(text: string, opts: SYamlEnvOptions): FunctionEnvironment[] {
  const doc: unknown = parseYaml(text);
  if (!isRecord(doc)) return [];
  const vars = isRecord(doc['vars']) ? doc['vars'] : {};
  const resources = isRecord(doc['resources']) ? doc['resources'] : {};
  const out: FunctionEnvironment[] = [];
  for (const [key, res] of Object.entries(resources)) {
    if (!isRecord(res) || typeof res['component'] !== 'string' || !/(^|[/\\])fc3(@.*)?$/.test(res['component']) || !isRecord(res['props'])) continue;
    const resolver = new Resolver(vars, opts);
    const props = res['props'];
    const name = resolver.value(props['functionName']);
    const env = resolver.value(props['environmentVariables'] ?? {});
    const variables: Record<string, string> = {};
    if (isRecord(env)) for (const [k, v] of Object.entries(env)) variables[k] = v === null || v === undefined ? '' : String(v);
    out.push({ functionName: typeof name === 'string' && name !== '' ? name : key, variables, size: fcEnvironmentSize(variables), unresolved: [...resolver.unresolved].sort() });
  }
  return out;
}

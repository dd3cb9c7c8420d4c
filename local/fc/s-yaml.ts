/**
 * Loads a Serverless Devs 3.x `s.yaml` (fc3 component) the way `s deploy` would read it:
 * resolves `${vars.*}`, `${env('X', 'default')}` and `${config('AccountID')}`
 * (Serverless-Devs/Serverless-Devs docs/zh/variables.md),
 * then validates each fc3 resource into a FunctionSpec. The environment and the account ID are
 * injected so that loading is deterministic and never reads process.env.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { ValidationError } from '../../shared/domain/errors';
import { errorMessage } from '../core/errors';
import { parseFunctionProps, type FunctionSpec } from './spec';

export interface SYamlResolveOptions {
  /** Values for `${env('X')}`; the caller decides what to expose (never process.env implicitly). */
  env: Readonly<Record<string, string | undefined>>;
  /** Value of `${config('AccountID')}`. */
  accountId: string;
  /** Other `${config('Key')}` values (AccessKeyID is deliberately not needed). */
  config?: Readonly<Record<string, string>>;
}

export interface ResolvedSYaml {
  edition?: string;
  name?: string;
  access?: unknown;
  vars: Record<string, unknown>;
  resources: Record<string, { component: string; props: Record<string, unknown>; [k: string]: unknown }>;
  [k: string]: unknown;
}

const EXPR = /\$\{([^{}]*)\}/g;
const WHOLE = /^\$\{([^{}]*)\}$/;
const FUNC = /^(env|config)\(\s*(['"])([^'"]*)\2\s*(?:,\s*(['"])([^'"]*)\4\s*)?\)$/;
const VARS = /^vars((?:\.[A-Za-z0-9_-]+)+)$/;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

class Resolver {
  private readonly varsDone = new Map<string, unknown>();
  private readonly inProgress = new Set<string>();

  constructor(private readonly rawVars: Record<string, unknown>, private readonly opts: SYamlResolveOptions) {}

  /** Resolve a top-level var lazily so vars may reference vars (cycles are reported). */
  private topVar(name: string, key: string): unknown {
    if (this.varsDone.has(name)) return this.varsDone.get(name);
    if (!(name in this.rawVars)) throw new ValidationError('INVALID_CONFIG', key, `\${vars.${name}} is not defined under vars:`);
    if (this.inProgress.has(name)) throw new ValidationError('INVALID_CONFIG', key, `vars.${name} refers to itself`);
    this.inProgress.add(name);
    const v = this.value(this.rawVars[name], `vars.${name}`);
    this.inProgress.delete(name);
    this.varsDone.set(name, v);
    return v;
  }

  private expression(expr: string, key: string): unknown {
    const e = expr.trim();
    const f = FUNC.exec(e);
    if (f) {
      const [, fn, , name = '', quote2, dflt] = f;
      if (fn === 'env') {
        const v = this.opts.env[name];
        if (v !== undefined) return v;
        if (quote2 !== undefined) return dflt ?? '';
        throw new ValidationError('INVALID_CONFIG', key, `\${env('${name}')} is not set and has no default`);
      }
      if (name === 'AccountID') return this.opts.accountId;
      const c = this.opts.config?.[name];
      if (c === undefined) throw new ValidationError('INVALID_CONFIG', key, `\${config('${name}')} is not available locally`);
      return c;
    }
    const v = VARS.exec(e);
    if (v && v[1] !== undefined) {
      const parts = v[1].slice(1).split('.');
      const [head = '', ...rest] = parts;
      let cur = this.topVar(head, key);
      for (const p of rest) {
        if (!isRecord(cur) || !(p in cur)) throw new ValidationError('INVALID_CONFIG', key, `\${${e}} does not exist`);
        cur = cur[p];
      }
      return cur;
    }
    throw new ValidationError('INVALID_CONFIG', key, `unsupported expression \${${e}} (the local loader supports vars.*, env() and config())`);
  }

  private string(s: string, key: string): unknown {
    const whole = WHOLE.exec(s);
    // A value that is exactly one expression keeps its type (e.g. `logConfig: ${vars.logConfig}` is an object).
    if (whole && whole[1] !== undefined) return this.expression(whole[1], key);
    return s.replace(EXPR, (_m, inner: string) => {
      const v = this.expression(inner, key);
      if (isRecord(v) || Array.isArray(v)) throw new ValidationError('INVALID_CONFIG', key, `\${${inner.trim()}} is an object and cannot be embedded in a string`);
      return String(v);
    });
  }

  value(v: unknown, key: string): unknown {
    if (typeof v === 'string') return this.string(v, key);
    if (Array.isArray(v)) return v.map((x, i) => this.value(x, `${key}[${i}]`));
    if (isRecord(v)) {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[k] = this.value(x, key === '' ? k : `${key}.${k}`);
      return out;
    }
    return v;
  }
}

/** Parse and resolve an s.yaml text; returns the whole document with every `${...}` replaced. */
export function resolveSYaml(text: string, opts: SYamlResolveOptions): ResolvedSYaml {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    throw new ValidationError('INVALID_CONFIG', 's.yaml', `is not valid YAML: ${errorMessage(e)}`);
  }
  if (!isRecord(doc)) throw new ValidationError('INVALID_CONFIG', 's.yaml', 'must be a YAML mapping');
  const rawVars = doc.vars === undefined || doc.vars === null ? {} : doc.vars;
  if (!isRecord(rawVars)) throw new ValidationError('INVALID_CONFIG', 'vars', 'must be a mapping');
  if (!isRecord(doc.resources)) throw new ValidationError('INVALID_CONFIG', 'resources', 'must be a mapping of resource name to {component, props}');
  const r = new Resolver(rawVars, opts);
  const out = r.value(doc, '') as Record<string, unknown>;
  const resources = out.resources as Record<string, unknown>;
  for (const [name, res] of Object.entries(resources)) {
    if (!isRecord(res)) throw new ValidationError('INVALID_CONFIG', `resources.${name}`, 'must be a mapping');
    if (typeof res.component !== 'string') throw new ValidationError('INVALID_CONFIG', `resources.${name}.component`, 'is required');
    if (!isRecord(res.props)) throw new ValidationError('INVALID_CONFIG', `resources.${name}.props`, 'must be a mapping');
  }
  return { ...out, vars: r.value(rawVars, 'vars') as Record<string, unknown>, resources } as ResolvedSYaml;
}

/** fc3 components only (`fc3`, `fc3@0.1.22`, or a local path ending in fc3). */
function isFc3(component: string): boolean {
  return /^fc3(@.*)?$/.test(component) || /[/\\]fc3$/.test(component);
}

/** The functions of a resolved s.yaml, validated. Non-fc3 resources are skipped. */
export function functionsFromResolved(doc: ResolvedSYaml, accountId: string): FunctionSpec[] {
  const specs: FunctionSpec[] = [];
  const seen = new Set<string>();
  for (const [name, res] of Object.entries(doc.resources)) {
    if (!isFc3(res.component)) continue;
    const spec = parseFunctionProps(name, res.props, accountId);
    if (seen.has(spec.functionName)) throw new ValidationError('INVALID_CONFIG', `resources.${name}.props.functionName`, `duplicate function name "${spec.functionName}"`);
    seen.add(spec.functionName);
    specs.push(spec);
  }
  return specs;
}

export function parseSYaml(text: string, opts: SYamlResolveOptions): FunctionSpec[] {
  return functionsFromResolved(resolveSYaml(text, opts), opts.accountId);
}

/** Read and parse an s.yaml file. Code paths in the specs stay relative to the file's directory. */
export function loadFunctionsFromSYaml(path: string, opts: SYamlResolveOptions): FunctionSpec[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ValidationError('INVALID_CONFIG', 's.yaml', `cannot read ${path}: ${errorMessage(e)}`);
  }
  return parseSYaml(text, opts);
}

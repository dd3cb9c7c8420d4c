/**
 * The client config a partner or an approver writes once with `crossrole configure` (the values
 * the owner's `crossrole bootstrap` prints), so that no later command needs --endpoint or
 * --sts-endpoint. Every command that reaches the API reads it (cli/context.ts), below flags, the
 * environment and `--as` (the local stack).
 *
 * The file is JSON, owner-readable only (it names no secret, but it says where your credentials
 * are sent): `{ "intakeUrl", "approvalUrl" }` or `{ "apiUrl" }`, plus `region`, `stsEndpoint` and,
 * optionally, `mnsEndpoint`, `ownerAccountId` and `aliyunProfile`.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { isAccountId } from '../shared/domain/identifiers';
import { errorMessage } from '../shared/domain/errors';
import { clientConfigPath, type CliEnv } from './config';
import { CliError, UsageError } from './errors';

export interface ClientConfig {
  /** The HTTP trigger URL of crossrole-intake (FC: `urlInternet` of its HTTP trigger). */
  intakeUrl?: string;
  /** The HTTP trigger URL of crossrole-approval. */
  approvalUrl?: string;
  /** Instead of the two: one custom domain base, `<apiUrl>/fn/crossrole-intake` and `/fn/crossrole-approval`. */
  apiUrl?: string;
  region?: string;
  /** `host[:port]` or `http(s)://host[:port]`: the STS endpoint the API accepts identity proofs for. */
  stsEndpoint?: string;
  /** Approvers: the owner account's MNS endpoint, `https://<uid>.mns.<region>.aliyuncs.com`. */
  mnsEndpoint?: string;
  ownerAccountId?: string;
  /** The aliyun CLI profile to use when no --profile is given. */
  aliyunProfile?: string;
}

const CLIENT_CONFIG_KEYS = ['intakeUrl', 'approvalUrl', 'apiUrl', 'region', 'stsEndpoint', 'mnsEndpoint', 'ownerAccountId', 'aliyunProfile'] as const;

interface ConfigProblem {
  field: string;
  message: string;
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])$/;
const REGION = /^[a-z]{2,}(-[a-z0-9]+)+$/;
const HOST_PORT = /^(?:(https?):\/\/)?([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::(\d{1,5}))?\/?$/;

/**
 * An http(s) URL the CLI may send identity proofs to: https, or http to a loopback host only (the
 * local stack); no credentials, query or fragment. `path`: whether a path is allowed (trigger URLs
 * have none on FC's own domain, a custom domain may add one). Returns the URL without a trailing
 * slash, or a problem.
 */
export function checkApiUrl(text: string, path = true): { url: string } | { problem: string } {
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    return { problem: `is not a URL (got ${JSON.stringify(text)}); expected https://…` };
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return { problem: `must be an https:// URL (got ${u.protocol}//…)` };
  if (u.protocol === 'http:' && !LOOPBACK.test(u.hostname)) return { problem: `must use https (http is only for the local stack on 127.0.0.1 or localhost; got ${u.host})` };
  if (u.username !== '' || u.password !== '') return { problem: 'must not carry a user name or password' };
  if (u.search !== '' || u.hash !== '') return { problem: 'must not carry a query (?…) or a fragment (#…)' };
  if (!path && u.pathname !== '/') return { problem: `must be scheme://host[:port] without a path (got path ${u.pathname})` };
  return { url: `${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, '')}` };
}

/** Every problem of a config (field by field), and the config with its URLs normalised. */
export function checkClientConfig(raw: unknown): { config: ClientConfig; problems: ConfigProblem[] } {
  const problems: ConfigProblem[] = [];
  const config: ClientConfig = {};
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { config, problems: [{ field: '(file)', message: 'must be a JSON object' }] };
  const o = raw as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (!(CLIENT_CONFIG_KEYS as readonly string[]).includes(key)) problems.push({ field: key, message: `is not a setting (settings: ${CLIENT_CONFIG_KEYS.join(', ')})` });
  }
  const str = (key: (typeof CLIENT_CONFIG_KEYS)[number]): string | undefined => {
    const v = o[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'string' || v.trim() === '') {
      problems.push({ field: key, message: 'must be a non-empty string' });
      return undefined;
    }
    return v.trim();
  };
  for (const key of ['intakeUrl', 'approvalUrl', 'apiUrl'] as const) {
    const v = str(key);
    if (v === undefined) continue;
    const r = checkApiUrl(v);
    if ('problem' in r) problems.push({ field: key, message: r.problem });
    else config[key] = r.url;
  }
  const mns = str('mnsEndpoint');
  if (mns !== undefined) {
    const r = checkApiUrl(mns, false);
    if ('problem' in r) problems.push({ field: 'mnsEndpoint', message: r.problem });
    else config.mnsEndpoint = r.url;
  }
  const region = str('region');
  if (region !== undefined) {
    if (REGION.test(region)) config.region = region;
    else problems.push({ field: 'region', message: `must be a region id such as cn-hangzhou (got ${JSON.stringify(region)})` });
  }
  const sts = str('stsEndpoint');
  if (sts !== undefined) {
    const m = HOST_PORT.exec(sts);
    if (!m) problems.push({ field: 'stsEndpoint', message: `must be host[:port] or http(s)://host[:port], such as sts.aliyuncs.com (got ${JSON.stringify(sts)})` });
    else if (m[1] === 'http' && !LOOPBACK.test(m[2] ?? '')) problems.push({ field: 'stsEndpoint', message: 'must use https (http is only for the local stack)' });
    else config.stsEndpoint = sts.replace(/\/$/, '');
  }
  const owner = str('ownerAccountId');
  if (owner !== undefined) {
    if (isAccountId(owner)) config.ownerAccountId = owner;
    else problems.push({ field: 'ownerAccountId', message: `must be a 16-digit Alibaba Cloud account id (got ${JSON.stringify(owner)})` });
  }
  const profile = str('aliyunProfile');
  if (profile !== undefined) config.aliyunProfile = profile;

  const oneUrl = (config.intakeUrl === undefined) !== (config.approvalUrl === undefined);
  if (oneUrl && !problems.some((p) => p.field === 'intakeUrl' || p.field === 'approvalUrl')) {
    problems.push({ field: config.intakeUrl === undefined ? 'intakeUrl' : 'approvalUrl', message: 'the intake and approval URLs go together: give both (or one custom domain base as apiUrl)' });
  }
  if (config.apiUrl !== undefined && (config.intakeUrl !== undefined || config.approvalUrl !== undefined)) {
    problems.push({ field: 'apiUrl', message: 'give either apiUrl (a custom domain base) or intakeUrl and approvalUrl, not both' });
  }
  if (config.apiUrl === undefined && config.intakeUrl === undefined && config.approvalUrl === undefined && !problems.some((p) => /Url$/.test(p.field))) {
    problems.push({ field: 'intakeUrl', message: 'the API is required: intakeUrl and approvalUrl (the two HTTP trigger URLs), or apiUrl' });
  }
  if (config.mnsEndpoint !== undefined && config.ownerAccountId !== undefined) {
    const uid = mnsEndpointAccount(config.mnsEndpoint);
    if (uid !== undefined && uid !== config.ownerAccountId) problems.push({ field: 'mnsEndpoint', message: `names account ${uid}, but ownerAccountId is ${config.ownerAccountId}` });
  }
  return { config, problems };
}

/** The account an MNS endpoint names (`https://<uid>.mns.<region>.aliyuncs.com`, as @alicloud/mns lib/client.js builds it). */
export function mnsEndpointAccount(url: string): string | undefined {
  const m = /^https?:\/\/(\d{16})\.mns\.[a-z0-9-]+\.aliyuncs\.com(?::\d+)?$/i.exec(url);
  return m?.[1];
}

function describe(problems: readonly ConfigProblem[]): string {
  return problems.map((p) => `${p.field} ${p.message}`).join('; ');
}

/** The client config file, validated; undefined when there is none. */
export function readClientConfig(env: CliEnv): { path: string; config: ClientConfig } | undefined {
  const path = clientConfigPath(env);
  if (!existsSync(path)) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new CliError('CLIENT_CONFIG_INVALID', `cannot read the client config ${path}: ${errorMessage(e)}`, { hint: 'write it again with `crossrole configure` (the command the owner\'s `crossrole bootstrap` prints).' });
  }
  const { config, problems } = checkClientConfig(raw);
  if (problems.length > 0) {
    throw new CliError('CLIENT_CONFIG_INVALID', `the client config ${path} is invalid: ${describe(problems)}`, { hint: 'fix it with `crossrole configure` (the command the owner\'s `crossrole bootstrap` prints).' });
  }
  return { path, config };
}

/** Validate and write (atomically, mode 0600); a usage error (exit 2) names every problem. */
export function writeClientConfig(env: CliEnv, config: ClientConfig): string {
  const { config: checked, problems } = checkClientConfig(config);
  if (problems.length > 0) throw new UsageError(`the client config is invalid: ${describe(problems)}`, 'see `crossrole configure --help`.');
  const path = clientConfigPath(env);
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const ordered: Record<string, string> = {};
  for (const k of CLIENT_CONFIG_KEYS) if (checked[k] !== undefined) ordered[k] = checked[k];
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(ordered, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, path);
  return path;
}

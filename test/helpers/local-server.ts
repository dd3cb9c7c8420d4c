/**
 * Test helpers for the local cloud: start it in-process on a free port, build the REAL SDK
 * clients against it, seed the tutorial's cast, and assert SDK errors by code and status.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import Ram from '@alicloud/ram20150501';
import Sts from '@alicloud/sts20150401';
import Ecs from '@alicloud/ecs20140526';
import { startLocalServer, type LocalServer, type StartLocalServerOptions } from '../../local/server';

export type { LocalServer };

export interface Creds {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string;
}

export interface ClientOptions {
  /** Legacy RPC HMAC-SHA1 signatures instead of ACS3. */
  v2?: boolean;
}

export async function startTestServer(options: StartLocalServerOptions = {}): Promise<LocalServer> {
  return startLocalServer({ port: 0, ...options });
}

export function tempDataDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'crossrole-local-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

function config(server: LocalServer, creds: Creds, opts: ClientOptions): $OpenApiUtil.Config {
  return new $OpenApiUtil.Config({
    accessKeyId: creds.accessKeyId,
    accessKeySecret: creds.accessKeySecret,
    ...(creds.securityToken === undefined ? {} : { securityToken: creds.securityToken }),
    endpoint: server.endpoint,
    protocol: 'http',
    regionId: 'cn-hangzhou',
    ...(opts.v2 ? { signatureAlgorithm: 'v2' } : {}),
  });
}

export const ramClient = (server: LocalServer, creds: Creds, opts: ClientOptions = {}): Ram => new Ram(config(server, creds, opts));
export const stsClient = (server: LocalServer, creds: Creds, opts: ClientOptions = {}): Sts => new Sts(config(server, creds, opts));
export const ecsClient = (server: LocalServer, creds: Creds, opts: ClientOptions = {}): Ecs => new Ecs(config(server, creds, opts));

/** Await `p` and assert it failed with this cloud error code and HTTP status. */
export async function expectCloudError(p: Promise<unknown>, code: string, statusCode: number): Promise<{ code: string; statusCode: number; message: string }> {
  let err: unknown;
  try {
    await p;
  } catch (e) {
    err = e;
  }
  if (err === undefined) throw new Error(`expected ${code} (${statusCode}), but the call succeeded`);
  const e = err as { code?: string; statusCode?: number; message?: string };
  expect({ code: e.code, statusCode: e.statusCode }).toEqual({ code, statusCode });
  return { code: e.code ?? '', statusCode: e.statusCode ?? 0, message: e.message ?? '' };
}

export const ACCOUNT_A = '1111111111111111';
export const ACCOUNT_B = '2222222222222222';

export interface Tutorial {
  /** Company A's administrator (root identity). */
  adminA: Creds;
  /** Company B's administrator (root identity). */
  adminB: Creds;
  /** Bob, RAM user of B, with no permissions yet. */
  bob: Creds;
}

/** The tutorial's cast: accounts A and B, their admins, and Bob in B without permissions. */
export function seedTutorial(server: LocalServer): Tutorial {
  const a = server.ram.createAccount(ACCOUNT_A, 'Company A');
  const b = server.ram.createAccount(ACCOUNT_B, 'Company B');
  server.ram.createUser(ACCOUNT_B, 'Bob');
  const k = server.ram.createAccessKey(ACCOUNT_B, 'Bob');
  return { adminA: a.rootAccessKey, adminB: b.rootAccessKey, bob: { accessKeyId: k.accessKeyId, accessKeySecret: k.accessKeySecret } };
}

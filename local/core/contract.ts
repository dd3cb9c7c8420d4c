/**
 * Contract between the local cloud's HTTP server and its services (RAM/STS/ECS, MNS, FC).
 * Each service is a plug-in: it claims requests (`matches`) and answers them (`handle`).
 * Identity (access keys, STS tokens) and authorization (RAM policies) are provided by the
 * access-control room (local/access) so every service authenticates and authorizes the same way.
 */
import type { IncomingHttpHeaders } from 'node:http';

export interface LocalRequest {
  method: string;
  /** The raw request target exactly as sent (path + '?' + query), undecoded. */
  target: string;
  /** Path part of `target`, undecoded. */
  path: string;
  /** Raw query string (no leading '?'), undecoded; '' when absent. */
  rawQuery: string;
  /** Header names lowercased (Node's IncomingMessage.headers). */
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** Remote address of the TCP peer (for acs:SourceIp). */
  sourceIp: string;
  /** Server clock at receipt. */
  receivedAt: Date;
}

/** Build the LocalRequest of a Node request whose body has been read (the server and test harnesses). */
export function toLocalRequest(req: { method?: string | undefined; url?: string | undefined; headers: IncomingHttpHeaders; socket: { remoteAddress?: string | undefined } }, body: Buffer, receivedAt: Date): LocalRequest {
  const target = req.url ?? '/';
  const q = target.indexOf('?');
  return {
    method: req.method ?? 'GET',
    target,
    path: q < 0 ? target : target.slice(0, q),
    rawQuery: q < 0 ? '' : target.slice(q + 1),
    headers: req.headers,
    body,
    sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
    receivedAt,
  };
}

export interface LocalResponse {
  status: number;
  headers?: Record<string, string>;
  body?: Buffer | string;
}

export interface LocalService {
  readonly name: string;
  /** True if this service answers the request (routing is by path prefix / headers). */
  matches(req: LocalRequest): boolean;
  /** Must not throw for client mistakes: render the cloud's own error format instead. */
  handle(req: LocalRequest): Promise<LocalResponse>;
  /** Called on shutdown (stop timers, pollers). */
  close?(): Promise<void>;
  /** Called by `POST /_local/reset` (and `server.reset()`): forget all state. */
  reset?(): Promise<void>;
}

/** Who is calling, once an access key (and STS token, if any) has been resolved. */
export interface Principal {
  accountId: string;
  /** `acs:ram::<uid>:root`, `acs:ram::<uid>:user/<name>`, or `acs:ram::<uid>:assumed-role/<role>/<session>`. */
  arn: string;
  kind: 'root' | 'user' | 'assumed-role';
  /** RAM user name, or role name for an assumed role. */
  name?: string;
  sessionName?: string;
  principalId: string;
  accessKeyId: string;
}

/** Result of resolving an access key for signature verification. */
export type KeyLookup =
  | { ok: true; secret: string; principal: Principal }
  | { ok: false; code: 'InvalidAccessKeyId.NotFound' | 'InvalidAccessKeyId.Inactive' | 'InvalidSecurityToken.Expired' | 'InvalidSecurityToken.MismatchWithAccessKey' | 'InvalidSecurityToken.Malformed' | 'MissingSecurityToken'; message: string };

export interface AuthzContext {
  sourceIp: string;
  currentTime: Date;
  /** Extra condition keys (e.g. `sts:ExternalId`). */
  extra?: Record<string, string | string[]>;
}

/** Implemented by local/access; used by every local service. */
export interface IdentityProvider {
  /** Resolve an access key ID (and STS security token, required iff the key starts with `STS.`). */
  lookupKey(accessKeyId: string, securityToken: string | undefined, now: Date): KeyLookup;
  /**
   * Is `principal` allowed `action` on `resource`? Account roots may do anything in their own
   * account; users by their attached (and group) policies; assumed roles by the role's policies
   * intersected with the session policy. Cross-account resources are always denied.
   */
  isAllowed(principal: Principal, action: string, resource: string, context: AuthzContext): boolean;
}

export interface AuthorizeOptions {
  /** The resources may belong to another account (sts:AssumeRole); otherwise such a resource is denied. */
  crossAccount?: boolean;
}

/** Implemented by local/access: the check behind the services' authorization tables. */
export interface ActionAuthorizer {
  /** Is `principal` allowed `action` on EVERY one of `resources` (RAM checks each resource an action names)? */
  allowsAll(principal: Principal, action: string, resources: readonly string[], context: AuthzContext, options?: AuthorizeOptions): boolean;
}

/** Temporary credentials as STS issues them. */
export interface IssuedCredentials {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken: string;
  /** `YYYY-MM-DDTHH:mm:ssZ` */
  expiration: string;
}

/** Implemented by local/sts: lets the local FC runtime act as the FC service principal. */
export interface ServiceRoleIssuer {
  /**
   * Assume `roleArn` on behalf of a cloud service (e.g. `fc.aliyuncs.com`), as FC does for a
   * function's execution role. The role's trust policy must allow `{"Service": [service]}`.
   * Throws if the role does not exist or does not trust the service.
   */
  assumeRoleAsService(roleArn: string, service: string, sessionName: string, durationSeconds: number): IssuedCredentials;
}

/**
 * Authorization tables of the POP services: for each API action, the RAM action and the list of
 * resource ARNs RAM checks, as each API reference's "RAM authorization" (授权信息) table lists
 * them. The handler decides WHEN to authorize (after its own parameter checks, as the cloud
 * does); the table decides WHAT. The RpcService refuses to start if an action has no entry, and
 * answers InternalError if a handler finished without authorizing, so no action can skip it.
 */
import type { Principal } from './contract';

/** What a rule sees of the request. */
export interface AuthorizationRequest {
  /** The caller's account (resources are named in it). */
  readonly accountId: string;
  readonly principal: Principal;
  /** A parameter as sent, or undefined. */
  param(name: string): string | undefined;
  /** A required parameter; throws `Missing<Name>` (400) if absent or empty. */
  required(name: string): string;
}

export interface ActionRule {
  /** `<ramCode>:<Action>`, e.g. `ram:AttachPolicyToRole`. */
  readonly action: string;
  /** Every resource RAM checks; each must be allowed. `*` means "all resources". */
  resources(req: AuthorizationRequest): string[];
  /** The resources may belong to another account (sts:AssumeRole). */
  readonly crossAccount?: true;
  /** Where the table row comes from (API reference URL), and any caveat. */
  readonly source: string;
}

/** An action RAM does not authorize (any authenticated caller may call it). */
interface NoAuthorization {
  readonly none: true;
  readonly source: string;
}

export type AuthorizationTable = Readonly<Record<string, ActionRule | NoAuthorization>>;

export function requiresAuthorization(rule: ActionRule | NoAuthorization): rule is ActionRule {
  return !('none' in rule);
}

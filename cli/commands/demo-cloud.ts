/**
 * The cloud calls the demo makes as the tutorial's people (not as Crossrole): B's admin managing
 * Bob's policies with the RAM SDK, and Bob reading A's ECS instances with the ECS SDK.
 */
import Ecs, * as $Ecs from '@alicloud/ecs20140526';
import Ram, * as $Ram from '@alicloud/ram20150501';
import { describeCloudFailure, popConfig, type CloudCredentials } from '../../shared/cloud';
import type { PopEndpoint } from '../api';

interface CallOutcome<T> {
  ok: boolean;
  value?: T;
  /** The service's error code when refused, e.g. Forbidden.RAM, NoPermission. */
  code?: string;
  message?: string;
}

/** Run a call that may be refused; refusals are data here, not failures. */
export async function attempt<T>(call: () => Promise<T>): Promise<CallOutcome<T>> {
  try {
    return { ok: true, value: await call() };
  } catch (e) {
    const cloudCode = typeof e === 'object' && e !== null && 'details' in e ? (e as { details?: Record<string, unknown> }).details?.['cloudCode'] : undefined;
    const f = describeCloudFailure(e);
    const code = typeof cloudCode === 'string' ? cloudCode : f.code ?? (typeof e === 'object' && e !== null && 'code' in e ? String((e as { code: unknown }).code) : 'ERROR');
    return { ok: false, code, message: f.message };
  }
}

export async function listInstances(endpoint: PopEndpoint, region: string, credentials: CloudCredentials): Promise<string[]> {
  const ecs = new Ecs(Object.assign(popConfig({ endpoint: endpoint.host, protocol: endpoint.protocol, credentials }), { regionId: region }));
  const r = await ecs.describeInstances(new $Ecs.DescribeInstancesRequest({ regionId: region }));
  return (r.body?.instances?.instance ?? []).map((i) => i.instanceId ?? '?');
}

export interface PartnerAdmin {
  /** Create the custom policy (if new) and attach it to the user. */
  grantUser(policyName: string, document: string, userName: string): Promise<void>;
  /** Detach and delete; missing is fine. */
  removeFromUser(policyName: string, userName: string): Promise<void>;
  /** The user's custom policies whose names start with `prefix`. */
  userPolicies(userName: string, prefix: string): Promise<string[]>;
}

export function partnerAdmin(endpoint: PopEndpoint, credentials: CloudCredentials): PartnerAdmin {
  const ram = new Ram(popConfig({ endpoint: endpoint.host, protocol: endpoint.protocol, credentials }));
  return {
    async grantUser(policyName, document, userName) {
      const created = await attempt(() => ram.createPolicy(new $Ram.CreatePolicyRequest({ policyName, policyDocument: document, description: 'Lets the user assume one Crossrole grant in the owner account' })));
      if (!created.ok && created.code !== 'EntityAlreadyExists.Policy') throw new Error(`CreatePolicy ${policyName} failed: ${created.code}: ${created.message}`);
      const attached = await attempt(() => ram.attachPolicyToUser(new $Ram.AttachPolicyToUserRequest({ policyType: 'Custom', policyName, userName })));
      if (!attached.ok && attached.code !== 'EntityAlreadyExists.User.Policy') throw new Error(`AttachPolicyToUser ${policyName} failed: ${attached.code}: ${attached.message}`);
    },
    async removeFromUser(policyName, userName) {
      await attempt(() => ram.detachPolicyFromUser(new $Ram.DetachPolicyFromUserRequest({ policyType: 'Custom', policyName, userName })));
      await attempt(() => ram.deletePolicy(new $Ram.DeletePolicyRequest({ policyName })));
    },
    async userPolicies(userName, prefix) {
      const r = await ram.listPoliciesForUser(new $Ram.ListPoliciesForUserRequest({ userName }));
      return (r.body?.policies?.policy ?? []).filter((p) => p.policyType === 'Custom' && (p.policyName ?? '').startsWith(prefix)).map((p) => p.policyName ?? '');
    },
  };
}

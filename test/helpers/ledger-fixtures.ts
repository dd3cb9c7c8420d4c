/** Builders for ledger tests: valid AccessRequests with unique ids and partner accounts. */
import { randomInt, randomUUID } from 'node:crypto';
import type { AccessRequest } from '../../shared/domain/access-request';
import { RevokeMode, defaultRoleName, guardPolicyName } from '../../shared/domain/access-request';
import { Status } from '../../shared/domain/state-machine';

export function randomAccountId(): string {
  let s = String(randomInt(1, 10));
  while (s.length < 16) s += String(randomInt(0, 10));
  return s;
}

/** A PENDING request with only the required fields, created at `at`. */
export function minimalRequest(overrides: Partial<AccessRequest> = {}, at = '2026-01-01T00:00:00.000Z'): AccessRequest {
  const id = overrides.id ?? randomUUID();
  const partner = overrides.partnerAccountId ?? randomAccountId();
  return {
    id,
    version: 1,
    status: Status.PENDING,
    partnerAccountId: partner,
    requesterArn: `acs:ram::${partner}:user/alice`,
    profile: 'readonly',
    durationSeconds: 3600,
    reason: 'investigate incident 42',
    roleName: defaultRoleName(id),
    principals: [`acs:ram::${partner}:root`],
    externalId: randomUUID(),
    createdAt: at,
    updatedAt: at,
    ...overrides,
  };
}

/** A request with every optional field set (for round-trip tests). */
export function fullRequest(overrides: Partial<AccessRequest> = {}): AccessRequest {
  const base = minimalRequest(overrides);
  return {
    ...base,
    status: Status.APPROVED,
    principals: [`acs:ram::${base.partnerAccountId}:user/alice`, `acs:ram::${base.partnerAccountId}:role/ops`],
    expiresAt: '2026-01-01T01:00:00.123Z',
    decidedBy: 'acs:ram::1234567890123456:user/approver',
    decisionReason: "auto-approved profile 'readonly'",
    revokeMode: RevokeMode.DELETE,
    lastError: 'Throttling.User: slow down',
    ticket: 'CHG-1234',
    breakGlass: { reviewDueAt: '2026-01-02T00:00:00.000Z' },
    grant: {
      roleName: base.roleName,
      roleArn: `acs:ram::1234567890123456:role/${base.roleName}`,
      externalId: base.externalId,
      guardPolicyName: guardPolicyName(base.id),
      partnerPolicy: JSON.stringify({ Version: '1', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }] }),
      switchRole: { accountId: '1234567890123456', roleName: base.roleName, url: 'https://signin.aliyun.com/switchRole.htm' },
    },
    ...overrides,
  };
}

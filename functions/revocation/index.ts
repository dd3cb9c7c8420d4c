/** crossrole-revocation (MNS crossrole-revoke): trust-mode or delete-mode revocation, and expiry. */
import { revokeGrant } from '../../shared/workflow';
import { queueFunction } from '../../shared/runtime/function-handlers';
import { createRamAdapter } from '../../shared/cloud/ram-adapter';

export const handler = queueFunction(revokeGrant, createRamAdapter);

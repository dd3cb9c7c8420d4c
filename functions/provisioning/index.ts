/** crossrole-provisioning (MNS crossrole-provision): creates the grant of an approved request. */
import { provisionGrant } from '../../shared/workflow';
import { queueFunction } from '../../shared/runtime/function-handlers';
import { createRamAdapter } from '../../shared/cloud/ram-adapter';

export const handler = queueFunction(provisionGrant, createRamAdapter);

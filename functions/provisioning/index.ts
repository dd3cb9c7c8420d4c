/** crossrole-provisioning (MNS crossrole-provision): creates the grant of an approved request. */
import { provisionGrant } from '../../shared/workflow';
import { queueFunction } from '../../shared/runtime/function-handlers';

export const handler = queueFunction((deps, body) => provisionGrant(deps, body));

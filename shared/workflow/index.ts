/**
 * The workflow's entry points: one function per use case, with the types needed to call it.
 * Everything else (use-cases/*, support/*) is internal; ESLint refuses imports of it from outside
 * shared/workflow (eslint.config.mjs), tests excepted.
 */
export { submitRequest } from './use-cases/submit';
export { approveRequest, cancelRequest, rejectRequest, requestRevocationWithMode, retryFailed } from './use-cases/decide';
export { approveExtension, rejectExtension, requestExtension, shortenGrant } from './use-cases/extend';
export { reconcileRequest } from './use-cases/reconcile';
export { getRequest, listProfiles, listRequests, overdueBreakGlassReviews } from './use-cases/queries';
export { reviewGrant } from './use-cases/review';
export { exportAudit } from './use-cases/audit';
export { provisionGrant } from './use-cases/provision';
export { revokeGrant } from './use-cases/revoke';
export { runExpiryScan } from './use-cases/scan';
export { deliverNotifications, type NotifyDeps } from './use-cases/notify';
export type { Outcome, WorkflowDeps } from './support/deps';

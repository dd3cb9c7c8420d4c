/**
 * Names of the deployment's own RAM resources: the execution role the functions run as (s.yaml
 * `role:`) and its permission policy, both created by `crossrole bootstrap`. The local cloud seeds
 * its world from s.yaml and keeps its own copy (local/world.ts): a witness does not share ours.
 */
export const EXEC_ROLE_NAME = 'crossrole-fc-exec';
export const EXEC_POLICY_NAME = 'crossrole-fc-exec-policy';

/**
 * The catalog's file in each function's code package, next to its bundle: `npm run build` writes
 * it (validated), the functions read it at cold start from FC_FUNC_CODE_PATH. The catalog does not
 * travel in an environment variable: FC allows 4 KB for all of a function's variables together.
 */
export const CATALOG_FILE_NAME = 'catalog.json';

/**
 * The approvers' permission policy (`crossrole bootstrap` creates it and attaches it to each
 * approver of the catalog): the inbox's MNS calls on the approvals queue, nothing else.
 */
export const APPROVER_POLICY_NAME = 'crossrole-approvers';

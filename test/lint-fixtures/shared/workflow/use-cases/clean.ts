// A use case as it should be: domain, policy and the workflow's own support.
import { errorMessage } from '../../domain/errors';
import { buildTrustPolicy } from '../../policy';
import type { WorkflowDeps } from '../support/deps';
import { sendFor } from '../support/messages';

export const parts = { errorMessage, buildTrustPolicy, sendFor };
export type Deps = WorkflowDeps;

// The runtime as it should be: the workflow's entry points, through the barrel.
import { provisionGrant, type Outcome } from '../workflow';

export const provision = provisionGrant;
export type Result = Outcome;

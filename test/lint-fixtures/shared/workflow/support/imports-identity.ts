// Callers arrive verified (a CallerIdentity); verifying proofs is the edge's job.
import { createIdentityVerifier } from '../../identity/verify';

export const verifier = createIdentityVerifier;

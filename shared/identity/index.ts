export { buildIdentityProof, buildIdentityRequest, type IdentityProofInput } from './proof';
export { createIdentityVerifier, type IdentityVerifierOptions } from './verify';
export { IDENTITY_HEADER, DEFAULT_MAX_PROOF_BYTES, encodeProof, type IdentityProofEnvelope } from './proof-format';

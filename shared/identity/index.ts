/**
 * shared/identity: identity proofs, a signed but unsent STS GetCallerIdentity request in
 * `X-Crossrole-Identity`: built by the CLI (proof.ts), checked and replayed by the HTTP edge
 * (verify.ts). Imports shared/domain, the POP config and credentials of shared/cloud, and
 * @alicloud/openapi-core. Imported by shared/runtime and cli/; never by the workflow, whose callers
 * arrive already verified, nor by the local cloud's services.
 */
export { buildIdentityProof } from './proof';
export { IDENTITY_HEADER } from './proof-format';

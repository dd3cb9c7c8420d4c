/**
 * Access control of the local cloud: authentication (access keys and STS tokens to principals) and
 * authorization as RAM decides them (access-control.ts), with every policy parse and evaluation
 * behind engine.ts, the one door to the local cloud's own engine (./policy; RAM and STS parse
 * documents through it too). Imports local/core and the RAM and STS stores. Imported by local/server.ts, which hands it to every service as their
 * IdentityProvider and ActionAuthorizer. Never imports the product's shared/policy (eslint.config.mjs).
 */
export { AccessControl } from './access-control';

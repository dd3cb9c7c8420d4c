/**
 * shared/domain: the request/grant entity, the one state machine, the catalog schema, typed error
 * codes, the ports the workflow needs, the queue message schema, the HTTP API's types, partner
 * roles and role-name reservation. Pure: it imports zod and nothing else outside itself (no SDK, no
 * database driver, no network or file I/O, no other layer; eslint.config.mjs). Everything may
 * import it, the local cloud included.
 */
export * from './errors';
export * from './state-machine';
export * from './access-request';
export * from './duration';
export * from './identifiers';
export * from './catalog';
export * from './ports';
export * from './policy-names';
export * from './queue-config';
export * from './validation';
export * from './messages';
export * from './api';
export * from './deployment';
export * from './intake';
export * from './partner-roles';
export * from './role-names';
export * from './timing';
export * from './concurrency';

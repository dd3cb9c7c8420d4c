/** Access control of the local cloud: authentication and authorization as RAM decides them. */
export { AccessControl } from './access-control';
export { lookupKey, sessionPrincipal } from './authenticate';

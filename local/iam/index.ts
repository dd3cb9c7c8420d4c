/** The shared RAM+STS identity state of the local cloud. */
export * from './local-iam';
export type * from './models';
export { SYSTEM_POLICIES, findSystemPolicy } from './system-policies';

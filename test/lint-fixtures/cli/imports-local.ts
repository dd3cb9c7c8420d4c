import type { LocalContract } from '../local/stack';

export type Contract = LocalContract;

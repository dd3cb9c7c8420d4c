import { startLocalCloud } from '../../local/server';

export const start = startLocalCloud;

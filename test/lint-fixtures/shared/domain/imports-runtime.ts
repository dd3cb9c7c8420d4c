import { getConfig } from '../runtime/config';

export const config = getConfig;

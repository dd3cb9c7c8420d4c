import { handler as other } from '../b/index';

export const handler = other;

import { handler as other } from '../../functions/b/index';

export const handler = other;

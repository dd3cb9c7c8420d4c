import { handler } from '../../functions/intake/index';

export const h = handler;

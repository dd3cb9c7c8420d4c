import { x } from '../../local/x';

export const value = x;

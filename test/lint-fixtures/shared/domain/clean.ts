// A domain module as it should be: zod and sibling domain modules only.
import { z } from 'zod';
import { ValidationError } from './errors';

export const name = z.string().min(1);
export const error = ValidationError;

// Clean: the local cloud's own modules only.
import { ServiceError } from '../core/errors';

export const error = ServiceError;

// support/ sits below the use cases: it never reaches up into one.
import { provisionApproved } from '../use-cases/provision';

export const provision = provisionApproved;

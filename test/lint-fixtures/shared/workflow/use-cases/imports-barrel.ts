// The barrel re-exports every use case: importing it from a use case is importing them all.
import { submitRequest } from '..';

export const submit = submitRequest;

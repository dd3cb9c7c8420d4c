// A function calls one use case, through the workflow's barrel.
import { provisionGrant } from '../../shared/workflow/use-cases/provision';

export const handler = provisionGrant;

// The CLI is one more driving adapter: the workflow's barrel or shared/domain, never its internals.
import { queueOf } from '../shared/workflow/support/messages';

export const queue = queueOf;

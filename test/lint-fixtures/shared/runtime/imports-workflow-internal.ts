// The runtime reaches the workflow through its barrel only.
import { sendFor } from '../workflow/support/messages';

export const send = sendFor;

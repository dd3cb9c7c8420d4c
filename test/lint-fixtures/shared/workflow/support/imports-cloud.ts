// The workflow talks to RAM through the RamPort, never to the adapter.
import { createRamAdapter } from '../../cloud/ram-adapter';

export const ram = createRamAdapter;

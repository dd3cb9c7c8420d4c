// Config and wiring are the runtime's: the workflow gets them as dependencies.
import { getConfig } from '../../runtime/config';

export const config = getConfig;

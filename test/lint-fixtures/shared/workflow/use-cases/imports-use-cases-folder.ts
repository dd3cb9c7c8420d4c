// The same coupling, spelled through the folder.
import { startExpiry } from '../use-cases/revoke';

export const expire = startExpiry;

// The workflow uses the RequestRepository port, never the SQL ledger.
import { openLedger } from '../../ledger';

export const open = openLedger;

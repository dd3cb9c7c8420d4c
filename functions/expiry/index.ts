/**
 * crossrole-expiry (timer, every minute): expires due grants, re-sends stuck work, lapses stale
 * requests, sweeps RAM for managed roles the ledger lost, and turns dead letters into FAILED.
 */
import { runExpiryScan } from '../../shared/workflow';
import { timerFunction } from '../../shared/runtime/function-handlers';
import { createRamAdapter } from '../../shared/cloud/ram-adapter';

export const handler = timerFunction((deps) => runExpiryScan(deps), createRamAdapter);

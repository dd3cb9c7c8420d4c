/**
 * crossrole-expiry (timer, every minute): expires due grants, re-sends stuck work, lapses stale
 * requests, reconciles every managed role with the ledger, and turns dead letters into FAILED.
 * The dead letters are unwrapped here, at the edge: the scan sees workflow messages only.
 */
import { runExpiryScan } from '../../shared/workflow';
import { timerFunction } from '../../shared/runtime/function-handlers';
import { deadLetterInbox } from '../../shared/runtime/queue/dead-letters';
import { createRamAdapter } from '../../shared/cloud/ram-adapter';

export const handler = timerFunction((deps) => runExpiryScan({ ...deps, deadLetters: deadLetterInbox(deps.queue) }), createRamAdapter);

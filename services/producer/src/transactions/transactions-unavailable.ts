// Prepare/Commit/Rollback until transactional half-events land (issue 6 item 4): a clear 20005 answer
// instead of UNIMPLEMENTED, so EvHub clients read it in `ret` like any other failure.
import { ResultCode } from '@eventyard/core';

export const TRANSACTIONS_UNAVAILABLE_MSG = 'transactions are not available yet';

export interface TxAnswer {
  ret: { code: number; msg: string };
  tx: { event_id: string; status: number };
}

/** The answer to Prepare (no event id: nothing was stored), Commit and Rollback (echoing the id). */
export function transactionsUnavailable(eventId = ''): TxAnswer {
  return { ret: { code: ResultCode.SYSTEM_ERROR, msg: TRANSACTIONS_UNAVAILABLE_MSG }, tx: { event_id: eventId, status: 0 } };
}

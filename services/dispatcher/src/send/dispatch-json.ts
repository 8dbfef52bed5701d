// The JSON body `httpSend` POSTs: a `DispatchReq` in EvHub's Go-struct JSON form (@eventyard/evhub's
// messageToJson), so an EvHub HTTP consumer decodes it unchanged. Unlike Go's `omitempty` we always write
// the five top-level fields and zero values (a Go decoder does not mind, and other consumers need not
// guess); absent nested messages are left out.
import { messageToJson } from '@eventyard/evhub';
import type { Event__Output } from '@eventyard/proto';

/** A DispatchReq as the dispatcher builds it. */
export interface DispatchRequest {
  event_id: string;
  event: Event__Output | null;
  retry_times: number;
  repeat_times: number;
  pass_back: Buffer;
}

export function dispatchReqJson(req: DispatchRequest): string {
  const json = messageToJson('evhub_processor.DispatchReq', req, { emitZeroValues: true });
  return JSON.stringify({ ...json, event: json.event ?? null });
}

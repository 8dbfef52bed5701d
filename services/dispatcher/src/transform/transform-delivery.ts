// The hook between a delivery and its processor's transform: the DispatchReq whose `event.data` is the
// transform's result (and the webhook headers it set), or the failed outcome to record. A transform
// failure is deterministic (the same event fails the same way every time), so its outcome is final: the
// delivery runner dead-letters it with the reason at once instead of burning its retries.
import { isEventyardError } from '@eventyard/core';
import { EvhubErrors, runTransform } from '@eventyard/evhub';
import type { DeliveryTask__Output } from '@eventyard/proto';
import type { AttemptOutcome } from '../outcome/index.ts';
import type { DispatchRequest } from '../send/dispatch-json.ts';
import type { ProcessorTransform } from './processor-transform.ts';

export type TransformedDelivery =
  | { readonly ok: true; readonly req: DispatchRequest; readonly headers: Readonly<Record<string, string>> }
  | { readonly ok: false; readonly outcome: AttemptOutcome };

/** The request to send for `task` (unchanged without a transform), or the final failed outcome. */
export async function transformDelivery(transform: ProcessorTransform | null, task: DeliveryTask__Output, dispatcherId: string): Promise<TransformedDelivery> {
  const req: DispatchRequest = {
    event_id: task.event_id,
    event: task.event,
    retry_times: task.retry_times,
    repeat_times: task.repeat_times,
    pass_back: task.pass_back,
  };
  if (transform === null) return { ok: true, req, headers: {} };
  if (transform.kind === 'invalid') return failed(transform.code, transform.message);
  const event = task.event;
  try {
    const out = await runTransform(
      transform.compiled,
      event?.data ?? Buffer.alloc(0),
      {
        event_id: task.event_id,
        app_id: event?.app_id ?? '',
        topic_id: event?.topic_id ?? '',
        tags: event?.event_comm?.event_tag?.tag_list ?? [],
        source: event?.event_comm?.event_source?.source ?? '',
        dispatcher_id: dispatcherId,
        retry_times: task.retry_times,
        repeat_times: task.repeat_times,
      },
      { headers: transform.headers },
    );
    return { ok: true, req: { ...req, event: event === null ? null : { ...event, data: out.data } }, headers: out.headers };
  } catch (err) {
    if (isEventyardError(err)) return failed(err.code, err.message);
    // runTransform codes its failures; anything else is still this event's failure, not the service's.
    return failed(EvhubErrors.EY_TRANSFORM_FAILED.code, `transform: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function failed(code: string, message: string): TransformedDelivery {
  return { ok: false, outcome: { outcome: 'failure', retriable: false, errorCode: code, errorMessage: message.slice(0, 1024) } };
}

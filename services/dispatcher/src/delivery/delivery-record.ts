// Reads one record of a delivery topic into the task to deliver: the protobuf `DeliveryTask`, checked
// for what a delivery cannot do without (event_id, event). A record that fails here is not retried
// (it would fail the same way): it is handed to the dead-letter topic as it was and skipped.
import { EventyardError } from '@eventyard/core';
import { decodeMessage, type DeliveryTask__Output } from '@eventyard/proto';

export const BAD_DELIVERY_RECORD = 'EY_DISPATCH_BAD_RECORD';

export function decodeDeliveryTask(value: Buffer | null, dispatcherId: string): DeliveryTask__Output {
  if (value === null || value.length === 0) throw bad('empty record value');
  let task: DeliveryTask__Output;
  try {
    task = decodeMessage('eventyard.v1.DeliveryTask', value);
  } catch (err) {
    throw bad(err instanceof Error ? err.message : String(err), err);
  }
  if (task.event_id === '') throw bad('event_id is empty');
  if (task.event === null) throw bad('event is missing');
  // The topic names the processor; a task written with another (or no) dispatcher_id is still ours.
  return task.dispatcher_id === dispatcherId ? task : { ...task, dispatcher_id: dispatcherId };
}

function bad(problem: string, cause?: unknown): EventyardError {
  return new EventyardError('protocol', BAD_DELIVERY_RECORD, `undecodable delivery record: ${problem}`, { retriable: false, cause });
}

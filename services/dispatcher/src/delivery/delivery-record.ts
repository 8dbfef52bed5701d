// Reads one record of a delivery topic into the task to deliver: the protobuf `DeliveryTask`, checked
// for what a delivery cannot do without (event_id, event). The event_id must be what the producer's
// ids are, a non-negative 64-bit integer: the history's bigint columns refuse anything else, so such a
// task could never have its attempt recorded. A record that fails here is not retried
// (it would fail the same way): it is handed to the dead-letter topic as it was and skipped.
import { EventyardError } from '@eventyard/core';
import { decodeMessage, type DeliveryTask__Output } from '@eventyard/proto';
import { DispatcherErrors } from '../error-codes.ts';

const EVENT_ID = /^[0-9]{1,19}$/;
const INT64_MAX = 2n ** 63n - 1n;

export function decodeDeliveryTask(value: Buffer | null, dispatcherId: string): DeliveryTask__Output {
  if (value === null || value.length === 0) throw bad('empty record value');
  let task: DeliveryTask__Output;
  try {
    task = decodeMessage('eventyard.v1.DeliveryTask', value);
  } catch (err) {
    throw bad(err instanceof Error ? err.message : String(err), err);
  }
  if (task.event_id === '') throw bad('event_id is empty');
  if (!EVENT_ID.test(task.event_id) || BigInt(task.event_id) > INT64_MAX)
    throw bad(`event_id ${JSON.stringify(task.event_id.slice(0, 40))} is not a 64-bit event id`);
  if (task.event === null) throw bad('event is missing');
  // The topic names the processor; a task written with another (or no) dispatcher_id is still ours.
  return task.dispatcher_id === dispatcherId ? task : { ...task, dispatcher_id: dispatcherId };
}

function bad(problem: string, cause?: unknown): EventyardError {
  return new EventyardError(DispatcherErrors.EY_DISPATCH_BAD_RECORD, `undecodable delivery record: ${problem}`, { cause });
}

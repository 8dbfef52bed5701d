// Original file: processor/processor.proto

import type { Event as _evhub_comm_Event, Event__Output as _evhub_comm_Event__Output } from '../evhub_comm/Event.ts';

export interface DispatchReq {
  'event_id'?: (string);
  'event'?: (_evhub_comm_Event | null);
  'retry_times'?: (number);
  'repeat_times'?: (number);
  'pass_back'?: (Buffer | Uint8Array | string);
}

export interface DispatchReq__Output {
  'event_id': (string);
  'event': (_evhub_comm_Event__Output | null);
  'retry_times': (number);
  'repeat_times': (number);
  'pass_back': (Buffer);
}

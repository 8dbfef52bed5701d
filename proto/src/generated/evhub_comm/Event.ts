// Original file: comm/comm.proto

import type { EventComm as _evhub_comm_EventComm, EventComm__Output as _evhub_comm_EventComm__Output } from '../evhub_comm/EventComm.ts';

export interface Event {
  'app_id'?: (string);
  'topic_id'?: (string);
  'event_comm'?: (_evhub_comm_EventComm | null);
  'data'?: (Buffer | Uint8Array | string);
}

export interface Event__Output {
  'app_id': (string);
  'topic_id': (string);
  'event_comm': (_evhub_comm_EventComm__Output | null);
  'data': (Buffer);
}

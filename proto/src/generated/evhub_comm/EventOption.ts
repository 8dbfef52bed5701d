// Original file: comm/comm.proto

import type { EventIdempotent as _evhub_comm_EventIdempotent, EventIdempotent__Output as _evhub_comm_EventIdempotent__Output } from '../evhub_comm/EventIdempotent.ts';

export interface EventOption {
  'idempotent'?: (_evhub_comm_EventIdempotent | null);
  'orderingKey'?: (string);
}

export interface EventOption__Output {
  'idempotent': (_evhub_comm_EventIdempotent__Output | null);
  'orderingKey': (string);
}

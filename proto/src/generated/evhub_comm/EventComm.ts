// Original file: comm/comm.proto

import type { EventSource as _evhub_comm_EventSource, EventSource__Output as _evhub_comm_EventSource__Output } from '../evhub_comm/EventSource.ts';
import type { EventTag as _evhub_comm_EventTag, EventTag__Output as _evhub_comm_EventTag__Output } from '../evhub_comm/EventTag.ts';

export interface EventComm {
  'event_source'?: (_evhub_comm_EventSource | null);
  'event_tag'?: (_evhub_comm_EventTag | null);
}

export interface EventComm__Output {
  'event_source': (_evhub_comm_EventSource__Output | null);
  'event_tag': (_evhub_comm_EventTag__Output | null);
}

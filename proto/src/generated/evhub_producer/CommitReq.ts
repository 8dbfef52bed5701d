// Original file: producer/producer.proto

import type { EventTrigger as _evhub_comm_EventTrigger, EventTrigger__Output as _evhub_comm_EventTrigger__Output } from '../evhub_comm/EventTrigger.ts';

export interface CommitReq {
  'event_id'?: (string);
  'trigger'?: (_evhub_comm_EventTrigger | null);
}

export interface CommitReq__Output {
  'event_id': (string);
  'trigger': (_evhub_comm_EventTrigger__Output | null);
}

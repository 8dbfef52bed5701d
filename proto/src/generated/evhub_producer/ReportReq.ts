// Original file: producer/producer.proto

import type { Event as _evhub_comm_Event, Event__Output as _evhub_comm_Event__Output } from '../evhub_comm/Event.ts';
import type { EventTrigger as _evhub_comm_EventTrigger, EventTrigger__Output as _evhub_comm_EventTrigger__Output } from '../evhub_comm/EventTrigger.ts';
import type { EventOption as _evhub_comm_EventOption, EventOption__Output as _evhub_comm_EventOption__Output } from '../evhub_comm/EventOption.ts';

export interface ReportReq {
  'event'?: (_evhub_comm_Event | null);
  'trigger'?: (_evhub_comm_EventTrigger | null);
  'option'?: (_evhub_comm_EventOption | null);
}

export interface ReportReq__Output {
  'event': (_evhub_comm_Event__Output | null);
  'trigger': (_evhub_comm_EventTrigger__Output | null);
  'option': (_evhub_comm_EventOption__Output | null);
}

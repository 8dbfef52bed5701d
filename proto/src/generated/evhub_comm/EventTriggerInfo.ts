// Original file: comm/comm.proto

import type { EventTrigger as _evhub_comm_EventTrigger, EventTrigger__Output as _evhub_comm_EventTrigger__Output } from '../evhub_comm/EventTrigger.ts';

export interface EventTriggerInfo {
  'trigger'?: (_evhub_comm_EventTrigger | null);
  'repeat_times'?: (number);
}

export interface EventTriggerInfo__Output {
  'trigger': (_evhub_comm_EventTrigger__Output | null);
  'repeat_times': (number);
}

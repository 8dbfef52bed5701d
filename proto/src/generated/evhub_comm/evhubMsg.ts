// Original file: comm/comm.proto

import type { EventStatus as _evhub_comm_EventStatus, EventStatus__Output as _evhub_comm_EventStatus__Output } from '../evhub_comm/EventStatus.ts';
import type { Event as _evhub_comm_Event, Event__Output as _evhub_comm_Event__Output } from '../evhub_comm/Event.ts';
import type { EventTriggerInfo as _evhub_comm_EventTriggerInfo, EventTriggerInfo__Output as _evhub_comm_EventTriggerInfo__Output } from '../evhub_comm/EventTriggerInfo.ts';
import type { EventDispatcherInfo as _evhub_comm_EventDispatcherInfo, EventDispatcherInfo__Output as _evhub_comm_EventDispatcherInfo__Output } from '../evhub_comm/EventDispatcherInfo.ts';

export interface evhubMsg {
  'event_id'?: (string);
  'status'?: (_evhub_comm_EventStatus);
  'event'?: (_evhub_comm_Event | null);
  'trigger_info'?: (_evhub_comm_EventTriggerInfo | null);
  'dispatcherInfo'?: (_evhub_comm_EventDispatcherInfo | null);
}

export interface evhubMsg__Output {
  'event_id': (string);
  'status': (_evhub_comm_EventStatus__Output);
  'event': (_evhub_comm_Event__Output | null);
  'trigger_info': (_evhub_comm_EventTriggerInfo__Output | null);
  'dispatcherInfo': (_evhub_comm_EventDispatcherInfo__Output | null);
}

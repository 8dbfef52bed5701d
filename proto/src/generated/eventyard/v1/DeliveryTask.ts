// Original file: eventyard/v1/envelope.proto

import type { Event as _evhub_comm_Event, Event__Output as _evhub_comm_Event__Output } from '../../evhub_comm/Event.ts';
import type { EventTrigger as _evhub_comm_EventTrigger, EventTrigger__Output as _evhub_comm_EventTrigger__Output } from '../../evhub_comm/EventTrigger.ts';
import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../google/protobuf/Timestamp.ts';

export interface DeliveryTask {
  'event_id'?: (string);
  'event'?: (_evhub_comm_Event | null);
  'trigger'?: (_evhub_comm_EventTrigger | null);
  'dispatcher_id'?: (string);
  'retry_times'?: (number);
  'repeat_times'?: (number);
  'pass_back'?: (Buffer | Uint8Array | string);
  'reported_at'?: (_google_protobuf_Timestamp | null);
  'scheduled_for'?: (_google_protobuf_Timestamp | null);
  'trigger_source'?: (string);
  'trace_parent'?: (string);
}

export interface DeliveryTask__Output {
  'event_id': (string);
  'event': (_evhub_comm_Event__Output | null);
  'trigger': (_evhub_comm_EventTrigger__Output | null);
  'dispatcher_id': (string);
  'retry_times': (number);
  'repeat_times': (number);
  'pass_back': (Buffer);
  'reported_at': (_google_protobuf_Timestamp__Output | null);
  'scheduled_for': (_google_protobuf_Timestamp__Output | null);
  'trigger_source': (string);
  'trace_parent': (string);
}

// Original file: eventyard/v1/envelope.proto

import type { Event as _evhub_comm_Event, Event__Output as _evhub_comm_Event__Output } from '../../evhub_comm/Event.ts';
import type { EventTrigger as _evhub_comm_EventTrigger, EventTrigger__Output as _evhub_comm_EventTrigger__Output } from '../../evhub_comm/EventTrigger.ts';
import type { EventOption as _evhub_comm_EventOption, EventOption__Output as _evhub_comm_EventOption__Output } from '../../evhub_comm/EventOption.ts';
import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../google/protobuf/Timestamp.ts';

export interface IngestEnvelope {
  'event_id'?: (string);
  'event'?: (_evhub_comm_Event | null);
  'trigger'?: (_evhub_comm_EventTrigger | null);
  'option'?: (_evhub_comm_EventOption | null);
  'reported_at'?: (_google_protobuf_Timestamp | null);
  'trace_parent'?: (string);
  'broadcast'?: (boolean);
  'repeat_times'?: (number);
  'api_key_id'?: (string);
}

export interface IngestEnvelope__Output {
  'event_id': (string);
  'event': (_evhub_comm_Event__Output | null);
  'trigger': (_evhub_comm_EventTrigger__Output | null);
  'option': (_evhub_comm_EventOption__Output | null);
  'reported_at': (_google_protobuf_Timestamp__Output | null);
  'trace_parent': (string);
  'broadcast': (boolean);
  'repeat_times': (number);
  'api_key_id': (string);
}

// Original file: eventyard/v1/envelope.proto

import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../google/protobuf/Timestamp.ts';

export interface ScheduleItem {
  'timer_id'?: (string);
  'due_at'?: (_google_protobuf_Timestamp | null);
  'target_topic'?: (string);
  'key'?: (Buffer | Uint8Array | string);
  'value'?: (Buffer | Uint8Array | string);
  'kind'?: (string);
}

export interface ScheduleItem__Output {
  'timer_id': (string);
  'due_at': (_google_protobuf_Timestamp__Output | null);
  'target_topic': (string);
  'key': (Buffer);
  'value': (Buffer);
  'kind': (string);
}

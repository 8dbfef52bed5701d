// Original file: comm/comm.proto

import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../google/protobuf/Timestamp.ts';

export interface RepeatEnd {
  'repeat_times'?: (number);
  'end_time'?: (_google_protobuf_Timestamp | null);
}

export interface RepeatEnd__Output {
  'repeat_times': (number);
  'end_time': (_google_protobuf_Timestamp__Output | null);
}

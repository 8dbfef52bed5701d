// Original file: comm/comm.proto

import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../google/protobuf/Timestamp.ts';

export interface EventSource {
  'source'?: (string);
  'qua'?: (string);
  'create_time'?: (_google_protobuf_Timestamp | null);
}

export interface EventSource__Output {
  'source': (string);
  'qua': (string);
  'create_time': (_google_protobuf_Timestamp__Output | null);
}

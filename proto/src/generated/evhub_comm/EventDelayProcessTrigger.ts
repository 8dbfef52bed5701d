// Original file: comm/comm.proto

import type { Duration as _google_protobuf_Duration, Duration__Output as _google_protobuf_Duration__Output } from '../google/protobuf/Duration.ts';

export interface EventDelayProcessTrigger {
  'key'?: (string);
  'delay_time'?: (_google_protobuf_Duration | null);
}

export interface EventDelayProcessTrigger__Output {
  'key': (string);
  'delay_time': (_google_protobuf_Duration__Output | null);
}

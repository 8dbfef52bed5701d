// Original file: comm/comm.proto

import type { Duration as _google_protobuf_Duration, Duration__Output as _google_protobuf_Duration__Output } from '../google/protobuf/Duration.ts';

export interface EventDelayTrigger {
  'delay_time'?: (_google_protobuf_Duration | null);
}

export interface EventDelayTrigger__Output {
  'delay_time': (_google_protobuf_Duration__Output | null);
}

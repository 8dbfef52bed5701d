// Original file: comm/comm.proto

import type { Duration as _google_protobuf_Duration, Duration__Output as _google_protobuf_Duration__Output } from '../google/protobuf/Duration.ts';

export interface RegularPulser {
  'interval'?: (_google_protobuf_Duration | null);
}

export interface RegularPulser__Output {
  'interval': (_google_protobuf_Duration__Output | null);
}

// Original file: comm/comm.proto

import type { ProtocolType as _evhub_comm_ProtocolType, ProtocolType__Output as _evhub_comm_ProtocolType__Output } from '../evhub_comm/ProtocolType.ts';
import type { Duration as _google_protobuf_Duration, Duration__Output as _google_protobuf_Duration__Output } from '../google/protobuf/Duration.ts';

export interface Endpoint {
  'protocol_type'?: (_evhub_comm_ProtocolType);
  'address'?: (string);
  'timeout'?: (_google_protobuf_Duration | null);
}

export interface Endpoint__Output {
  'protocol_type': (_evhub_comm_ProtocolType__Output);
  'address': (string);
  'timeout': (_google_protobuf_Duration__Output | null);
}

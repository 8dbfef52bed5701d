// Original file: comm/comm.proto

import type { Endpoint as _evhub_comm_Endpoint, Endpoint__Output as _evhub_comm_Endpoint__Output } from '../evhub_comm/Endpoint.ts';
import type { Duration as _google_protobuf_Duration, Duration__Output as _google_protobuf_Duration__Output } from '../google/protobuf/Duration.ts';

export interface TxCallback {
  'Endpoint'?: (_evhub_comm_Endpoint | null);
  'callback_interval'?: (_google_protobuf_Duration | null);
}

export interface TxCallback__Output {
  'Endpoint': (_evhub_comm_Endpoint__Output | null);
  'callback_interval': (_google_protobuf_Duration__Output | null);
}

// Original file: producer/producer.proto

import type { Event as _evhub_comm_Event, Event__Output as _evhub_comm_Event__Output } from '../evhub_comm/Event.ts';
import type { TxCallback as _evhub_comm_TxCallback, TxCallback__Output as _evhub_comm_TxCallback__Output } from '../evhub_comm/TxCallback.ts';

export interface PrepareReq {
  'event'?: (_evhub_comm_Event | null);
  'tx_callback'?: (_evhub_comm_TxCallback | null);
}

export interface PrepareReq__Output {
  'event': (_evhub_comm_Event__Output | null);
  'tx_callback': (_evhub_comm_TxCallback__Output | null);
}

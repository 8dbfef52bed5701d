// Original file: comm/comm.proto

import type { TxStatus as _evhub_comm_TxStatus, TxStatus__Output as _evhub_comm_TxStatus__Output } from '../evhub_comm/TxStatus.ts';

export interface Tx {
  'event_id'?: (string);
  'status'?: (_evhub_comm_TxStatus);
}

export interface Tx__Output {
  'event_id': (string);
  'status': (_evhub_comm_TxStatus__Output);
}

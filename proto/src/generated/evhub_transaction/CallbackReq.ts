// Original file: transaction/transaction.proto

import type { Event as _evhub_comm_Event, Event__Output as _evhub_comm_Event__Output } from '../evhub_comm/Event.ts';
import type { Tx as _evhub_comm_Tx, Tx__Output as _evhub_comm_Tx__Output } from '../evhub_comm/Tx.ts';

export interface CallbackReq {
  'event'?: (_evhub_comm_Event | null);
  'tx'?: (_evhub_comm_Tx | null);
}

export interface CallbackReq__Output {
  'event': (_evhub_comm_Event__Output | null);
  'tx': (_evhub_comm_Tx__Output | null);
}

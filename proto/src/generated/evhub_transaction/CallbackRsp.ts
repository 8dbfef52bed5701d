// Original file: transaction/transaction.proto

import type { Result as _evhub_comm_Result, Result__Output as _evhub_comm_Result__Output } from '../evhub_comm/Result.ts';
import type { TxStatus as _evhub_comm_TxStatus, TxStatus__Output as _evhub_comm_TxStatus__Output } from '../evhub_comm/TxStatus.ts';
import type { EventTrigger as _evhub_comm_EventTrigger, EventTrigger__Output as _evhub_comm_EventTrigger__Output } from '../evhub_comm/EventTrigger.ts';

export interface CallbackRsp {
  'ret'?: (_evhub_comm_Result | null);
  'tx_status'?: (_evhub_comm_TxStatus);
  'trigger'?: (_evhub_comm_EventTrigger | null);
}

export interface CallbackRsp__Output {
  'ret': (_evhub_comm_Result__Output | null);
  'tx_status': (_evhub_comm_TxStatus__Output);
  'trigger': (_evhub_comm_EventTrigger__Output | null);
}

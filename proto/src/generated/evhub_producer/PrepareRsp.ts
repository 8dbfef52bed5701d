// Original file: producer/producer.proto

import type { Result as _evhub_comm_Result, Result__Output as _evhub_comm_Result__Output } from '../evhub_comm/Result.ts';
import type { Tx as _evhub_comm_Tx, Tx__Output as _evhub_comm_Tx__Output } from '../evhub_comm/Tx.ts';

export interface PrepareRsp {
  'ret'?: (_evhub_comm_Result | null);
  'tx'?: (_evhub_comm_Tx | null);
}

export interface PrepareRsp__Output {
  'ret': (_evhub_comm_Result__Output | null);
  'tx': (_evhub_comm_Tx__Output | null);
}

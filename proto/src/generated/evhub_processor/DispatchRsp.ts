// Original file: processor/processor.proto

import type { Result as _evhub_comm_Result, Result__Output as _evhub_comm_Result__Output } from '../evhub_comm/Result.ts';

export interface DispatchRsp {
  'ret'?: (_evhub_comm_Result | null);
  'pass_back'?: (Buffer | Uint8Array | string);
}

export interface DispatchRsp__Output {
  'ret': (_evhub_comm_Result__Output | null);
  'pass_back': (Buffer);
}

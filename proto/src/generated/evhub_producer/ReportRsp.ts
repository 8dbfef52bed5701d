// Original file: producer/producer.proto

import type { Result as _evhub_comm_Result, Result__Output as _evhub_comm_Result__Output } from '../evhub_comm/Result.ts';

export interface ReportRsp {
  'ret'?: (_evhub_comm_Result | null);
  'event_id'?: (string);
}

export interface ReportRsp__Output {
  'ret': (_evhub_comm_Result__Output | null);
  'event_id': (string);
}

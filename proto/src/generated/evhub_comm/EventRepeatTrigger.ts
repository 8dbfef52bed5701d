// Original file: comm/comm.proto

import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../google/protobuf/Timestamp.ts';
import type { EventRepeatEndType as _evhub_comm_EventRepeatEndType, EventRepeatEndType__Output as _evhub_comm_EventRepeatEndType__Output } from '../evhub_comm/EventRepeatEndType.ts';
import type { RepeatEnd as _evhub_comm_RepeatEnd, RepeatEnd__Output as _evhub_comm_RepeatEnd__Output } from '../evhub_comm/RepeatEnd.ts';
import type { EventPulserType as _evhub_comm_EventPulserType, EventPulserType__Output as _evhub_comm_EventPulserType__Output } from '../evhub_comm/EventPulserType.ts';
import type { RegularPulser as _evhub_comm_RegularPulser, RegularPulser__Output as _evhub_comm_RegularPulser__Output } from '../evhub_comm/RegularPulser.ts';
import type { CrontabPulser as _evhub_comm_CrontabPulser, CrontabPulser__Output as _evhub_comm_CrontabPulser__Output } from '../evhub_comm/CrontabPulser.ts';

export interface EventRepeatTrigger {
  'begin_time'?: (_google_protobuf_Timestamp | null);
  'end_type'?: (_evhub_comm_EventRepeatEndType);
  'repeat_end'?: (_evhub_comm_RepeatEnd | null);
  'pulser_type'?: (_evhub_comm_EventPulserType);
  'regular_pulser'?: (_evhub_comm_RegularPulser | null);
  'crontab_pulser'?: (_evhub_comm_CrontabPulser | null);
}

export interface EventRepeatTrigger__Output {
  'begin_time': (_google_protobuf_Timestamp__Output | null);
  'end_type': (_evhub_comm_EventRepeatEndType__Output);
  'repeat_end': (_evhub_comm_RepeatEnd__Output | null);
  'pulser_type': (_evhub_comm_EventPulserType__Output);
  'regular_pulser': (_evhub_comm_RegularPulser__Output | null);
  'crontab_pulser': (_evhub_comm_CrontabPulser__Output | null);
}

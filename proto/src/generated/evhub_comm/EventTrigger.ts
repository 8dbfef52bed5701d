// Original file: comm/comm.proto

import type { EventTriggerType as _evhub_comm_EventTriggerType, EventTriggerType__Output as _evhub_comm_EventTriggerType__Output } from '../evhub_comm/EventTriggerType.ts';
import type { EventDelayTrigger as _evhub_comm_EventDelayTrigger, EventDelayTrigger__Output as _evhub_comm_EventDelayTrigger__Output } from '../evhub_comm/EventDelayTrigger.ts';
import type { EventRepeatTrigger as _evhub_comm_EventRepeatTrigger, EventRepeatTrigger__Output as _evhub_comm_EventRepeatTrigger__Output } from '../evhub_comm/EventRepeatTrigger.ts';
import type { EventDelayProcessTrigger as _evhub_comm_EventDelayProcessTrigger, EventDelayProcessTrigger__Output as _evhub_comm_EventDelayProcessTrigger__Output } from '../evhub_comm/EventDelayProcessTrigger.ts';

export interface EventTrigger {
  'trigger_type'?: (_evhub_comm_EventTriggerType);
  'delay_trigger'?: (_evhub_comm_EventDelayTrigger | null);
  'repeat_trigger'?: (_evhub_comm_EventRepeatTrigger | null);
  'delay_process_trigger_list'?: (_evhub_comm_EventDelayProcessTrigger)[];
}

export interface EventTrigger__Output {
  'trigger_type': (_evhub_comm_EventTriggerType__Output);
  'delay_trigger': (_evhub_comm_EventDelayTrigger__Output | null);
  'repeat_trigger': (_evhub_comm_EventRepeatTrigger__Output | null);
  'delay_process_trigger_list': (_evhub_comm_EventDelayProcessTrigger__Output)[];
}

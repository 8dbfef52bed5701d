// Original file: comm/comm.proto

export const EventTriggerType = {
  EVENT_TRIGGER_TYPE_INVALID: 0,
  EVENT_TRIGGER_TYPE_REAL_TIME: 1,
  EVENT_TRIGGER_TYPE_DELAY: 2,
  EVENT_TRIGGER_TYPE_REPEAT: 3,
  EVENT_TRIGGER_TYPE_DELAY_PROCESS: 4,
} as const;

export type EventTriggerType =
  | 'EVENT_TRIGGER_TYPE_INVALID'
  | 0
  | 'EVENT_TRIGGER_TYPE_REAL_TIME'
  | 1
  | 'EVENT_TRIGGER_TYPE_DELAY'
  | 2
  | 'EVENT_TRIGGER_TYPE_REPEAT'
  | 3
  | 'EVENT_TRIGGER_TYPE_DELAY_PROCESS'
  | 4

export type EventTriggerType__Output = typeof EventTriggerType[keyof typeof EventTriggerType]

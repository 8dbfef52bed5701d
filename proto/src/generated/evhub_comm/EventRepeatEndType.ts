// Original file: comm/comm.proto

export const EventRepeatEndType = {
  EVENT_REPEAT_END_TYPE_INVALID: 0,
  EVENT_REPEAT_END_TYPE_END_BY_TIMESTAMP: 1,
  EVENT_REPEAT_END_TYPE_END_BY_COUNT: 2,
} as const;

export type EventRepeatEndType =
  | 'EVENT_REPEAT_END_TYPE_INVALID'
  | 0
  | 'EVENT_REPEAT_END_TYPE_END_BY_TIMESTAMP'
  | 1
  | 'EVENT_REPEAT_END_TYPE_END_BY_COUNT'
  | 2

export type EventRepeatEndType__Output = typeof EventRepeatEndType[keyof typeof EventRepeatEndType]

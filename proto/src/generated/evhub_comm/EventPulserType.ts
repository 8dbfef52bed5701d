// Original file: comm/comm.proto

export const EventPulserType = {
  EVENT_PULSER_TYPE_INVALID: 0,
  EVENT_PULSER_TYPE_BY_INTERVAL: 1,
  EVENT_PULSER_TYPE_BY_CRONTAB: 2,
} as const;

export type EventPulserType =
  | 'EVENT_PULSER_TYPE_INVALID'
  | 0
  | 'EVENT_PULSER_TYPE_BY_INTERVAL'
  | 1
  | 'EVENT_PULSER_TYPE_BY_CRONTAB'
  | 2

export type EventPulserType__Output = typeof EventPulserType[keyof typeof EventPulserType]

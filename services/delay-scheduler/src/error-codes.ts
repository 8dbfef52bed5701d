// The codes of the errors the delay-scheduler raises itself (docs/errors.md is generated from it with
// `pnpm run docs:errors`); its invalid configuration is core's EY_CONFIG_INVALID and its rejected
// schedule records are core's dead-letter codes. Both codes here are retriable: the timer's claim is
// released and the timer fires again.
import { defineErrorCodes, ResultCode } from '@eventyard/core';

export const SchedulerErrors = defineErrorCodes({
  EY_SCHEDULER_PRODUCE_FAILED: {
    family: 'internal',
    http: 500,
    resultCode: ResultCode.SYSTEM_ERROR,
    retriable: true,
    raisedBy: 'delay-scheduler',
    meaning:
      "a due timer could not be produced because the scheduler's Kafka producer is not running (not yet started, or closed at shutdown); its claim is released and it is retried",
  },
  EY_SCHEDULER_PRODUCE_TIMEOUT: {
    family: 'timeout',
    http: 503,
    resultCode: ResultCode.SYSTEM_ERROR,
    retriable: true,
    raisedBy: 'delay-scheduler',
    meaning: 'the broker did not acknowledge a due timer within `EY_SCHEDULER_PRODUCE_TIMEOUT_MS`; its claim is released and it is retried',
  },
} as const);

export type SchedulerErrorCode = keyof typeof SchedulerErrors;

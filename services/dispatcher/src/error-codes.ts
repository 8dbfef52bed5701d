// The codes of the errors the dispatcher raises itself (docs/errors.md is generated from it with `pnpm
// run docs:errors`). None reaches an HTTP edge; a delivery's attempt row and dead letter carry the code,
// and `retriable` decides whether the delivery is tried again. A refused processor address is core's
// EY_EGRESS_REFUSED.
import { defineErrorCodes, ResultCode } from '@eventyard/core';

export const DispatcherErrors = defineErrorCodes({
  EY_INVALID_RETRY_STRATEGY: {
    family: 'validation',
    http: 400,
    resultCode: ResultCode.INVALID_PARAMETER,
    retriable: false,
    raisedBy: 'dispatcher',
    meaning: 'a `retry_strategy` with a bad count, interval or `strategy_type`; the message names the field',
  },
  EY_INVALID_FLOW_CONTROL: {
    family: 'validation',
    http: 400,
    resultCode: ResultCode.INVALID_PARAMETER,
    retriable: false,
    raisedBy: 'dispatcher',
    meaning: 'a `flow_control_strategy` with a bad `qps`; the message names the field',
  },
  EY_DISPATCH_BAD_RECORD: {
    family: 'protocol',
    http: 500,
    resultCode: ResultCode.SYSTEM_ERROR,
    retriable: false,
    raisedBy: 'dispatcher',
    meaning: 'a delivery record that does not decode (or whose `event_id` is not a 64-bit id); logged, counted and produced unchanged to `eventyard.dead`',
  },
  EY_DISPATCH_INVALID_TARGET: {
    family: 'delivery',
    http: 500,
    resultCode: ResultCode.SYSTEM_ERROR,
    retriable: false,
    raisedBy: 'dispatcher',
    meaning: 'a processor `addr` that is not a usable gRPC or HTTP target; the delivery fails without retry',
  },
  EY_DISPATCH_HAND_OFF_TIMEOUT: {
    family: 'timeout',
    http: 503,
    resultCode: ResultCode.SYSTEM_ERROR,
    retriable: true,
    raisedBy: 'dispatcher',
    meaning: 'a retry or dead-letter record was not acknowledged in time; the delivery is attempted again',
  },
  EY_DISPATCH_ABANDONED: {
    family: 'delivery',
    http: 500,
    resultCode: ResultCode.SYSTEM_ERROR,
    retriable: true,
    raisedBy: 'dispatcher',
    meaning: 'an in-flight delivery was given up at shutdown or on losing its partition; its record stays uncommitted and is redelivered',
  },
  EY_LIMITER_CLOSED: {
    family: 'delivery',
    http: 500,
    resultCode: ResultCode.SYSTEM_ERROR,
    retriable: true,
    raisedBy: 'dispatcher',
    meaning: 'a concurrency or rate limiter was closed while a delivery waited (shutdown, processor removed); the delivery was not attempted',
  },
  EY_LIMITER_QUEUE_FULL: {
    family: 'delivery',
    http: 500,
    resultCode: ResultCode.SYSTEM_ERROR,
    retriable: true,
    raisedBy: 'dispatcher',
    meaning: "too many deliveries waiting for one processor's limiter; the delivery was not attempted",
  },
  EY_LIMITER_TIMEOUT: {
    family: 'timeout',
    http: 503,
    resultCode: ResultCode.SYSTEM_ERROR,
    retriable: true,
    raisedBy: 'dispatcher',
    meaning: 'a delivery waited too long for its limiter; the delivery was not attempted',
  },
} as const);

export type DispatcherErrorCode = keyof typeof DispatcherErrors;

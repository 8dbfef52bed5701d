// The codes of the errors the broker raises as Eventyard errors (docs/errors.md is generated from it with
// `pnpm run docs:errors`). The Kafka protocol's own error codes, which the broker answers clients with,
// are a different thing: they are in kafka-errors.ts.
import { defineErrorCodes, ResultCode } from '@eventyard/core';

export const BrokerErrors = defineErrorCodes({
  EY_BROKER_CONFIG: {
    family: 'config',
    http: 400,
    resultCode: ResultCode.SYSTEM_ERROR,
    retriable: false,
    raisedBy: 'broker',
    meaning: 'a `startBroker` option or `eventyard broker` flag is invalid; the message has one line per problem (`broker: …`)',
  },
} as const);

export type BrokerErrorCode = keyof typeof BrokerErrors;

// The codes of every error this package throws, in one table (docs/errors.md is generated from it with
// `pnpm run docs:errors`). All are ValidationErrors (EvHub ret.code 10000, HTTP 400) whose message starts
// with the path of the bad field.
import { defineErrorCodes, ResultCode } from '@eventyard/core';

export const EvhubErrors = defineErrorCodes({
  EY_REPORT_INVALID: {
    family: 'validation',
    http: 400,
    resultCode: ResultCode.INVALID_PARAMETER,
    retriable: false,
    raisedBy: 'producer (`@eventyard/evhub` validateReport)',
    meaning:
      "a Report/Prepare/Commit field is invalid; the message starts with the field's path. This includes what a later stage would refuse: text Postgres cannot store (a NUL character, an unpaired surrogate) in any string field (`event.app_id`, `event.topic_id`, a tag, `event.event_comm.event_source.source`, `option.orderingKey`, …), checked by the same rule the router and the delay-scheduler apply (`packages/core/src/storable-text.ts`), and an event whose Kafka records would be over `EY_KAFKA_MAX_BATCH_BYTES` (`event would make Kafka records of about N bytes, …`)",
  },
  EY_INVALID_CONFIG: {
    family: 'validation',
    http: 400,
    resultCode: ResultCode.INVALID_PARAMETER,
    retriable: false,
    raisedBy: '`@eventyard/evhub` config objects (db repositories, admin, CLI)',
    meaning: 'a processor, producer or API key field is invalid; names the field',
  },
  EY_INVALID_FILTER: {
    family: 'validation',
    http: 400,
    resultCode: ResultCode.INVALID_PARAMETER,
    retriable: false,
    raisedBy: '`@eventyard/evhub` filter engine (router, admin)',
    meaning: 'a JSON filter that does not compile; names the path and operator',
  },
  EY_INVALID_FILTER_TAG: {
    family: 'validation',
    http: 400,
    resultCode: ResultCode.INVALID_PARAMETER,
    retriable: false,
    raisedBy: '`@eventyard/evhub` filter engine (router, admin)',
    meaning: 'a `filter_tag` that is not a map of tag to true/false',
  },
} as const);

export type EvhubErrorCode = keyof typeof EvhubErrors;

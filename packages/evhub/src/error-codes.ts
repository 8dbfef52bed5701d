// The codes of every error this package throws, in one table (docs/errors.md is generated from it with
// `pnpm run docs:errors`). The validation rows are ValidationErrors (EvHub ret.code 10000, HTTP 400) whose
// message starts with the path of the bad field; the EY_TRANSFORM_* rows are a transform failing on one
// event at delivery time (never retriable: the same event fails the same way).
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
  EY_INVALID_TRANSFORM: {
    family: 'validation',
    http: 400,
    resultCode: ResultCode.INVALID_PARAMETER,
    retriable: false,
    raisedBy: '`@eventyard/evhub` transforms (admin, CLI, db)',
    meaning:
      "a processor `transform` that does not compile as JSONata (the message gives the syntax error, its position and JSONata's code, e.g. S0203), is empty or too long, or uses a regular expression RE2 cannot run",
  },
  EY_TRANSFORM_INPUT_NOT_JSON: {
    family: 'delivery',
    http: 422,
    resultCode: ResultCode.SYSTEM_ERROR,
    retriable: false,
    raisedBy: 'dispatcher, admin (`POST /v1/transforms/test`)',
    meaning:
      'a processor with a `transform` got an event whose payload is not UTF-8 JSON; the delivery is dead-lettered at once (no retries: it would fail the same way)',
  },
  EY_TRANSFORM_FAILED: {
    family: 'delivery',
    http: 422,
    resultCode: ResultCode.SYSTEM_ERROR,
    retriable: false,
    raisedBy: 'dispatcher, admin (`POST /v1/transforms/test`)',
    meaning:
      "a processor's `transform` failed on an event (a JSONata evaluation error, with its code and position, or the depth or sequence limit); the delivery is dead-lettered at once",
  },
  EY_TRANSFORM_TIMEOUT: {
    family: 'delivery',
    http: 422,
    resultCode: ResultCode.SYSTEM_ERROR,
    retriable: false,
    raisedBy: 'dispatcher, admin (`POST /v1/transforms/test`)',
    meaning: "a processor's `transform` ran past its time budget on an event (an infinite loop or a runaway expression); the delivery is dead-lettered at once",
  },
  EY_TRANSFORM_OUTPUT_INVALID: {
    family: 'delivery',
    http: 422,
    resultCode: ResultCode.SYSTEM_ERROR,
    retriable: false,
    raisedBy: 'dispatcher, admin (`POST /v1/transforms/test`)',
    meaning:
      "a processor's `transform` produced no value, a result over the output size limit, or (with `transform_headers`) not a `{body, headers}` object or a header it may not set; the delivery is dead-lettered at once",
  },
} as const);

export type EvhubErrorCode = keyof typeof EvhubErrors;

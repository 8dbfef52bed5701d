// The codes of every error @eventyard/core raises, and the codes that more than one service or package
// raises or reads (config, authentication, the admin API's unknown route that the CLI tells apart), which
// therefore cannot belong to one of them. docs/errors.md is generated from it
// (`pnpm run docs:errors`); test/foundation/error-codes.test.ts keeps the two equal.
import { defineErrorCodes, ResultCode } from './errors.ts';

export const CoreErrors = defineErrorCodes({
  EY_CONFIG_INVALID: {
    family: 'config',
    http: 400,
    resultCode: ResultCode.SYSTEM_ERROR,
    retriable: false,
    raisedBy: 'every service, CLI',
    meaning: 'one or more `EY_*` variables are invalid; the message has one line per variable (`config: EY_X: …`); exit code 1',
  },
  EY_INVALID_STATE: {
    family: 'internal',
    http: 500,
    resultCode: ResultCode.SYSTEM_ERROR,
    retriable: false,
    raisedBy: 'every service (core `createLifecycle`)',
    meaning: '`start()` was called on a component that was closed; a closed component is never restarted, a new one is built',
  },
  EY_INVALID_DISPATCHER_ID: {
    family: 'validation',
    http: 400,
    resultCode: ResultCode.INVALID_PARAMETER,
    retriable: false,
    raisedBy: 'core, db',
    meaning: 'a `dispatcher_id` Kafka would not accept in a topic name',
  },
  EY_INVALID_EVENT_ID: {
    family: 'validation',
    http: 400,
    resultCode: ResultCode.INVALID_PARAMETER,
    retriable: false,
    raisedBy: 'core, admin',
    meaning: 'not a decimal 64-bit event id',
  },
  EY_INVALID_NODE_ID: {
    family: 'validation',
    http: 400,
    resultCode: ResultCode.INVALID_PARAMETER,
    retriable: false,
    raisedBy: 'core',
    meaning: 'an id generator node id outside 0–1023',
  },
  EY_UNAUTHENTICATED: {
    family: 'validation',
    http: 401,
    resultCode: ResultCode.INVALID_PARAMETER,
    retriable: false,
    transport: 'UNAUTHENTICATED',
    raisedBy: 'producer, admin',
    meaning: 'missing or unknown API key / admin token (gRPC UNAUTHENTICATED, HTTP 401)',
  },
  EY_ROUTE_NOT_FOUND: {
    family: 'not_found',
    http: 404,
    resultCode: ResultCode.INVALID_PARAMETER,
    retriable: false,
    raisedBy: 'admin (the CLI tells it from a missing object)',
    meaning: 'no such route (HTTP 404)',
  },
  EY_PERMISSION_DENIED: {
    family: 'validation',
    http: 403,
    resultCode: ResultCode.INVALID_PARAMETER,
    retriable: false,
    transport: 'PERMISSION_DENIED',
    raisedBy: 'producer, admin',
    meaning:
      "the credential is valid but may not do this: at the producer an API key not scoped to this `app_id` or without the broadcast permission (gRPC PERMISSION_DENIED, HTTP 403); at the admin API a key without the route's permission, or one granting permissions it does not hold (HTTP 403)",
  },
  EY_INGEST_RECORD_INVALID: {
    family: 'protocol',
    http: 500,
    resultCode: ResultCode.SYSTEM_ERROR,
    retriable: false,
    raisedBy: 'router (core dead-letter headers)',
    meaning:
      'an ingest record that is not a routable envelope: not protobuf, empty, no usable `event_id`, no event, no `app_id`/`topic_id`, or text Postgres cannot store (the reason names the field). Written by an older producer or another client straight to the topic; dead-lettered to `eventyard.dead` with a `rejected` history row',
  },
  EY_SCHEDULE_RECORD_INVALID: {
    family: 'protocol',
    http: 500,
    resultCode: ResultCode.SYSTEM_ERROR,
    retriable: false,
    raisedBy: 'delay-scheduler (core dead-letter headers)',
    meaning:
      'a schedule record that is not a valid timer (bad `timer_id`, `due_at`, `target_topic`, `kind`, empty value), or one Postgres refused; dead-lettered with a `rejected` history row',
  },
  EY_RECORD_TOO_LARGE: {
    family: 'delivery',
    http: 413,
    resultCode: ResultCode.INVALID_PARAMETER,
    retriable: false,
    raisedBy: 'router, delay-scheduler, dispatcher hand-off (core dead-letter headers)',
    meaning:
      'a record over `EY_KAFKA_MAX_BATCH_BYTES` by estimate, or one the broker refused with `MESSAGE_TOO_LARGE` (a topic with a smaller `max.message.bytes`); dead-lettered instead of retried forever',
  },
  EY_TLS_FILES_INVALID: {
    family: 'config',
    http: 400,
    resultCode: ResultCode.SYSTEM_ERROR,
    retriable: false,
    raisedBy: 'core TLS (producer, admin, dispatcher, delay-scheduler)',
    meaning:
      "TLS files that cannot be read or do not make a TLS context (key not matching the certificate, not PEM); the message names the file. At start (`EY_TLS_*`) the service stops; on a rotation the previous certificate stays in use and the error is logged; for a processor's `tls` the attempt fails, not retried; for a producer config's `tls` the check-back is inconclusive (docs/security.md#tls)",
  },
  EY_SECRETS_KEY_INVALID: {
    family: 'config',
    http: 400,
    resultCode: ResultCode.SYSTEM_ERROR,
    retriable: false,
    raisedBy: 'admin, dispatcher, `eventyard secrets reseal` (core secrets config)',
    meaning:
      '`EY_SECRETS_KEY` or an `EY_SECRETS_KEY_PREVIOUS` entry is not 32 bytes as 64 hex characters or base64; the message names the variable, never the value; exit code 1',
  },
  EY_SECRETS_KEY_MISSING: {
    family: 'internal',
    http: 500,
    resultCode: ResultCode.SYSTEM_ERROR,
    retriable: false,
    raisedBy: 'admin, dispatcher (start-up check; any read of a sealed processor secret)',
    meaning:
      'a processor secret is stored encrypted (`eyenc:v1:…`) but `EY_SECRETS_KEY` is not set: the service refuses to start; names the row and column and the key id it needs',
  },
  EY_SECRETS_KEY_UNKNOWN: {
    family: 'config',
    http: 400,
    resultCode: ResultCode.SYSTEM_ERROR,
    retriable: false,
    raisedBy: 'admin, dispatcher, `eventyard secrets reseal`',
    meaning:
      'a sealed secret names a key id that is neither `EY_SECRETS_KEY` nor in `EY_SECRETS_KEY_PREVIOUS` (a wrong key, or the previous key dropped before `eventyard secrets reseal` ran): the service refuses to start; names both key ids',
  },
  EY_SECRETS_DECRYPT_FAILED: {
    family: 'internal',
    http: 500,
    resultCode: ResultCode.SYSTEM_ERROR,
    retriable: false,
    raisedBy: 'admin, dispatcher',
    meaning: 'the key id matched but the value does not decrypt (AES-GCM authentication failed: the value was corrupted or copied from another row or column)',
  },
  EY_EGRESS_REFUSED: {
    family: 'delivery',
    http: 400,
    resultCode: ResultCode.INVALID_PARAMETER,
    retriable: false,
    raisedBy: 'core egress guard (dispatcher, delay-scheduler, admin)',
    meaning:
      'a processor `addr` or check-back address in a refused class (loopback, private, link-local, cloud metadata, ...) or on `EY_EGRESS_DENY`; the message names the address, the name it resolved from and the class. Not retried; admin saves answer 400 (docs/security.md)',
  },
  EY_EGRESS_INVALID_TARGET: {
    family: 'delivery',
    http: 400,
    resultCode: ResultCode.INVALID_PARAMETER,
    retriable: false,
    raisedBy: 'core egress guard',
    meaning: 'a gRPC target that is not `host:port`',
  },
  EY_PRODUCE_TIMEOUT: {
    family: 'timeout',
    http: 503,
    resultCode: ResultCode.SYSTEM_ERROR,
    retriable: true,
    raisedBy: 'core `ManagedProducer` (services that give it no code of their own)',
    meaning:
      'the broker did not acknowledge a produce within its time bound; records already in a request may still land, so the caller retries (at-least-once)',
  },
  EY_PRODUCER_NOT_RUNNING: {
    family: 'internal',
    http: 503,
    resultCode: ResultCode.SYSTEM_ERROR,
    retriable: true,
    raisedBy: 'core `ManagedProducer` (services that give it no code of their own)',
    meaning: 'a produce was asked of a producer that is not started yet or is closing; nothing was sent',
  },
} as const);

export type CoreErrorCode = keyof typeof CoreErrors;

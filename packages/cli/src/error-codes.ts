// The codes of every error the CLI raises (docs/errors.md is generated from it with `pnpm run
// docs:errors`). main.ts prints any of them as one line and exits 1; none reaches an HTTP edge, so their
// HTTP status and EvHub ret.code only follow the family.
import { defineErrorCodes, ResultCode } from '@eventyard/core/foundation';

export const CliErrors = defineErrorCodes({
  EY_CLI_USAGE: {
    family: 'config',
    http: 400,
    resultCode: ResultCode.SYSTEM_ERROR,
    retriable: false,
    raisedBy: 'CLI',
    meaning: 'a command got an argument it does not accept',
  },
  EY_CLI_CONFIG_FILE_INVALID: {
    family: 'validation',
    http: 400,
    resultCode: ResultCode.SYSTEM_ERROR,
    retriable: false,
    raisedBy: 'CLI',
    meaning:
      'the file given to `eventyard apply -f` / `processors apply -f` cannot be read or is invalid; the message names the file, the entry (`processors[1] (billing)`) and the field; nothing was sent',
  },
  EY_CLI_ADMIN_ERROR: {
    family: 'delivery',
    http: 500,
    resultCode: ResultCode.SYSTEM_ERROR,
    retriable: false,
    raisedBy: 'CLI',
    meaning:
      "the admin API answered an error; the one-line message is the API's `ret.msg` followed by its own code and the HTTP status, `(EY_PROCESSOR_NOT_FOUND, HTTP 404)`",
  },
  EY_CLI_ADMIN_UNREACHABLE: {
    family: 'internal',
    http: 500,
    resultCode: ResultCode.SYSTEM_ERROR,
    retriable: true,
    raisedBy: 'CLI',
    meaning: 'no connection to the admin API at `--admin-url` / `EY_ADMIN_URL` (the message names the URL and the socket error)',
  },
  EY_CLI_PRODUCER_UNREACHABLE: {
    family: 'internal',
    http: 500,
    resultCode: ResultCode.SYSTEM_ERROR,
    retriable: true,
    raisedBy: 'CLI',
    meaning: "`eventyard report` could not reach the producer's gRPC port at `--producer-addr` / `EY_PRODUCER_ADDR`",
  },
  EY_CLI_REPORT_FAILED: {
    family: 'delivery',
    http: 500,
    resultCode: ResultCode.SYSTEM_ERROR,
    retriable: false,
    raisedBy: 'CLI',
    meaning: '`eventyard report` got a Report answer with `ret.code` ≠ 0, or a gRPC error other than unreachable',
  },
  EY_CLI_REPLAY_FAILED: {
    family: 'delivery',
    http: 500,
    resultCode: ResultCode.SYSTEM_ERROR,
    retriable: false,
    raisedBy: 'CLI',
    meaning: 'a bulk replay or redrive job followed by `eventyard replay` / `redrive` ended failed or cancelled',
  },
  EY_CLI_PORT_IN_USE: {
    family: 'config',
    http: 400,
    resultCode: ResultCode.SYSTEM_ERROR,
    retriable: false,
    raisedBy: 'CLI',
    meaning:
      '`eventyard dev` found a port it needs taken (checked before it starts anything, or a process of the stack exited with EADDRINUSE); the one line names the port, what wanted it and the flag that moves it (`--kafka-port`, `--pg-port`, `--port-offset`); nothing is left running',
  },
} as const);

export type CliErrorCode = keyof typeof CliErrors;

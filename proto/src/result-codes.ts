// EvHub's result codes: what `ret.code` of every response means (see evhub-contract.md). They are part
// of the wire contract, so they live here; @eventyard/core re-exports them for the services.

/** EvHub result codes carried in `ret.code`. */
export const ResultCode = {
  OK: 0,
  INVALID_PARAMETER: 10000,
  IDEMPOTENCY_CHECK_FAILED: 10001,
  PUBLISH_FAILED: 20000,
  SYSTEM_ERROR: 20005,
  TX_INSERT_FAILED: 21000,
  TX_COMMIT_NOT_PREPARED: 21001,
  TX_ROLLBACK_NOT_PREPARED: 21002,
  CANCEL: 30000,
} as const;
export type ResultCode = (typeof ResultCode)[keyof typeof ResultCode];

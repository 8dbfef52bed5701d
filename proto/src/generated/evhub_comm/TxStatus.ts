// Original file: comm/comm.proto

export const TxStatus = {
  TX_STATUS_INVALID: 0,
  TX_STATUS_PREPARE: 1,
  TX_STATUS_COMMIT: 2,
  TX_STATUS_ROLLBACK: 3,
  TX_STATUS_SUCCESS: 4,
} as const;

export type TxStatus =
  | 'TX_STATUS_INVALID'
  | 0
  | 'TX_STATUS_PREPARE'
  | 1
  | 'TX_STATUS_COMMIT'
  | 2
  | 'TX_STATUS_ROLLBACK'
  | 3
  | 'TX_STATUS_SUCCESS'
  | 4

export type TxStatus__Output = typeof TxStatus[keyof typeof TxStatus]

// Original file: comm/comm.proto

export const ProtocolType = {
  PROTOCOL_TYPE_INVALID: 0,
  PROTOCOL_TYPE_GRPC: 1,
  PROTOCOL_TYPE_HTTP_PB: 3,
  PROTOCOL_TYPE_HTTP_JSON: 5,
} as const;

export type ProtocolType =
  | 'PROTOCOL_TYPE_INVALID'
  | 0
  | 'PROTOCOL_TYPE_GRPC'
  | 1
  | 'PROTOCOL_TYPE_HTTP_PB'
  | 3
  | 'PROTOCOL_TYPE_HTTP_JSON'
  | 5

export type ProtocolType__Output = typeof ProtocolType[keyof typeof ProtocolType]

// Original file: comm/comm.proto


export interface EventDispatcherInfo {
  'dispatcher_id'?: (string);
  'retry_times'?: (number);
  'pass_back'?: (Buffer | Uint8Array | string);
}

export interface EventDispatcherInfo__Output {
  'dispatcher_id': (string);
  'retry_times': (number);
  'pass_back': (Buffer);
}

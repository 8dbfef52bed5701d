// Original file: comm/comm.proto


export interface Err {
  'code'?: (number);
  'msg'?: (string);
  'pass_back'?: (Buffer | Uint8Array | string);
}

export interface Err__Output {
  'code': (number);
  'msg': (string);
  'pass_back': (Buffer);
}

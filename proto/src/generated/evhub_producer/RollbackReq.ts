// Original file: producer/producer.proto


export interface RollbackReq {
  'event_id'?: (string);
}

export interface RollbackReq__Output {
  'event_id': (string);
}

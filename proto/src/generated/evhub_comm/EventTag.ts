// Original file: comm/comm.proto


export interface EventTag {
  'tag_list'?: (string)[];
}

export interface EventTag__Output {
  'tag_list': (string)[];
}

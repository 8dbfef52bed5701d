// Original file: comm/comm.proto


export interface CrontabPulser {
  'crontab'?: (string);
}

export interface CrontabPulser__Output {
  'crontab': (string);
}

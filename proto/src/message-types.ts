// Maps each fully-qualified message name to its generated input ("permissive") and output
// ("restricted", as decoded with CONVERSION_OPTIONS) types, so encodeMessage/decodeMessage are typed.
import type * as t from './types.ts';

/** `[input, output]` per message type name. */
export interface MessageTypes {
  'evhub_comm.EventSource': [t.EventSource, t.EventSource__Output];
  'evhub_comm.EventComm': [t.EventComm, t.EventComm__Output];
  'evhub_comm.EventTag': [t.EventTag, t.EventTag__Output];
  'evhub_comm.Endpoint': [t.Endpoint, t.Endpoint__Output];
  'evhub_comm.TxCallback': [t.TxCallback, t.TxCallback__Output];
  'evhub_comm.Event': [t.Event, t.Event__Output];
  'evhub_comm.EventTrigger': [t.EventTrigger, t.EventTrigger__Output];
  'evhub_comm.EventDelayTrigger': [t.EventDelayTrigger, t.EventDelayTrigger__Output];
  'evhub_comm.RepeatEnd': [t.RepeatEnd, t.RepeatEnd__Output];
  'evhub_comm.RegularPulser': [t.RegularPulser, t.RegularPulser__Output];
  'evhub_comm.CrontabPulser': [t.CrontabPulser, t.CrontabPulser__Output];
  'evhub_comm.EventRepeatTrigger': [t.EventRepeatTrigger, t.EventRepeatTrigger__Output];
  'evhub_comm.EventDelayProcessTrigger': [t.EventDelayProcessTrigger, t.EventDelayProcessTrigger__Output];
  'evhub_comm.EventOption': [t.EventOption, t.EventOption__Output];
  'evhub_comm.EventIdempotent': [t.EventIdempotent, t.EventIdempotent__Output];
  'evhub_comm.Tx': [t.Tx, t.Tx__Output];
  'evhub_comm.Result': [t.Result, t.Result__Output];
  'evhub_comm.Err': [t.Err, t.Err__Output];
  'evhub_comm.evhubMsg': [t.evhubMsg, t.evhubMsg__Output];
  'evhub_comm.EventTriggerInfo': [t.EventTriggerInfo, t.EventTriggerInfo__Output];
  'evhub_comm.EventDispatcherInfo': [t.EventDispatcherInfo, t.EventDispatcherInfo__Output];
  'evhub_producer.ReportReq': [t.ReportReq, t.ReportReq__Output];
  'evhub_producer.ReportRsp': [t.ReportRsp, t.ReportRsp__Output];
  'evhub_producer.PrepareReq': [t.PrepareReq, t.PrepareReq__Output];
  'evhub_producer.PrepareRsp': [t.PrepareRsp, t.PrepareRsp__Output];
  'evhub_producer.CommitReq': [t.CommitReq, t.CommitReq__Output];
  'evhub_producer.CommitRsp': [t.CommitRsp, t.CommitRsp__Output];
  'evhub_producer.RollbackReq': [t.RollbackReq, t.RollbackReq__Output];
  'evhub_producer.RollbackRsp': [t.RollbackRsp, t.RollbackRsp__Output];
  'evhub_processor.DispatchReq': [t.DispatchReq, t.DispatchReq__Output];
  'evhub_processor.DispatchRsp': [t.DispatchRsp, t.DispatchRsp__Output];
  'evhub_transaction.CallbackReq': [t.CallbackReq, t.CallbackReq__Output];
  'evhub_transaction.CallbackRsp': [t.CallbackRsp, t.CallbackRsp__Output];
  'eventyard.v1.IngestEnvelope': [t.IngestEnvelope, t.IngestEnvelope__Output];
  'eventyard.v1.DeliveryTask': [t.DeliveryTask, t.DeliveryTask__Output];
  'eventyard.v1.ScheduleItem': [t.ScheduleItem, t.ScheduleItem__Output];
  'google.protobuf.Duration': [t.Duration, t.Duration__Output];
  'google.protobuf.Timestamp': [t.Timestamp, t.Timestamp__Output];
}

export type MessageTypeName = keyof MessageTypes;
/** What encodeMessage accepts for a message type (absent fields encode as their zero value). */
export type MessageInput<N extends MessageTypeName> = MessageTypes[N][0];
/** What decodeMessage returns: every field present, messages null when absent. */
export type MessageOutput<N extends MessageTypeName> = MessageTypes[N][1];

// The generated message, enum and service types under their plain names (the generator nests them
// by package). Message types come in pairs: `X` is what you may send (fields optional, enums as
// name or number, int64 as number or string), `X__Output` is what you receive (every field present,
// enums as numbers, int64 as decimal strings, absent messages as null). Regenerate, don't edit, the
// files under generated/; this list is kept by hand.

export type { EventSource, EventSource__Output } from './generated/evhub_comm/EventSource.ts';
export type { EventComm, EventComm__Output } from './generated/evhub_comm/EventComm.ts';
export type { EventTag, EventTag__Output } from './generated/evhub_comm/EventTag.ts';
export type { Endpoint, Endpoint__Output } from './generated/evhub_comm/Endpoint.ts';
export type { TxCallback, TxCallback__Output } from './generated/evhub_comm/TxCallback.ts';
export type { Event, Event__Output } from './generated/evhub_comm/Event.ts';
export type { EventTrigger, EventTrigger__Output } from './generated/evhub_comm/EventTrigger.ts';
export type { EventDelayTrigger, EventDelayTrigger__Output } from './generated/evhub_comm/EventDelayTrigger.ts';
export type { RepeatEnd, RepeatEnd__Output } from './generated/evhub_comm/RepeatEnd.ts';
export type { RegularPulser, RegularPulser__Output } from './generated/evhub_comm/RegularPulser.ts';
export type { CrontabPulser, CrontabPulser__Output } from './generated/evhub_comm/CrontabPulser.ts';
export type { EventRepeatTrigger, EventRepeatTrigger__Output } from './generated/evhub_comm/EventRepeatTrigger.ts';
export type { EventDelayProcessTrigger, EventDelayProcessTrigger__Output } from './generated/evhub_comm/EventDelayProcessTrigger.ts';
export type { EventOption, EventOption__Output } from './generated/evhub_comm/EventOption.ts';
export type { EventIdempotent, EventIdempotent__Output } from './generated/evhub_comm/EventIdempotent.ts';
export type { Tx, Tx__Output } from './generated/evhub_comm/Tx.ts';
export type { Result, Result__Output } from './generated/evhub_comm/Result.ts';
export type { Err, Err__Output } from './generated/evhub_comm/Err.ts';
export type { evhubMsg, evhubMsg__Output } from './generated/evhub_comm/evhubMsg.ts';
export type { EventTriggerInfo, EventTriggerInfo__Output } from './generated/evhub_comm/EventTriggerInfo.ts';
export type { EventDispatcherInfo, EventDispatcherInfo__Output } from './generated/evhub_comm/EventDispatcherInfo.ts';
export type { ReportReq, ReportReq__Output } from './generated/evhub_producer/ReportReq.ts';
export type { ReportRsp, ReportRsp__Output } from './generated/evhub_producer/ReportRsp.ts';
export type { PrepareReq, PrepareReq__Output } from './generated/evhub_producer/PrepareReq.ts';
export type { PrepareRsp, PrepareRsp__Output } from './generated/evhub_producer/PrepareRsp.ts';
export type { CommitReq, CommitReq__Output } from './generated/evhub_producer/CommitReq.ts';
export type { CommitRsp, CommitRsp__Output } from './generated/evhub_producer/CommitRsp.ts';
export type { RollbackReq, RollbackReq__Output } from './generated/evhub_producer/RollbackReq.ts';
export type { RollbackRsp, RollbackRsp__Output } from './generated/evhub_producer/RollbackRsp.ts';
export type { DispatchReq, DispatchReq__Output } from './generated/evhub_processor/DispatchReq.ts';
export type { DispatchRsp, DispatchRsp__Output } from './generated/evhub_processor/DispatchRsp.ts';
export type { CallbackReq, CallbackReq__Output } from './generated/evhub_transaction/CallbackReq.ts';
export type { CallbackRsp, CallbackRsp__Output } from './generated/evhub_transaction/CallbackRsp.ts';
export type { IngestEnvelope, IngestEnvelope__Output } from './generated/eventyard/v1/IngestEnvelope.ts';
export type { DeliveryTask, DeliveryTask__Output } from './generated/eventyard/v1/DeliveryTask.ts';
export type { ScheduleItem, ScheduleItem__Output } from './generated/eventyard/v1/ScheduleItem.ts';
export type { Duration, Duration__Output } from './generated/google/protobuf/Duration.ts';
export type { Timestamp, Timestamp__Output } from './generated/google/protobuf/Timestamp.ts';

// Enums are `as const` objects (usable as values, e.g. TxStatus.TX_STATUS_PREPARE) plus types.
export { EventTriggerType } from './generated/evhub_comm/EventTriggerType.ts';
export type { EventTriggerType__Output } from './generated/evhub_comm/EventTriggerType.ts';
export { EventRepeatEndType } from './generated/evhub_comm/EventRepeatEndType.ts';
export type { EventRepeatEndType__Output } from './generated/evhub_comm/EventRepeatEndType.ts';
export { EventPulserType } from './generated/evhub_comm/EventPulserType.ts';
export type { EventPulserType__Output } from './generated/evhub_comm/EventPulserType.ts';
export { TxStatus } from './generated/evhub_comm/TxStatus.ts';
export type { TxStatus__Output } from './generated/evhub_comm/TxStatus.ts';
export { ProtocolType } from './generated/evhub_comm/ProtocolType.ts';
export type { ProtocolType__Output } from './generated/evhub_comm/ProtocolType.ts';
export { EventStatus } from './generated/evhub_comm/EventStatus.ts';
export type { EventStatus__Output } from './generated/evhub_comm/EventStatus.ts';

export type { evhubProducerClient, evhubProducerDefinition, evhubProducerHandlers } from './generated/evhub_producer/evhubProducer.ts';
export type { evhubProcessorClient, evhubProcessorDefinition, evhubProcessorHandlers } from './generated/evhub_processor/evhubProcessor.ts';
export type { evhubTransactionClient, evhubTransactionDefinition, evhubTransactionHandlers } from './generated/evhub_transaction/evhubTransaction.ts';

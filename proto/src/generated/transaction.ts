import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { CrontabPulser as _evhub_comm_CrontabPulser, CrontabPulser__Output as _evhub_comm_CrontabPulser__Output } from './evhub_comm/CrontabPulser.ts';
import type { Endpoint as _evhub_comm_Endpoint, Endpoint__Output as _evhub_comm_Endpoint__Output } from './evhub_comm/Endpoint.ts';
import type { Err as _evhub_comm_Err, Err__Output as _evhub_comm_Err__Output } from './evhub_comm/Err.ts';
import type { Event as _evhub_comm_Event, Event__Output as _evhub_comm_Event__Output } from './evhub_comm/Event.ts';
import type { EventComm as _evhub_comm_EventComm, EventComm__Output as _evhub_comm_EventComm__Output } from './evhub_comm/EventComm.ts';
import type { EventDelayProcessTrigger as _evhub_comm_EventDelayProcessTrigger, EventDelayProcessTrigger__Output as _evhub_comm_EventDelayProcessTrigger__Output } from './evhub_comm/EventDelayProcessTrigger.ts';
import type { EventDelayTrigger as _evhub_comm_EventDelayTrigger, EventDelayTrigger__Output as _evhub_comm_EventDelayTrigger__Output } from './evhub_comm/EventDelayTrigger.ts';
import type { EventDispatcherInfo as _evhub_comm_EventDispatcherInfo, EventDispatcherInfo__Output as _evhub_comm_EventDispatcherInfo__Output } from './evhub_comm/EventDispatcherInfo.ts';
import type { EventIdempotent as _evhub_comm_EventIdempotent, EventIdempotent__Output as _evhub_comm_EventIdempotent__Output } from './evhub_comm/EventIdempotent.ts';
import type { EventOption as _evhub_comm_EventOption, EventOption__Output as _evhub_comm_EventOption__Output } from './evhub_comm/EventOption.ts';
import type { EventRepeatTrigger as _evhub_comm_EventRepeatTrigger, EventRepeatTrigger__Output as _evhub_comm_EventRepeatTrigger__Output } from './evhub_comm/EventRepeatTrigger.ts';
import type { EventSource as _evhub_comm_EventSource, EventSource__Output as _evhub_comm_EventSource__Output } from './evhub_comm/EventSource.ts';
import type { EventTag as _evhub_comm_EventTag, EventTag__Output as _evhub_comm_EventTag__Output } from './evhub_comm/EventTag.ts';
import type { EventTrigger as _evhub_comm_EventTrigger, EventTrigger__Output as _evhub_comm_EventTrigger__Output } from './evhub_comm/EventTrigger.ts';
import type { EventTriggerInfo as _evhub_comm_EventTriggerInfo, EventTriggerInfo__Output as _evhub_comm_EventTriggerInfo__Output } from './evhub_comm/EventTriggerInfo.ts';
import type { RegularPulser as _evhub_comm_RegularPulser, RegularPulser__Output as _evhub_comm_RegularPulser__Output } from './evhub_comm/RegularPulser.ts';
import type { RepeatEnd as _evhub_comm_RepeatEnd, RepeatEnd__Output as _evhub_comm_RepeatEnd__Output } from './evhub_comm/RepeatEnd.ts';
import type { Result as _evhub_comm_Result, Result__Output as _evhub_comm_Result__Output } from './evhub_comm/Result.ts';
import type { Tx as _evhub_comm_Tx, Tx__Output as _evhub_comm_Tx__Output } from './evhub_comm/Tx.ts';
import type { TxCallback as _evhub_comm_TxCallback, TxCallback__Output as _evhub_comm_TxCallback__Output } from './evhub_comm/TxCallback.ts';
import type { evhubMsg as _evhub_comm_evhubMsg, evhubMsg__Output as _evhub_comm_evhubMsg__Output } from './evhub_comm/evhubMsg.ts';
import type { CallbackReq as _evhub_transaction_CallbackReq, CallbackReq__Output as _evhub_transaction_CallbackReq__Output } from './evhub_transaction/CallbackReq.ts';
import type { CallbackRsp as _evhub_transaction_CallbackRsp, CallbackRsp__Output as _evhub_transaction_CallbackRsp__Output } from './evhub_transaction/CallbackRsp.ts';
import type { evhubTransactionClient as _evhub_transaction_evhubTransactionClient, evhubTransactionDefinition as _evhub_transaction_evhubTransactionDefinition } from './evhub_transaction/evhubTransaction.ts';
import type { Duration as _google_protobuf_Duration, Duration__Output as _google_protobuf_Duration__Output } from './google/protobuf/Duration.ts';
import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from './google/protobuf/Timestamp.ts';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  evhub_comm: {
    CrontabPulser: MessageTypeDefinition<_evhub_comm_CrontabPulser, _evhub_comm_CrontabPulser__Output>
    Endpoint: MessageTypeDefinition<_evhub_comm_Endpoint, _evhub_comm_Endpoint__Output>
    Err: MessageTypeDefinition<_evhub_comm_Err, _evhub_comm_Err__Output>
    Event: MessageTypeDefinition<_evhub_comm_Event, _evhub_comm_Event__Output>
    EventComm: MessageTypeDefinition<_evhub_comm_EventComm, _evhub_comm_EventComm__Output>
    EventDelayProcessTrigger: MessageTypeDefinition<_evhub_comm_EventDelayProcessTrigger, _evhub_comm_EventDelayProcessTrigger__Output>
    EventDelayTrigger: MessageTypeDefinition<_evhub_comm_EventDelayTrigger, _evhub_comm_EventDelayTrigger__Output>
    EventDispatcherInfo: MessageTypeDefinition<_evhub_comm_EventDispatcherInfo, _evhub_comm_EventDispatcherInfo__Output>
    EventIdempotent: MessageTypeDefinition<_evhub_comm_EventIdempotent, _evhub_comm_EventIdempotent__Output>
    EventOption: MessageTypeDefinition<_evhub_comm_EventOption, _evhub_comm_EventOption__Output>
    EventPulserType: EnumTypeDefinition
    EventRepeatEndType: EnumTypeDefinition
    EventRepeatTrigger: MessageTypeDefinition<_evhub_comm_EventRepeatTrigger, _evhub_comm_EventRepeatTrigger__Output>
    EventSource: MessageTypeDefinition<_evhub_comm_EventSource, _evhub_comm_EventSource__Output>
    EventStatus: EnumTypeDefinition
    EventTag: MessageTypeDefinition<_evhub_comm_EventTag, _evhub_comm_EventTag__Output>
    EventTrigger: MessageTypeDefinition<_evhub_comm_EventTrigger, _evhub_comm_EventTrigger__Output>
    EventTriggerInfo: MessageTypeDefinition<_evhub_comm_EventTriggerInfo, _evhub_comm_EventTriggerInfo__Output>
    EventTriggerType: EnumTypeDefinition
    ProtocolType: EnumTypeDefinition
    RegularPulser: MessageTypeDefinition<_evhub_comm_RegularPulser, _evhub_comm_RegularPulser__Output>
    RepeatEnd: MessageTypeDefinition<_evhub_comm_RepeatEnd, _evhub_comm_RepeatEnd__Output>
    Result: MessageTypeDefinition<_evhub_comm_Result, _evhub_comm_Result__Output>
    Tx: MessageTypeDefinition<_evhub_comm_Tx, _evhub_comm_Tx__Output>
    TxCallback: MessageTypeDefinition<_evhub_comm_TxCallback, _evhub_comm_TxCallback__Output>
    TxStatus: EnumTypeDefinition
    evhubMsg: MessageTypeDefinition<_evhub_comm_evhubMsg, _evhub_comm_evhubMsg__Output>
  }
  evhub_transaction: {
    CallbackReq: MessageTypeDefinition<_evhub_transaction_CallbackReq, _evhub_transaction_CallbackReq__Output>
    CallbackRsp: MessageTypeDefinition<_evhub_transaction_CallbackRsp, _evhub_transaction_CallbackRsp__Output>
    evhubTransaction: SubtypeConstructor<typeof grpc.Client, _evhub_transaction_evhubTransactionClient> & { service: _evhub_transaction_evhubTransactionDefinition }
  }
  google: {
    protobuf: {
      Duration: MessageTypeDefinition<_google_protobuf_Duration, _google_protobuf_Duration__Output>
      Timestamp: MessageTypeDefinition<_google_protobuf_Timestamp, _google_protobuf_Timestamp__Output>
    }
  }
}


// Original file: processor/processor.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { DispatchReq as _evhub_processor_DispatchReq, DispatchReq__Output as _evhub_processor_DispatchReq__Output } from '../evhub_processor/DispatchReq.ts';
import type { DispatchRsp as _evhub_processor_DispatchRsp, DispatchRsp__Output as _evhub_processor_DispatchRsp__Output } from '../evhub_processor/DispatchRsp.ts';

export interface evhubProcessorClient extends grpc.Client {
  Dispatch(argument: _evhub_processor_DispatchReq, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_evhub_processor_DispatchRsp__Output>): grpc.ClientUnaryCall;
  Dispatch(argument: _evhub_processor_DispatchReq, metadata: grpc.Metadata, callback: grpc.requestCallback<_evhub_processor_DispatchRsp__Output>): grpc.ClientUnaryCall;
  Dispatch(argument: _evhub_processor_DispatchReq, options: grpc.CallOptions, callback: grpc.requestCallback<_evhub_processor_DispatchRsp__Output>): grpc.ClientUnaryCall;
  Dispatch(argument: _evhub_processor_DispatchReq, callback: grpc.requestCallback<_evhub_processor_DispatchRsp__Output>): grpc.ClientUnaryCall;
  dispatch(argument: _evhub_processor_DispatchReq, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_evhub_processor_DispatchRsp__Output>): grpc.ClientUnaryCall;
  dispatch(argument: _evhub_processor_DispatchReq, metadata: grpc.Metadata, callback: grpc.requestCallback<_evhub_processor_DispatchRsp__Output>): grpc.ClientUnaryCall;
  dispatch(argument: _evhub_processor_DispatchReq, options: grpc.CallOptions, callback: grpc.requestCallback<_evhub_processor_DispatchRsp__Output>): grpc.ClientUnaryCall;
  dispatch(argument: _evhub_processor_DispatchReq, callback: grpc.requestCallback<_evhub_processor_DispatchRsp__Output>): grpc.ClientUnaryCall;
  
}

export interface evhubProcessorHandlers extends grpc.UntypedServiceImplementation {
  Dispatch: grpc.handleUnaryCall<_evhub_processor_DispatchReq__Output, _evhub_processor_DispatchRsp>;
  
}

export interface evhubProcessorDefinition extends grpc.ServiceDefinition {
  Dispatch: MethodDefinition<_evhub_processor_DispatchReq, _evhub_processor_DispatchRsp, _evhub_processor_DispatchReq__Output, _evhub_processor_DispatchRsp__Output>
}

// Original file: transaction/transaction.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { CallbackReq as _evhub_transaction_CallbackReq, CallbackReq__Output as _evhub_transaction_CallbackReq__Output } from '../evhub_transaction/CallbackReq.ts';
import type { CallbackRsp as _evhub_transaction_CallbackRsp, CallbackRsp__Output as _evhub_transaction_CallbackRsp__Output } from '../evhub_transaction/CallbackRsp.ts';

export interface evhubTransactionClient extends grpc.Client {
  Callback(argument: _evhub_transaction_CallbackReq, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_evhub_transaction_CallbackRsp__Output>): grpc.ClientUnaryCall;
  Callback(argument: _evhub_transaction_CallbackReq, metadata: grpc.Metadata, callback: grpc.requestCallback<_evhub_transaction_CallbackRsp__Output>): grpc.ClientUnaryCall;
  Callback(argument: _evhub_transaction_CallbackReq, options: grpc.CallOptions, callback: grpc.requestCallback<_evhub_transaction_CallbackRsp__Output>): grpc.ClientUnaryCall;
  Callback(argument: _evhub_transaction_CallbackReq, callback: grpc.requestCallback<_evhub_transaction_CallbackRsp__Output>): grpc.ClientUnaryCall;
  callback(argument: _evhub_transaction_CallbackReq, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_evhub_transaction_CallbackRsp__Output>): grpc.ClientUnaryCall;
  callback(argument: _evhub_transaction_CallbackReq, metadata: grpc.Metadata, callback: grpc.requestCallback<_evhub_transaction_CallbackRsp__Output>): grpc.ClientUnaryCall;
  callback(argument: _evhub_transaction_CallbackReq, options: grpc.CallOptions, callback: grpc.requestCallback<_evhub_transaction_CallbackRsp__Output>): grpc.ClientUnaryCall;
  callback(argument: _evhub_transaction_CallbackReq, callback: grpc.requestCallback<_evhub_transaction_CallbackRsp__Output>): grpc.ClientUnaryCall;
  
}

export interface evhubTransactionHandlers extends grpc.UntypedServiceImplementation {
  Callback: grpc.handleUnaryCall<_evhub_transaction_CallbackReq__Output, _evhub_transaction_CallbackRsp>;
  
}

export interface evhubTransactionDefinition extends grpc.ServiceDefinition {
  Callback: MethodDefinition<_evhub_transaction_CallbackReq, _evhub_transaction_CallbackRsp, _evhub_transaction_CallbackReq__Output, _evhub_transaction_CallbackRsp__Output>
}

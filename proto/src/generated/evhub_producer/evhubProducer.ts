// Original file: producer/producer.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { CommitReq as _evhub_producer_CommitReq, CommitReq__Output as _evhub_producer_CommitReq__Output } from '../evhub_producer/CommitReq.ts';
import type { CommitRsp as _evhub_producer_CommitRsp, CommitRsp__Output as _evhub_producer_CommitRsp__Output } from '../evhub_producer/CommitRsp.ts';
import type { PrepareReq as _evhub_producer_PrepareReq, PrepareReq__Output as _evhub_producer_PrepareReq__Output } from '../evhub_producer/PrepareReq.ts';
import type { PrepareRsp as _evhub_producer_PrepareRsp, PrepareRsp__Output as _evhub_producer_PrepareRsp__Output } from '../evhub_producer/PrepareRsp.ts';
import type { ReportReq as _evhub_producer_ReportReq, ReportReq__Output as _evhub_producer_ReportReq__Output } from '../evhub_producer/ReportReq.ts';
import type { ReportRsp as _evhub_producer_ReportRsp, ReportRsp__Output as _evhub_producer_ReportRsp__Output } from '../evhub_producer/ReportRsp.ts';
import type { RollbackReq as _evhub_producer_RollbackReq, RollbackReq__Output as _evhub_producer_RollbackReq__Output } from '../evhub_producer/RollbackReq.ts';
import type { RollbackRsp as _evhub_producer_RollbackRsp, RollbackRsp__Output as _evhub_producer_RollbackRsp__Output } from '../evhub_producer/RollbackRsp.ts';

export interface evhubProducerClient extends grpc.Client {
  Commit(argument: _evhub_producer_CommitReq, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_evhub_producer_CommitRsp__Output>): grpc.ClientUnaryCall;
  Commit(argument: _evhub_producer_CommitReq, metadata: grpc.Metadata, callback: grpc.requestCallback<_evhub_producer_CommitRsp__Output>): grpc.ClientUnaryCall;
  Commit(argument: _evhub_producer_CommitReq, options: grpc.CallOptions, callback: grpc.requestCallback<_evhub_producer_CommitRsp__Output>): grpc.ClientUnaryCall;
  Commit(argument: _evhub_producer_CommitReq, callback: grpc.requestCallback<_evhub_producer_CommitRsp__Output>): grpc.ClientUnaryCall;
  commit(argument: _evhub_producer_CommitReq, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_evhub_producer_CommitRsp__Output>): grpc.ClientUnaryCall;
  commit(argument: _evhub_producer_CommitReq, metadata: grpc.Metadata, callback: grpc.requestCallback<_evhub_producer_CommitRsp__Output>): grpc.ClientUnaryCall;
  commit(argument: _evhub_producer_CommitReq, options: grpc.CallOptions, callback: grpc.requestCallback<_evhub_producer_CommitRsp__Output>): grpc.ClientUnaryCall;
  commit(argument: _evhub_producer_CommitReq, callback: grpc.requestCallback<_evhub_producer_CommitRsp__Output>): grpc.ClientUnaryCall;
  
  Prepare(argument: _evhub_producer_PrepareReq, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_evhub_producer_PrepareRsp__Output>): grpc.ClientUnaryCall;
  Prepare(argument: _evhub_producer_PrepareReq, metadata: grpc.Metadata, callback: grpc.requestCallback<_evhub_producer_PrepareRsp__Output>): grpc.ClientUnaryCall;
  Prepare(argument: _evhub_producer_PrepareReq, options: grpc.CallOptions, callback: grpc.requestCallback<_evhub_producer_PrepareRsp__Output>): grpc.ClientUnaryCall;
  Prepare(argument: _evhub_producer_PrepareReq, callback: grpc.requestCallback<_evhub_producer_PrepareRsp__Output>): grpc.ClientUnaryCall;
  prepare(argument: _evhub_producer_PrepareReq, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_evhub_producer_PrepareRsp__Output>): grpc.ClientUnaryCall;
  prepare(argument: _evhub_producer_PrepareReq, metadata: grpc.Metadata, callback: grpc.requestCallback<_evhub_producer_PrepareRsp__Output>): grpc.ClientUnaryCall;
  prepare(argument: _evhub_producer_PrepareReq, options: grpc.CallOptions, callback: grpc.requestCallback<_evhub_producer_PrepareRsp__Output>): grpc.ClientUnaryCall;
  prepare(argument: _evhub_producer_PrepareReq, callback: grpc.requestCallback<_evhub_producer_PrepareRsp__Output>): grpc.ClientUnaryCall;
  
  Report(argument: _evhub_producer_ReportReq, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_evhub_producer_ReportRsp__Output>): grpc.ClientUnaryCall;
  Report(argument: _evhub_producer_ReportReq, metadata: grpc.Metadata, callback: grpc.requestCallback<_evhub_producer_ReportRsp__Output>): grpc.ClientUnaryCall;
  Report(argument: _evhub_producer_ReportReq, options: grpc.CallOptions, callback: grpc.requestCallback<_evhub_producer_ReportRsp__Output>): grpc.ClientUnaryCall;
  Report(argument: _evhub_producer_ReportReq, callback: grpc.requestCallback<_evhub_producer_ReportRsp__Output>): grpc.ClientUnaryCall;
  report(argument: _evhub_producer_ReportReq, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_evhub_producer_ReportRsp__Output>): grpc.ClientUnaryCall;
  report(argument: _evhub_producer_ReportReq, metadata: grpc.Metadata, callback: grpc.requestCallback<_evhub_producer_ReportRsp__Output>): grpc.ClientUnaryCall;
  report(argument: _evhub_producer_ReportReq, options: grpc.CallOptions, callback: grpc.requestCallback<_evhub_producer_ReportRsp__Output>): grpc.ClientUnaryCall;
  report(argument: _evhub_producer_ReportReq, callback: grpc.requestCallback<_evhub_producer_ReportRsp__Output>): grpc.ClientUnaryCall;
  
  Rollback(argument: _evhub_producer_RollbackReq, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_evhub_producer_RollbackRsp__Output>): grpc.ClientUnaryCall;
  Rollback(argument: _evhub_producer_RollbackReq, metadata: grpc.Metadata, callback: grpc.requestCallback<_evhub_producer_RollbackRsp__Output>): grpc.ClientUnaryCall;
  Rollback(argument: _evhub_producer_RollbackReq, options: grpc.CallOptions, callback: grpc.requestCallback<_evhub_producer_RollbackRsp__Output>): grpc.ClientUnaryCall;
  Rollback(argument: _evhub_producer_RollbackReq, callback: grpc.requestCallback<_evhub_producer_RollbackRsp__Output>): grpc.ClientUnaryCall;
  rollback(argument: _evhub_producer_RollbackReq, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_evhub_producer_RollbackRsp__Output>): grpc.ClientUnaryCall;
  rollback(argument: _evhub_producer_RollbackReq, metadata: grpc.Metadata, callback: grpc.requestCallback<_evhub_producer_RollbackRsp__Output>): grpc.ClientUnaryCall;
  rollback(argument: _evhub_producer_RollbackReq, options: grpc.CallOptions, callback: grpc.requestCallback<_evhub_producer_RollbackRsp__Output>): grpc.ClientUnaryCall;
  rollback(argument: _evhub_producer_RollbackReq, callback: grpc.requestCallback<_evhub_producer_RollbackRsp__Output>): grpc.ClientUnaryCall;
  
}

export interface evhubProducerHandlers extends grpc.UntypedServiceImplementation {
  Commit: grpc.handleUnaryCall<_evhub_producer_CommitReq__Output, _evhub_producer_CommitRsp>;
  
  Prepare: grpc.handleUnaryCall<_evhub_producer_PrepareReq__Output, _evhub_producer_PrepareRsp>;
  
  Report: grpc.handleUnaryCall<_evhub_producer_ReportReq__Output, _evhub_producer_ReportRsp>;
  
  Rollback: grpc.handleUnaryCall<_evhub_producer_RollbackReq__Output, _evhub_producer_RollbackRsp>;
  
}

export interface evhubProducerDefinition extends grpc.ServiceDefinition {
  Commit: MethodDefinition<_evhub_producer_CommitReq, _evhub_producer_CommitRsp, _evhub_producer_CommitReq__Output, _evhub_producer_CommitRsp__Output>
  Prepare: MethodDefinition<_evhub_producer_PrepareReq, _evhub_producer_PrepareRsp, _evhub_producer_PrepareReq__Output, _evhub_producer_PrepareRsp__Output>
  Report: MethodDefinition<_evhub_producer_ReportReq, _evhub_producer_ReportRsp, _evhub_producer_ReportReq__Output, _evhub_producer_ReportRsp__Output>
  Rollback: MethodDefinition<_evhub_producer_RollbackReq, _evhub_producer_RollbackRsp, _evhub_producer_RollbackReq__Output, _evhub_producer_RollbackRsp__Output>
}

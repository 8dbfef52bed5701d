// A typed, promise-based client of Eventyard's (and EvHub's) `evhub_producer.evhubProducer` service:
// Report, Prepare, Commit, Rollback over one grpc-js channel. Answers are EvHub's response objects as
// they arrive (`ret` null or code 0 = success, `event_id` set even on failure); transport failures and
// gRPC status errors (e.g. UNAUTHENTICATED) reject with grpc-js's ServiceError.
import * as grpc from '@grpc/grpc-js';
import {
  loadEvhub,
  type CommitReq,
  type CommitRsp__Output,
  type PrepareReq,
  type PrepareRsp__Output,
  type ReportReq,
  type ReportRsp__Output,
  type RollbackReq,
  type RollbackRsp__Output,
} from '#proto';

export interface ReportClientOptions {
  /** `host:port` of the producer's gRPC port (EvHub's default is 9000). */
  address: string;
  /** @default grpc.credentials.createInsecure() */
  credentials?: grpc.ChannelCredentials;
  /** Sent as `authorization: Bearer <apiKey>` on every call (needed when the producer requires API keys). */
  apiKey?: string;
  /** Deadline of each call, ms. @default 10000 */
  deadlineMs?: number;
  /**
   * Extra grpc-js channel options. `grpc.enable_retries` is 0 unless set here: grpc-js's retry layer
   * costs about a quarter of a unary call's CPU, and a Report the broker did not acknowledge is answered
   * with an error the caller retries (with `option.idempotent.key` set when a duplicate matters).
   * `grpc.enable_channelz` is 0 unless set here too (per-call counters for a debugging service).
   */
  channelOptions?: grpc.ChannelOptions;
}

export interface CallOptions {
  /** Overrides the client's deadline for this call, ms. */
  deadlineMs?: number;
  /** Extra metadata (e.g. a `traceparent`). */
  metadata?: grpc.Metadata;
  /** This call's API key, instead of the client's. */
  apiKey?: string;
  /**
   * Report and Prepare: send as a broadcast (metadata `eventyard-broadcast: true`), delivered to every
   * active processor of the topic whatever their filters (for Prepare: once committed). Needs an API key
   * with the `broadcast` permission.
   */
  broadcast?: boolean;
}

export interface ReportClient {
  report(request: ReportReq, options?: CallOptions): Promise<ReportRsp__Output>;
  prepare(request: PrepareReq, options?: CallOptions): Promise<PrepareRsp__Output>;
  commit(request: CommitReq, options?: CallOptions): Promise<CommitRsp__Output>;
  rollback(request: RollbackReq, options?: CallOptions): Promise<RollbackRsp__Output>;
  /** The underlying grpc-js client, for anything this wrapper does not cover. */
  readonly grpcClient: grpc.Client;
  /** Closes the channel; calls after this fail. */
  close(): void;
}

type UnaryMethod<Req, Rsp> = (request: Req, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<Rsp>) => grpc.ClientUnaryCall;

export function createReportClient(options: ReportClientOptions): ReportClient {
  const { evhubProducer } = loadEvhub();
  const client = new evhubProducer(options.address, options.credentials ?? grpc.credentials.createInsecure(), {
    'grpc.enable_retries': 0,
    'grpc.enable_channelz': 0,
    ...options.channelOptions,
  });
  const defaultDeadlineMs = options.deadlineMs ?? 10_000;

  const call = <Req, Rsp>(method: UnaryMethod<Req, Rsp>, request: Req, callOptions: CallOptions = {}): Promise<Rsp> =>
    new Promise<Rsp>((resolve, reject) => {
      const metadata = callOptions.metadata?.clone() ?? new grpc.Metadata();
      const apiKey = callOptions.apiKey ?? options.apiKey;
      if (apiKey !== undefined) metadata.set('authorization', `Bearer ${apiKey}`);
      if (callOptions.broadcast === true) metadata.set('eventyard-broadcast', 'true');
      const deadline = new Date(Date.now() + (callOptions.deadlineMs ?? defaultDeadlineMs));
      method.call(client, request, metadata, { deadline }, (err, response) => {
        if (err !== null) reject(err);
        else if (response === undefined) reject(new Error('empty response'));
        else resolve(response);
      });
    });

  /* eslint-disable @typescript-eslint/unbound-method -- call() invokes each method with `client` as `this` */
  return {
    report: (request, callOptions) => call<ReportReq, ReportRsp__Output>(client.Report, request, callOptions),
    prepare: (request, callOptions) => call<PrepareReq, PrepareRsp__Output>(client.Prepare, request, callOptions),
    commit: (request, callOptions) => call<CommitReq, CommitRsp__Output>(client.Commit, request, callOptions),
    rollback: (request, callOptions) => call<RollbackReq, RollbackRsp__Output>(client.Rollback, request, callOptions),
    /* eslint-enable @typescript-eslint/unbound-method */
    grpcClient: client,
    close: () => client.close(),
  };
}

// The gRPC edge: `evhub_producer.evhubProducer` on EvHub's wire paths, the standard
// `grpc.health.v1.Health` service and server reflection. Requests grpc-js cannot decode (malformed
// protobuf) are answered by grpc-js itself with INTERNAL and never reach the handlers.
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import { HealthImplementation, protoPath as healthProtoPath } from 'grpc-health-check';
import type { Logger, ServerTls } from '@eventyard/core';
import { loadEvhub, type CommitReq__Output, type PrepareReq__Output, type RollbackReq__Output, type ReportReq__Output, type ReportRsp } from '@eventyard/proto';
import type { Caller } from '../auth/api-key-auth.ts';
import { BROADCAST_METADATA_KEY } from '../auth/broadcast-flag.ts';
import type { ReportService } from '../report/report-service.ts';
import type { TransactionService, TxOutcome } from '../transactions/transaction-service.ts';
import { toEdgeResult, type EdgeResult } from './edge-result.ts';
import { grpcServerCredentials } from './grpc-tls.ts';

export const PRODUCER_SERVICE_NAME = 'evhub_producer.evhubProducer';
const HEALTH_SERVICE_NAME = 'grpc.health.v1.Health';

export interface GrpcServerOptions {
  host: string;
  /** 0 = any free port. */
  port: number;
  reports: ReportService;
  transactions: TransactionService;
  /** Largest request message grpc-js accepts (larger ones fail with RESOURCE_EXHAUSTED). */
  maxReceiveBytes: number;
  /** Serve TLS with this certificate (followed for rotation); undefined = plaintext. */
  tls?: ServerTls | undefined;
  logger: Logger;
}

export interface GrpcServer {
  readonly port: number;
  /** Sets the health status of the producer service and the server as a whole (""). */
  setServing(serving: boolean): void;
  /** Stops taking calls, lets in-flight ones finish for up to graceMs, then cuts the rest. Idempotent. */
  close(graceMs: number): Promise<void>;
}

function firstMetadata(metadata: grpc.Metadata, key: string): string | undefined {
  const value = metadata.get(key)[0];
  return typeof value === 'string' ? value : undefined;
}

/** The peer's IP address without the port: `ipv4:10.0.0.1:5000` → `10.0.0.1`, `ipv6:[::1]:5000` → `::1`. */
export function peerAddress(peer: string): string {
  const bare = peer.replace(/^ipv[46]:/, '');
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(bare);
  if (bracketed !== null) return bracketed[1] ?? bare;
  return bare.replace(/:\d+$/, '');
}

function callerOf(call: grpc.ServerUnaryCall<unknown, unknown>): Caller {
  const authorization = firstMetadata(call.metadata, 'authorization');
  return { ...(authorization === undefined ? {} : { authorization }), address: peerAddress(call.getPeer()) };
}

/** The status error of a refused call, with the trailers that say what to do about it. */
function statusError(result: EdgeResult, eventId: string): Partial<grpc.StatusObject> {
  const trailers = new grpc.Metadata();
  if (eventId !== '') trailers.set('ey-event-id', eventId);
  trailers.set('ey-ret-code', String(result.ret.code));
  if (result.retryAfterMs !== null) trailers.set('grpc-retry-pushback-ms', String(result.retryAfterMs));
  return { code: result.grpcStatus ?? grpc.status.UNKNOWN, details: result.ret.msg, metadata: trailers };
}

export async function startGrpcServer(options: GrpcServerOptions): Promise<GrpcServer> {
  const log = options.logger.child({ component: 'grpc' });
  const evhub = loadEvhub();
  const server = new grpc.Server({
    'grpc.max_receive_message_length': options.maxReceiveBytes,
    'grpc.keepalive_permit_without_calls': 1,
    // Channelz keeps per-call counters and traces for a debugging service we do not serve: pure CPU per call.
    'grpc.enable_channelz': 0,
  });

  const report: grpc.handleUnaryCall<ReportReq__Output, ReportRsp> = (call, callback) => {
    const authorization = firstMetadata(call.metadata, 'authorization');
    const traceParent = firstMetadata(call.metadata, 'traceparent');
    const broadcast = firstMetadata(call.metadata, BROADCAST_METADATA_KEY);
    options.reports
      .report(call.request, {
        edge: 'grpc',
        ...(authorization === undefined ? {} : { authorization }),
        clientAddress: peerAddress(call.getPeer()),
        ...(traceParent === undefined ? {} : { traceParent }),
        ...(broadcast === undefined ? {} : { broadcast }),
      })
      .then(
        (outcome) => {
          const result = toEdgeResult(outcome.error);
          if (result.grpcStatus === null) {
            callback(null, { event_id: outcome.event_id, ret: result.ret });
            return;
          }
          callback(statusError(result, outcome.event_id));
        },
        (err: unknown) => {
          // ReportService resolves every outcome; reaching this is a bug, answered rather than left hanging.
          log.error({ err }, 'report handler failed');
          callback({ code: grpc.status.INTERNAL, details: 'internal error' });
        },
      );
  };

  const txCall =
    <Req>(run: (request: Req, caller: Caller, broadcast: string | undefined, traceParent: string | undefined) => Promise<TxOutcome>) =>
    (call: grpc.ServerUnaryCall<Req, unknown>, callback: grpc.sendUnaryData<unknown>): void => {
      run(call.request, callerOf(call), firstMetadata(call.metadata, BROADCAST_METADATA_KEY), firstMetadata(call.metadata, 'traceparent')).then(
        (outcome) => {
          const result = toEdgeResult(outcome.error);
          if (result.grpcStatus === null) callback(null, outcome.answer);
          else callback(statusError(result, outcome.answer.tx.event_id));
        },
        (err: unknown) => {
          log.error({ err }, 'transaction handler failed');
          callback({ code: grpc.status.INTERNAL, details: 'internal error' });
        },
      );
    };

  server.addService(evhub.evhubProducer.service, {
    Report: report,
    Prepare: txCall<PrepareReq__Output>((request, caller, broadcast) => options.transactions.prepare(request, caller, broadcast)),
    Commit: txCall<CommitReq__Output>((request, caller, broadcast, traceParent) => options.transactions.commit(request, caller, broadcast, traceParent)),
    Rollback: txCall<RollbackReq__Output>((request, caller) => options.transactions.rollback(request, caller)),
  });

  const health = new HealthImplementation({ '': 'NOT_SERVING', [PRODUCER_SERVICE_NAME]: 'NOT_SERVING' });
  health.addToServer(server);

  // Reflection lists what this port serves: the producer service and health, not the other EvHub
  // services that share the package definition.
  const healthDefinition = protoLoader.loadSync(healthProtoPath, { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true });
  const reflection = new ReflectionService({ ...evhub.packageDefinition, ...healthDefinition }, { services: [PRODUCER_SERVICE_NAME, HEALTH_SERVICE_NAME] });
  reflection.addToServer(server);

  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`${options.host}:${options.port}`, grpcServerCredentials(options.tls), (err, bound) => (err === null ? resolve(bound) : reject(err)));
  });
  log.info({ port, tls: options.tls !== undefined, mtls: options.tls?.config.requireClientCert === true }, 'gRPC listening');

  let closing: Promise<void> | undefined;
  return {
    port,
    setServing(serving: boolean): void {
      const status = serving ? 'SERVING' : 'NOT_SERVING';
      health.setStatus('', status);
      health.setStatus(PRODUCER_SERVICE_NAME, status);
    },
    close(graceMs: number): Promise<void> {
      closing ??= new Promise<void>((resolve) => {
        health.setStatus('', 'NOT_SERVING');
        health.setStatus(PRODUCER_SERVICE_NAME, 'NOT_SERVING');
        const force = setTimeout(() => {
          log.warn({ graceMs }, 'gRPC calls still running after the grace period: forcing shutdown');
          server.forceShutdown();
          resolve();
        }, graceMs);
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      });
      return closing;
    },
  };
}

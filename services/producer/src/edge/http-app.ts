// The producer's HTTP routes (EvHub's :8083 mirror, see http-server.ts) as a fastify app. This module is
// imported by http-server.ts on the first request, not at start: a producer that only takes gRPC never
// loads fastify.
//
// `POST /v1/report` takes EvHub's Go-struct JSON or proto3 JSON and answers `{event_id, ret}` like EvHub
// (HTTP 200, outcome in `ret.code`). Bodies that cannot be a Report at all get an HTTP error with the same
// JSON shape: 400 for malformed JSON, 413 over the size limit. `/v1/prepare` `{event, txCallback}`,
// `/v1/commit` `{eventID, trigger}` and `/v1/rollback` `{eventID}` (EvHub's wrappers; proto names and
// proto3 JSON names work too). `POST /v1/cloudevents` takes CloudEvents 1.0 (binary or structured mode;
// ../cloudevents/).
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { ResultCode, isEventyardError, type Logger } from '@eventyard/core';
import { messageFromJson } from '@eventyard/evhub';
import type { CommitReq__Output, PrepareReq__Output, ReportReq__Output, RollbackReq__Output } from '@eventyard/proto';
import type { Caller } from '../auth/api-key-auth.ts';
import { BROADCAST_METADATA_KEY } from '../auth/broadcast-flag.ts';
import { ProducerErrors } from '../error-codes.ts';
import type { ReportService } from '../report/report-service.ts';
import type { TransactionService, TxOutcome } from '../transactions/transaction-service.ts';
import { retryAfterSeconds, toEdgeResult, type EdgeResult } from './edge-result.ts';
import { registerCloudEventRoute } from '../cloudevents/cloudevent-route.ts';
import { lazySchemaCompilers } from './lazy-schema-compilers.ts';

export interface HttpAppOptions {
  reports: ReportService;
  transactions: TransactionService;
  /** Largest request body, bytes. */
  bodyLimit: number;
  logger: Logger;
}

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return typeof value === 'string' ? value : undefined;
}

const MALFORMED_JSON = ProducerErrors.EY_MALFORMED_JSON;

function callerOf(request: FastifyRequest): Caller {
  const authorization = header(request, 'authorization');
  return { ...(authorization === undefined ? {} : { authorization }), address: request.ip };
}

/** The status of an edge result, with `Retry-After` when a limit knows the wait. */
function withStatus(reply: FastifyReply, result: EdgeResult): FastifyReply {
  if (result.retryAfterMs !== null) void reply.header('retry-after', retryAfterSeconds(result.retryAfterMs));
  return reply.code(result.httpStatus);
}

function invalid(reply: FastifyReply, status: number, msg: string): FastifyReply {
  return reply.code(status).send({ ret: { code: ResultCode.INVALID_PARAMETER, msg } });
}

export interface HttpApp {
  /** Takes one of the server's requests (fastify's request handler, with its 503 while closing). */
  handle(request: IncomingMessage, response: ServerResponse): void;
  /** Runs fastify's close hooks; later requests get 503. The server itself is the caller's to close. */
  close(): Promise<void>;
}

/**
 * The routes over `server`, ready. The server is the caller's (fastify's `serverFactory`): the caller
 * listens, hands each request to `handle`, and closes the server and drains its connections.
 */
export async function buildHttpApp(options: HttpAppOptions, server: Server): Promise<HttpApp> {
  const log = options.logger;
  let handle: HttpApp['handle'] | undefined;
  const app = Fastify({
    logger: false,
    bodyLimit: options.bodyLimit,
    return503OnClosing: true,
    schemaController: { compilersFactory: lazySchemaCompilers() },
    serverFactory: (handler) => {
      handle = handler;
      return server;
    },
  }) as unknown as FastifyInstance;

  // Any content type is read as JSON: EvHub clients do not all send `application/json`.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') {
      done(null, undefined);
      return;
    }
    try {
      done(null, JSON.parse(text) as unknown);
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err));
      Object.assign(error, { statusCode: MALFORMED_JSON.http, code: MALFORMED_JSON.code });
      done(error, undefined);
    }
  });

  app.setErrorHandler((error: { code?: string; statusCode?: number; message: string }, _request, reply) => {
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return invalid(reply, 413, `request body exceeds the limit of ${options.bodyLimit} bytes`);
    if (error.code === MALFORMED_JSON.code) return invalid(reply, MALFORMED_JSON.http, `request body is not valid JSON: ${error.message}`);
    if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) return invalid(reply, error.statusCode, error.message);
    log.error({ err: error }, 'http request failed');
    return reply.code(500).send({ ret: { code: ResultCode.SYSTEM_ERROR, msg: 'internal error' } });
  });
  app.setNotFoundHandler((request, reply) => invalid(reply, 404, `no route ${request.method} ${request.url}`));

  app.post('/v1/report', async (request, reply) => {
    if (request.body === undefined) return invalid(reply, 400, 'request body is required: {"event": {...}, "trigger": {...}, "option": {...}}');
    let report: ReportReq__Output;
    try {
      report = messageFromJson<ReportReq__Output>('evhub_producer.ReportReq', request.body);
    } catch (err) {
      if (!isEventyardError(err)) throw err;
      // Not decodable as a Report: like a malformed protobuf on gRPC, there is no event to give an id to.
      return invalid(reply, 400, err.message);
    }
    const authorization = header(request, 'authorization');
    const traceParent = header(request, 'traceparent');
    const broadcast = header(request, BROADCAST_METADATA_KEY);
    const outcome = await options.reports.report(report, {
      edge: 'http',
      ...(authorization === undefined ? {} : { authorization }),
      clientAddress: request.ip,
      ...(traceParent === undefined ? {} : { traceParent }),
      ...(broadcast === undefined ? {} : { broadcast }),
    });
    const result = toEdgeResult(outcome.error);
    return withStatus(reply, result).send({ event_id: outcome.event_id, ret: result.ret });
  });

  registerCloudEventRoute(app, options.reports);

  const txRoute =
    <Req>(typeName: string, run: (request: Req, caller: Caller, broadcast: string | undefined, traceParent: string | undefined) => Promise<TxOutcome>) =>
    async (request: FastifyRequest, reply: FastifyReply) => {
      if (request.body === undefined) return invalid(reply, 400, 'request body is required');
      let message: Req;
      try {
        message = messageFromJson<Req>(typeName, withEventIdAlias(request.body));
      } catch (err) {
        if (!isEventyardError(err)) throw err;
        return invalid(reply, 400, err.message);
      }
      const outcome = await run(message, callerOf(request), header(request, BROADCAST_METADATA_KEY), header(request, 'traceparent'));
      return withStatus(reply, toEdgeResult(outcome.error)).send(outcome.answer);
    };
  app.post(
    '/v1/prepare',
    txRoute<PrepareReq__Output>('evhub_producer.PrepareReq', (m, auth, broadcast) => options.transactions.prepare(m, auth, broadcast)),
  );
  app.post(
    '/v1/commit',
    txRoute<CommitReq__Output>('evhub_producer.CommitReq', (m, auth, broadcast, traceParent) => options.transactions.commit(m, auth, broadcast, traceParent)),
  );
  app.post(
    '/v1/rollback',
    txRoute<RollbackReq__Output>('evhub_producer.RollbackReq', (m, auth) => options.transactions.rollback(m, auth)),
  );

  await app.ready();
  if (handle === undefined) throw new Error('fastify did not hand its request handler to serverFactory');
  return { handle, close: () => app.close() };
}

/** EvHub's commit/rollback JSON names the id `eventID` (Go struct tag), not `event_id`/`eventId`. */
function withEventIdAlias(body: unknown): unknown {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return body;
  const record = body as Record<string, unknown>;
  if (record.eventID === undefined || record.event_id !== undefined || record.eventId !== undefined) return body;
  const { eventID, ...rest } = record;
  return { ...rest, event_id: eventID };
}

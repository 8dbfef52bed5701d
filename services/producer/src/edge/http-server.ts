// The HTTP mirror of the producer (EvHub's :8083; its routes are in http-app.ts). The port listens from
// the start, but fastify and the routes load on the first request: most producers take Reports over gRPC
// only, and fastify with its server costs resident memory in a process that never serves a request
// (12–15 MB of anonymous RSS measured alone; 4–5 MB less in the idle producer, which already holds some of
// what fastify loads). The first request waits for the load (tens of milliseconds); requests that arrive
// meanwhile queue behind it, unread.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { EventyardError, ResultCode, type Logger, type ServerTls } from '@eventyard/core';
import { closeWithin, listenOn, nodeHttp } from '@eventyard/core/foundation';
import { ProducerErrors } from '../error-codes.ts';
import type { ReportService } from '../report/report-service.ts';
import type { TransactionService } from '../transactions/transaction-service.ts';
import type { HttpApp } from './http-app.ts';
import { toEdgeResult } from './edge-result.ts';

export interface HttpServerOptions {
  host: string;
  /** 0 = any free port. */
  port: number;
  reports: ReportService;
  transactions: TransactionService;
  /** Largest request body, bytes. */
  bodyLimit: number;
  /** Serve HTTPS with this certificate (followed for rotation); undefined = plaintext HTTP. */
  tls?: ServerTls | undefined;
  logger: Logger;
}

export interface HttpServer {
  readonly port: number;
  /** Stops taking requests and waits for in-flight ones for up to graceMs. Idempotent. */
  close(graceMs: number): Promise<void>;
}

/** fastify's default keep-alive timeout, which the server had when fastify made it: longer than a load balancer's idle timeout. */
const KEEP_ALIVE_TIMEOUT_MS = 72_000;

/** An answer in the routes' shape to a request no app takes (closing, or the routes failed to load). */
function answer(response: ServerResponse, status: number, ret: { code: number; msg: string }): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', connection: 'close' });
  response.end(JSON.stringify({ ret }));
}

const SHUTTING_DOWN = toEdgeResult(new EventyardError(ProducerErrors.EY_PRODUCER_UNAVAILABLE, 'producer is not accepting reports: shutting down'));

export async function startHttpServer(options: HttpServerOptions): Promise<HttpServer> {
  const log = options.logger.child({ component: 'http' });
  let app: HttpApp | undefined;
  let loading: Promise<HttpApp> | undefined;
  let closing: Promise<void> | undefined;

  const onRequest = (request: IncomingMessage, response: ServerResponse): void => {
    if (app !== undefined) return app.handle(request, response);
    // Never loaded and shutting down: nothing to load the routes for.
    if (closing !== undefined) return answer(response, SHUTTING_DOWN.httpStatus, SHUTTING_DOWN.ret);
    loading ??= import('./http-app.ts').then(({ buildHttpApp }) => buildHttpApp({ ...options, logger: log }, server));
    const pending = loading;
    pending.then(
      (loaded) => {
        app = loaded;
        loaded.handle(request, response);
      },
      (err: unknown) => {
        // A failed load is retried by the next request rather than kept (unless one already started it).
        if (loading === pending) loading = undefined;
        log.error({ err }, 'http routes failed to load');
        answer(response, 500, { code: ResultCode.SYSTEM_ERROR, msg: 'internal error' });
      },
    );
  };

  let server: Server;
  if (options.tls === undefined) server = nodeHttp.createServer(onRequest);
  else {
    const https = createHttpsServer(options.tls.serverOptions(), onRequest);
    // An https server takes rotated certificate files through setSecureContext.
    options.tls.attach(https);
    server = https;
  }
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;

  const port = await listenOn(server, options.host, options.port);
  log.info({ port, tls: options.tls !== undefined, mtls: options.tls?.config.requireClientCert === true }, 'HTTP listening');

  return {
    port,
    close(graceMs: number): Promise<void> {
      closing ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        // A load in flight finishes first, so its waiting requests are answered (by its 503 once closed).
        const loadedClosed = (async () => (app ?? (await loading?.catch(() => undefined)))?.close())();
        await closeWithin(server, graceMs, Promise.all([closed, loadedClosed]));
      })();
      return closing;
    },
  };
}

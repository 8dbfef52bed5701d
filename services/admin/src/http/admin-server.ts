// The admin HTTP server: fastify with strict JSON-schema validation (no type coercion, unknown fields
// refused), authentication of every route but /openapi.json and the console's files at /ui (admin-auth.ts, route-permissions.ts), one error handler producing `{"ret": {"code", "msg"}}`, request
// metrics, and the routes. Listening and closing (with a grace period) live here too.
import type { EgressGuard, Logger, ServerTls } from '@eventyard/core';
import type { Knex } from '@eventyard/db';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import type { AddressInfo } from 'node:net';
import type { Server as TlsServer } from 'node:tls';
import type { KafkaLink } from '../kafka/kafka-link.ts';
import type { AdminMetrics } from '../metrics.ts';
import { loadConsoleAssets } from '../console/console-assets.ts';
import { registerConsoleRoutes } from '../console/console-routes.ts';
import { registerApiKeyRoutes } from '../routes/api-keys.ts';
import { registerEventRoutes } from '../routes/events.ts';
import { registerFilterRoutes } from '../routes/filters.ts';
import { registerTransformRoutes } from '../routes/transforms.ts';
import { registerHistoryRoutes } from '../routes/history.ts';
import { registerOpenApiRoute } from '../routes/openapi.ts';
import { registerProcessorActionRoutes } from '../routes/processor-actions.ts';
import { registerProcessorRoutes } from '../routes/processors.ts';
import { registerProducerRoutes } from '../routes/producers.ts';
import { registerReplayRoutes } from '../routes/replay.ts';
import { registerSourceRoutes } from '../routes/sources.ts';
import { registerStatsRoutes } from '../routes/stats.ts';
import { registerProcessorHealthRoutes } from '../routes/processor-health.ts';
import { registerWatchRoutes, type WatchDeps } from '../routes/watch.ts';
import type { AdminAuthorizer, AdminPrincipal } from './admin-auth.ts';
import { reply, toApiError } from './api-error.ts';
import { clientErrorHandler, refuseNul } from './request-guards.ts';
import { lazyValidators, type LazyValidators } from './lazy-validators.ts';
import { CoreErrors } from '@eventyard/core';
import { closeWithin } from '@eventyard/core/foundation';
import { PUBLIC_ROUTES, ROUTE_PERMISSIONS, routeKey } from './route-permissions.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who the request was authorised as; undefined when the service runs with EY_ADMIN_AUTH=none. */
    adminPrincipal: AdminPrincipal | undefined;
  }
}

export interface AdminServerOptions {
  knex: Knex;
  /** Kafka, connected on first use (replay, redrive, consumer lag). */
  kafka: KafkaLink;
  /** Tells the replay job runner a job was just created. @default nothing (it polls) */
  wakeReplays?: () => void;
  /** Webhook secret rotation overlap when a request names none, seconds. @default 86400 */
  secretRotationOverlapS?: number;
  bodyLimitBytes: number;
  /** Checks each request's bearer credential; undefined = open (EY_ADMIN_AUTH=none, said at every start). */
  authorize?: AdminAuthorizer;
  /** Called after an API key is revoked here, so cached lookups forget it at once. */
  onKeysChanged?: () => void;
  validateFilter: (filter: unknown, field: string) => void;
  /** Checks addresses when processors and producers are saved (the services check again at connect time). */
  egress: EgressGuard;
  metrics: AdminMetrics;
  /** The watch streams' shared feed (connects on the first watch request) and the open streams. */
  watch: Omit<WatchDeps, 'knex' | 'logger'>;
  /** Serve HTTPS with this certificate (EY_TLS_*, followed for rotation); undefined = plaintext HTTP. */
  tls?: ServerTls | undefined;
  logger: Logger;
  /** The routes' validators, compiled on first use. @default a new set (tests pass one to compile them all) */
  validators?: LazyValidators;
}

export function buildAdminServer(options: AdminServerOptions): FastifyInstance {
  const log = options.logger.child({ component: 'admin-http' });
  const app = Fastify({
    logger: false,
    bodyLimit: options.bodyLimitBytes,
    return503OnClosing: true,
    // EvHub's Go JSON sends numbers as numbers: "5" for an integer field is a mistake to report, not to
    // guess at, and an unknown field is a typo to report rather than silently drop.
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: false, useDefaults: false } },
    // Each route's validator is compiled on its first request (lazy-validators.ts says what that saves).
    schemaController: { compilersFactory: { buildValidator: (options.validators ?? lazyValidators()).buildValidator } },
    // Bad URLs and over-long parameters are refused by the router before any hook: same reply shape.
    frameworkErrors: (err, _request, res) => {
      const mapped = toApiError(err, options.bodyLimitBytes);
      // Typed for the route generics of a request that matched no route; a plain reply is what it is.
      void (res as unknown as FastifyReply).code(mapped.status).send(mapped.body);
    },
    clientErrorHandler,
    ...(options.tls === undefined ? {} : { https: options.tls.serverOptions() }),
  }) as unknown as FastifyInstance;
  // An https server takes rotated certificate files through setSecureContext.
  if (options.tls !== undefined) options.tls.attach(app.server as unknown as TlsServer);

  // JSON only: a text body is a wrong content type (415), not a string to validate.
  app.removeContentTypeParser('text/plain');
  // Many HTTP clients send `content-type: application/json` on every request, a DELETE with no body
  // included; fastify's parser refuses an empty JSON body outright. A route that takes no body (no body
  // schema) gets none; a route that takes one still answers EY_INVALID_JSON "request body is empty".
  const jsonParser = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.length === 0 && request.routeOptions.schema?.body === undefined) {
      done(null, undefined);
      return;
    }
    void jsonParser(request, text, done);
  });

  // A route missing from the permission table would otherwise be open to any key: refuse to build.
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) {
      const key = routeKey(method, route.url);
      if (!PUBLIC_ROUTES.has(key) && ROUTE_PERMISSIONS[key] === undefined) throw new Error(`admin route ${key} has no entry in ROUTE_PERMISSIONS`);
    }
  });

  app.decorateRequest('adminPrincipal', undefined);
  const authorize = options.authorize;
  if (authorize !== undefined) {
    app.addHook('onRequest', async (request) => {
      const url = request.routeOptions.url;
      const key = url === undefined ? undefined : routeKey(request.method, url);
      if (key !== undefined && PUBLIC_ROUTES.has(key)) return;
      request.adminPrincipal = await authorize(request.headers.authorization, key === undefined ? undefined : ROUTE_PERMISSIONS[key]);
    });
  }

  // Postgres text cannot hold U+0000: refuse it up front with the field's name instead of a 500.
  app.addHook('preValidation', async (request) => refuseNul(request));

  app.addHook('onResponse', async (request, response) => {
    const route = request.routeOptions.url ?? 'unmatched';
    options.metrics.requests.inc({ method: request.method, route, status: String(response.statusCode) });
    options.metrics.requestSeconds.observe({ method: request.method, route }, response.elapsedTime / 1000);
  });

  app.setErrorHandler(async (err, request, res) => {
    const mapped = toApiError(err, options.bodyLimitBytes);
    if (mapped.internal) log.error({ err, method: request.method, url: request.routeOptions.url }, 'admin request failed');
    return res.code(mapped.status).send(mapped.body);
  });

  app.setNotFoundHandler(async (request, res) => {
    const { status, body } = reply(CoreErrors.EY_ROUTE_NOT_FOUND, `no route ${request.method} ${request.url.split('?')[0] ?? ''}`);
    return res.code(status).send(body);
  });

  registerOpenApiRoute(app);
  registerConsoleRoutes(app, loadConsoleAssets());
  registerProducerRoutes(app, { knex: options.knex, egress: options.egress });
  registerProcessorRoutes(app, { knex: options.knex, validateFilter: options.validateFilter, egress: options.egress });
  registerEventRoutes(app, { knex: options.knex, publishStatus: (changes) => options.kafka.publishStatus(changes) });
  registerWatchRoutes(app, { ...options.watch, knex: options.knex, logger: log });
  registerFilterRoutes(app);
  registerTransformRoutes(app);
  registerHistoryRoutes(app, { knex: options.knex });
  registerStatsRoutes(app, { knex: options.knex, kafka: options.kafka });
  registerProcessorHealthRoutes(app, { knex: options.knex });
  registerApiKeyRoutes(app, { knex: options.knex, ...(options.onKeysChanged === undefined ? {} : { onKeysChanged: options.onKeysChanged }) });
  registerReplayRoutes(app, { knex: options.knex, kafka: options.kafka, ...(options.wakeReplays === undefined ? {} : { wakeReplays: options.wakeReplays }) });
  registerSourceRoutes(app, { knex: options.knex });
  registerProcessorActionRoutes(app, {
    knex: options.knex,
    ...(options.wakeReplays === undefined ? {} : { wakeReplays: options.wakeReplays }),
    ...(options.secretRotationOverlapS === undefined ? {} : { secretRotationOverlapS: options.secretRotationOverlapS }),
  });
  return app;
}

/** Listens and returns the bound port. */
export async function listen(app: FastifyInstance, host: string, port: number): Promise<number> {
  await app.listen({ host, port });
  return (app.server.address() as AddressInfo).port;
}

/**
 * Stops accepting, lets in-flight requests finish for up to graceMs, then cuts what is left; a keep-alive
 * connection is dropped once idle rather than holding the stop (closeWithin).
 */
export function closeWithGrace(app: FastifyInstance, graceMs: number): Promise<void> {
  return closeWithin(app.server, graceMs, app.close());
}

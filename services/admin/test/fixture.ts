// Test fixture: a fresh migrated database and the admin service built with createApp on free ports,
// with a small JSON client over real HTTP that sends the fixture's admin token (the admin refuses to start
// without one) unless a test passes its own authorization header.
import type { TestContext } from 'node:test';
import { createMetricsRegistry, EgressGuard, silentLogger } from '@eventyard/core';
import { createKnex } from '@eventyard/db';
import { createDatabase, type TestDatabase } from '@eventyard/db/testing';
import type { FastifyInstance } from 'fastify';
import { createApp, type AdminApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { buildAdminServer, type AdminServerOptions } from '../src/http/admin-server.ts';
import { createKafkaLink } from '../src/kafka/kafka-link.ts';
import { createAdminMetrics } from '../src/metrics.ts';
import { StatusFeed } from '../src/watch/status-feed.ts';

export interface Reply {
  status: number;
  // Tests read fields freely; the shapes are asserted where they matter.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

/** The admin token of every fixture admin (EY_ADMIN_TOKEN); a test may set another through env. */
export const TEST_ADMIN_TOKEN = 'admin-test-token-0123456789';

export interface AdminFixture {
  app: AdminApp;
  db: TestDatabase;
  baseUrl: string;
  /** Calls with `authorization: Bearer <admin token>`; a headers.authorization given replaces it ('' = none). */
  call: (method: string, path: string, body?: unknown, headers?: Record<string, string>) => Promise<Reply>;
}

export async function startAdmin(t: TestContext, env: Record<string, string> = {}): Promise<AdminFixture> {
  const started: { app?: AdminApp } = {};
  // Registered before createDatabase's hook: the app must stop before its database is dropped.
  t.after(() => started.app?.close());
  const db = await createDatabase(t);
  // Test processors listen on loopback, which the egress guard refuses unless allowed (as `eventyard dev` does).
  const config = loadConfig({
    EY_DATABASE_URL: db.url,
    EY_ADMIN_PORT: '0',
    EY_ADMIN_HOST: '127.0.0.1',
    EY_HEALTH_PORT: '0',
    EY_SHUTDOWN_GRACE_MS: '1000',
    EY_EGRESS_ALLOW: '127.0.0.0/8,::1',
    EY_ADMIN_TOKEN: TEST_ADMIN_TOKEN,
    ...env,
  });
  const app = (started.app = createApp(config, { logger: silentLogger() }));
  await app.start();
  const baseUrl = `http://127.0.0.1:${app.ports.http}`;
  return {
    app,
    db,
    baseUrl,
    call: jsonCaller(baseUrl, env.EY_ADMIN_TOKEN ?? TEST_ADMIN_TOKEN),
  };
}

/**
 * A small JSON client over real HTTP: a string body is sent as is, anything else as JSON. With a token,
 * every call carries it unless the test's headers say otherwise (authorization '' sends none).
 */
export function jsonCaller(baseUrl: string, token?: string): AdminFixture['call'] {
  return async (method, path, body, headers = {}) => {
    const auth = headers.authorization ?? (token === undefined ? '' : `Bearer ${token}`);
    const { authorization: _given, ...rest } = headers;
    const init: RequestInit = { method, headers: { ...rest, ...(auth === '' ? {} : { authorization: auth }) } };
    if (body !== undefined) {
      init.body = typeof body === 'string' ? body : JSON.stringify(body);
      (init.headers as Record<string, string>)['content-type'] ??= 'application/json';
    }
    const res = await fetch(`${baseUrl}${path}`, init);
    const text = await res.text();
    return { status: res.status, body: text === '' ? undefined : (JSON.parse(text) as unknown) };
  };
}

/**
 * The admin's HTTP server alone, on a database and a broker that do not exist (knex and the Kafka link
 * connect on first use, and nothing here uses them): for tests of the routes as registered. Closed after
 * the test.
 */
export function offlineAdminServer(t: TestContext, options: Partial<AdminServerOptions> = {}): FastifyInstance {
  const knex = createKnex('postgres://u:p@127.0.0.1:1/none');
  const kafka = { brokers: ['127.0.0.1:1'], clientId: 't', maxBatchBytes: 1_000_000 };
  const server = buildAdminServer({
    knex,
    kafka: createKafkaLink({ kafka, logger: silentLogger() }),
    bodyLimitBytes: 1024,
    validateFilter: () => undefined,
    egress: new EgressGuard({}),
    metrics: createAdminMetrics(createMetricsRegistry('admin-offline-test')),
    watch: { feed: new StatusFeed({ kafka, topics: {}, logger: silentLogger() }), streams: new Set() },
    logger: silentLogger(),
    ...options,
  });
  t.after(async () => {
    await server.close();
    await knex.destroy();
  });
  return server;
}

// Every service's operational HTTP endpoint: /healthz (the process is alive), /readyz (it can take work:
// connected to Kafka and Postgres) and /metrics (Prometheus text). Three fixed routes with no body
// parsing, so node:http is enough here; API servers use fastify.
import type { Server } from 'node:http';
import { nodeHttp } from './node-http.ts';
import type { AddressInfo } from 'node:net';
import { Registry, collectDefaultMetrics } from 'prom-client';

export interface HealthServerOptions {
  /** 0 = any free port. */
  port: number;
  /** @default '0.0.0.0' */
  host?: string;
  registry: Registry;
  /** Readiness: each check returns true when ready; /readyz lists the failing ones. */
  readiness?: Record<string, () => boolean>;
}

export interface HealthServer {
  readonly port: number;
  close(): Promise<void>;
}

/** A fresh registry per service (never the global one), with Node's default metrics under `eventyard_`. */
export function createMetricsRegistry(service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  // The event-loop-lag monitor is a libuv timer: prom-client's default 10 ms woke every idle service 100
  // times a second, which on a small VM cost more CPU than the service's idle work; at 100 ms it still
  // cost 0.075 % of a core per process (measured beside a bare node, 2026-12-06), a fifth of an idle
  // service. At 1 s it sees every stall of a second or more and a shorter one with odds of its length
  // over a second (lag is the timer's lateness), so load that keeps the loop busy still shows.
  collectDefaultMetrics({ register: registry, prefix: 'eventyard_', eventLoopMonitoringPrecision: 1000 });
  return registry;
}

export async function startHealthServer(options: HealthServerOptions): Promise<HealthServer> {
  const server: Server = nodeHttp.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
    } else if (path === '/readyz') {
      const failing = Object.entries(options.readiness ?? {})
        .filter(([, check]) => !check())
        .map(([name]) => name);
      res.writeHead(failing.length === 0 ? 200 : 503, { 'content-type': 'application/json' });
      res.end(JSON.stringify(failing.length === 0 ? { status: 'ready' } : { status: 'not_ready', failing }));
    } else if (path === '/metrics') {
      options.registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': options.registry.contentType }).end(text),
        (err: unknown) => res.writeHead(500).end(String(err)),
      );
    } else {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '0.0.0.0', () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

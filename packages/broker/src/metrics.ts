// The broker's Prometheus metrics, in a Registry of its own (never prom-client's global one, so two
// brokers in one process, as in tests, do not collide): bytes in/out, requests and response error
// codes by API, request latency, connections, and, read at scrape time, partition sizes and offsets
// and the number of groups in each state.
import type { Server } from 'node:http';
import { listenOn, nodeHttp } from '@eventyard/core/foundation';
import type { Logger } from 'pino';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { RequestObserver } from './apis/dispatcher.ts';
import type { GroupCoordinator } from './coordinator/group-coordinator.ts';
import type { LogManager } from './log/index.ts';
import { errorName } from './protocol/index.ts';

export class BrokerMetrics {
  readonly registry = new Registry();
  readonly #bytesIn: Counter;
  readonly #bytesOut: Counter;
  readonly #requests: Counter<'api'>;
  readonly #errors: Counter<'api' | 'error'>;
  readonly #latency: Histogram<'api'>;
  readonly #connections: Gauge;

  constructor(sources: { logs: LogManager; coordinator: GroupCoordinator }) {
    const registers = [this.registry];
    this.#bytesIn = new Counter({ name: 'eventyard_broker_bytes_in_total', help: 'Bytes received from clients', registers });
    this.#bytesOut = new Counter({ name: 'eventyard_broker_bytes_out_total', help: 'Bytes sent to clients', registers });
    this.#requests = new Counter({ name: 'eventyard_broker_requests_total', help: 'Requests answered, by API', labelNames: ['api'], registers });
    this.#errors = new Counter({
      name: 'eventyard_broker_response_errors_total',
      help: 'Error codes in responses, by API and Kafka error name (NONE included), counted per partition or group as Kafka does',
      labelNames: ['api', 'error'],
      registers,
    });
    this.#latency = new Histogram({
      name: 'eventyard_broker_request_duration_seconds',
      help: 'Time from a request being read to its response being ready (long polls and rebalances included)',
      labelNames: ['api'],
      buckets: [0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30],
      registers,
    });
    this.#connections = new Gauge({ name: 'eventyard_broker_connections', help: 'Open client connections', registers });
    const { logs, coordinator } = sources;
    const eachPartition = (fn: (labels: { topic: string; partition: string }, log: NonNullable<ReturnType<LogManager['partition']>>) => void) => {
      for (const topic of logs.listTopics()) {
        for (let p = 0; p < topic.partitions; p++) {
          const log = logs.partition(topic.name, p);
          if (log !== undefined) fn({ topic: topic.name, partition: String(p) }, log);
        }
      }
    };
    new Gauge({
      name: 'eventyard_broker_partition_size_bytes',
      help: 'Bytes on disk per partition log',
      labelNames: ['topic', 'partition'],
      registers,
      collect() {
        this.reset();
        eachPartition((labels, log) => this.set(labels, log.sizeBytes));
      },
    });
    new Gauge({
      name: 'eventyard_broker_partition_high_watermark',
      help: 'High watermark (next offset) per partition',
      labelNames: ['topic', 'partition'],
      registers,
      collect() {
        this.reset();
        eachPartition((labels, log) => this.set(labels, Number(log.highWatermark)));
      },
    });
    new Gauge({
      name: 'eventyard_broker_partition_log_start_offset',
      help: 'First offset still in the log per partition',
      labelNames: ['topic', 'partition'],
      registers,
      collect() {
        this.reset();
        eachPartition((labels, log) => this.set(labels, Number(log.logStartOffset)));
      },
    });
    new Gauge({
      name: 'eventyard_broker_groups',
      help: 'Consumer groups by state',
      labelNames: ['state'],
      registers,
      collect() {
        for (const [state, count] of Object.entries(coordinator.stateCounts())) this.set({ state }, count);
      },
    });
  }

  readonly observer: RequestObserver = {
    onResponse: (api, errorCodes, seconds) => {
      this.#requests.inc({ api });
      this.#latency.observe({ api }, seconds);
      for (const [code, count] of errorCodes) this.#errors.inc({ api, error: errorName(code) ?? String(code) }, count);
    },
  };

  bytesIn(n: number): void {
    this.#bytesIn.inc(n);
  }

  bytesOut(n: number): void {
    this.#bytesOut.inc(n);
  }

  connections(count: number): void {
    this.#connections.set(count);
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }
}

/** Serves GET /metrics on its own port. Resolves with the bound port. */
export async function serveMetrics(metrics: BrokerMetrics, host: string, port: number, logger?: Logger): Promise<{ port: number; server: Server }> {
  const server = nodeHttp.createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    metrics.text().then(
      (text) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text),
      (err: unknown) => {
        logger?.error({ err }, 'metrics collection failed');
        res.writeHead(500, { 'content-type': 'text/plain' }).end('metrics collection failed\n');
      },
    );
  });
  return { port: await listenOn(server, host, port), server };
}

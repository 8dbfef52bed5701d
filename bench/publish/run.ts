// Does the Report micro-batcher pay for itself? Runs the producer in-process against the project's
// broker (fsync per produce, its default) and a throwaway Postgres, and reports over gRPC at several
// concurrencies with: one record per produce request (no batching), and batches with 1 or 4 requests
// in flight. Prints Reports/s and latency percentiles per setting.
//   node bench/publish/run.ts [reportsPerRun=3000]   (pnpm bench:publish)
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { startBroker } from '@eventyard/broker';
import { silentLogger } from '@eventyard/core';
import { createDatabase } from '@eventyard/db/testing';
import { createReportClient } from '@eventyard/sdk';
import { createApp, loadConfig } from '@eventyard/producer';
import { percentile } from '../e2e/report.ts';

const REPORTS = Number(process.argv[2] ?? 3000);
const SETTINGS = [
  { name: 'no batching (1 record/request, 64 in flight)', maxRecords: '1', maxInFlight: '64' },
  { name: 'batching, 1 request in flight', maxRecords: '500', maxInFlight: '1' },
  { name: 'batching, 4 requests in flight', maxRecords: '500', maxInFlight: '4' },
];
const CONCURRENCY = [1, 16, 128];

const cleanups: Array<() => Promise<void> | void> = [];
const t = { after: (fn: () => Promise<void> | void) => cleanups.push(fn) } as unknown as TestContext;

try {
  const db = await createDatabase(t);
  for (const setting of SETTINGS) {
    const dataDir = await mkdtemp(join(tmpdir(), 'ey-producer-bench-'));
    const broker = await startBroker({ port: 0, dataDir });
    const app = createApp(
      loadConfig({
        EY_DATABASE_URL: db.url,
        EY_KAFKA_BROKERS: `127.0.0.1:${broker.port}`,
        EY_GRPC_PORT: '0',
        EY_HTTP_PORT: '0',
        EY_TOPIC_PARTITIONS: '6',
        EY_PUBLISH_BATCH_MAX_RECORDS: setting.maxRecords,
        EY_PUBLISH_MAX_IN_FLIGHT: setting.maxInFlight,
      }),
      { logger: silentLogger() },
    );
    await app.start();
    const client = createReportClient({ address: `127.0.0.1:${app.ports.grpc}` });
    const data = Buffer.alloc(256, 97);
    // Warm-up: connections, metadata, JIT.
    await Promise.all(Array.from({ length: 200 }, () => client.report({ event: { app_id: 'bench', topic_id: 'warm', data } })));
    for (const concurrency of CONCURRENCY) {
      const latencies: number[] = [];
      let next = 0;
      let failed = 0;
      const started = performance.now();
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (next < REPORTS) {
            next += 1;
            const t0 = performance.now();
            const rsp = await client.report({ event: { app_id: 'bench', topic_id: 'run', data } });
            latencies.push(performance.now() - t0);
            if ((rsp.ret?.code ?? 0) !== 0) failed += 1;
          }
        }),
      );
      const seconds = (performance.now() - started) / 1000;
      latencies.sort((a, b) => a - b);
      console.log(
        `${setting.name.padEnd(46)} concurrency ${String(concurrency).padStart(3)}: ${Math.round(REPORTS / seconds)
          .toString()
          .padStart(
            6,
          )} reports/s  p50 ${percentile(latencies, 50).toFixed(2)} ms  p99 ${percentile(latencies, 99).toFixed(2)} ms${failed > 0 ? `  failed ${failed}` : ''}`,
      );
    }
    client.close();
    await app.close();
    await broker.close();
    await rm(dataDir, { recursive: true, force: true });
  }
} finally {
  for (const cleanup of cleanups.reverse()) await cleanup();
}

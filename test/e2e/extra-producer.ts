// Another producer process on a stack's database and broker, beside the stack's own: the service's
// main.ts, or a test entry built on it (e.g. one with a fault point). Killed when the test ends.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { NODE_FLAGS, REPO_ROOT } from '@eventyard/cli/stack';
import { findFreePort } from '@eventyard/db';
import { createReportClient, type ReportClient } from '@eventyard/sdk';
import { waitUntil, type RunningStack } from './stack.ts';

export interface ExtraProducer {
  client: ReportClient;
  /** stdout and stderr so far. */
  output(): string;
  /** SIGKILL (no graceful shutdown); resolves once the process is gone. */
  kill(): Promise<void>;
}

export interface ExtraProducerOptions {
  /** Entry file relative to the repository. @default 'services/producer/src/main.ts' */
  entry?: string;
  env?: Record<string, string>;
}

export async function startExtraProducer(t: TestContext, stack: RunningStack, options: ExtraProducerOptions = {}): Promise<ExtraProducer> {
  const [grpcPort, httpPort, healthPort] = [await findFreePort(), await findFreePort(), await findFreePort()];
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('EY_')));
  const child = spawn(process.execPath, [...NODE_FLAGS, join(REPO_ROOT, options.entry ?? 'services/producer/src/main.ts')], {
    env: {
      ...env,
      EY_DATABASE_URL: stack.databaseUrl,
      EY_KAFKA_BROKERS: stack.kafkaBrokers,
      EY_LOG_LEVEL: 'warn',
      EY_TOPIC_PARTITIONS: '3',
      EY_GRPC_PORT: String(grpcPort),
      EY_HTTP_PORT: String(httpPort),
      EY_HEALTH_PORT: String(healthPort),
      // As the stack's own producer (stack.ts): its clients report anonymously.
      EY_REQUIRE_API_KEY: 'false',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const kill = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  };
  t.after(kill);
  await waitUntil(
    async () => {
      if (child.exitCode !== null) throw new Error(`extra producer exited with ${child.exitCode}:\n${output}`);
      return (await fetch(`http://127.0.0.1:${healthPort}/readyz`).catch(() => undefined))?.status === 200;
    },
    60_000,
    'the extra producer ready',
  );
  const client = createReportClient({ address: `127.0.0.1:${grpcPort}` });
  t.after(() => client.close());
  return { client, output: () => output, kill };
}

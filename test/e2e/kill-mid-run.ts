// The shared shape of the kill -9 tests: a few thousand events reported over gRPC with 20 in flight,
// one service (or the broker) SIGKILLed once a third of them were delivered (or two thirds reported) and
// started again (Postgres: stopped for 2 s and started again), then every event whose Report was
// acknowledged must reach the Dispatch server and have its history row. Reports that fail while a
// killed producer or broker is down are not acknowledged, so they are not counted. Duplicates are
// reported as a diagnostic and bounded.
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { restartTestServer } from '@eventyard/db/testing';
import { createReportClient, startDispatchServer } from '@eventyard/sdk';
import { registerProcessor } from './event-kinds.ts';
import { startStack, waitForRouterProcessors, waitUntil, type ServiceName } from './stack.ts';

export async function killMidRun(t: TestContext, victim: ServiceName | 'broker' | 'postgres', events = 3000): Promise<void> {
  const stack = await startStack(t, { brokerProcess: victim === 'broker' });
  const seen = new Map<string, number>();
  const server = await startDispatchServer({
    port: 0,
    host: '127.0.0.1',
    handler: async (req) => {
      seen.set(req.event_id, (seen.get(req.event_id) ?? 0) + 1);
      return { ret: { code: 0, msg: '' }, pass_back: Buffer.alloc(0) };
    },
  });
  t.after(() => server.close());
  await registerProcessor(stack, {
    dispatcher_id: `kill-${victim}`,
    app_id: 'app',
    topic_id: 'load',
    protocol_type: 'grpcSend',
    addr: `127.0.0.1:${server.port}`,
    timeout: 3000,
  });
  await waitForRouterProcessors(stack, 1);

  const client = createReportClient({ address: `127.0.0.1:${stack.port('producer', 'grpc')}` });
  t.after(() => client.close());
  const acknowledged: string[] = [];
  let refused = 0;
  let killed = false;
  let next = 0;
  await Promise.all(
    Array.from({ length: 20 }, async () => {
      while (next < events) {
        const n = next++;
        try {
          const rsp = await client.report({ event: { app_id: 'app', topic_id: 'load', data: Buffer.from(String(n)) } });
          if ((rsp.ret?.code ?? 0) === 0) acknowledged.push(rsp.event_id);
          else refused++;
        } catch {
          // The producer was down: this Report was never acknowledged.
          refused++;
        }
        // Mid-run: once a third are delivered, or (when delivery lags far behind on a busy machine) once
        // two thirds are reported, so the kill always lands while Reports are still being sent.
        if (!killed && (seen.size >= events / 3 || n >= (events * 2) / 3)) {
          killed = true;
          if (victim === 'broker') {
            await stack.restartBroker();
          } else if (victim === 'postgres') {
            // Not a kill -9: the test cluster runs without fsync, so only a clean stop keeps its commits.
            await restartTestServer(2000);
          } else {
            await stack.kill(victim);
            await stack.start(victim);
          }
        }
      }
    }),
  );
  assert.ok(killed, `the ${victim} was killed mid-run`);
  if (victim === 'router' || victim === 'dispatcher' || victim === 'postgres')
    assert.equal(acknowledged.length, events, 'every report acknowledged (only a killed producer or broker refuses any)');
  assert.ok(acknowledged.length >= events / 3, 'most reports acknowledged');
  await waitUntil(() => acknowledged.every((id) => seen.has(id)), 120_000, 'every acknowledged event delivered');
  const recorded = (await stack.knex('events').whereIn('event_id', acknowledged).count('* as n')) as Array<{ n: string }>;
  assert.equal(Number(recorded[0]?.n), acknowledged.length, 'every acknowledged event has its history row');
  const duplicates = [...seen.values()].reduce((sum, count) => sum + count - 1, 0);
  t.diagnostic(
    `${victim} ${victim === 'postgres' ? 'restart' : 'kill -9'}: ${acknowledged.length} acknowledged (${refused} refused while it was down), all delivered; duplicates: ${duplicates}`,
  );
  assert.ok(duplicates < events, 'duplicates bounded by one redelivery per event');
}

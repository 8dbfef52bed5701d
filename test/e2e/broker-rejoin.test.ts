// A broker restart makes every consumer group rejoin, and kafkajs then fetches again from the last
// committed offset. Records a running router or dispatcher had already finished since that commit must
// not be routed or delivered a second time. Commits are put off (60 s, none by record count) so that
// nothing is committed when the broker is killed: every record is fetched again, and each must still
// arrive exactly once.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createReportClient } from '@eventyard/sdk';
import { registerProcessor, startCollector } from './event-kinds.ts';
import { startStack, waitForRouterProcessors, waitUntil, type RunningStack } from './stack.ts';

async function metric(stack: RunningStack, service: 'router' | 'dispatcher', pattern: RegExp): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${stack.healthPort(service)}/metrics`)).text();
  return Number(pattern.exec(text)?.[1] ?? 0);
}

test('after a broker kill -9 and restart, records finished before it are neither routed nor delivered again', async (t) => {
  const stack = await startStack(t, {
    services: ['admin', 'producer', 'router', 'dispatcher'],
    brokerProcess: true,
    env: { EY_ROUTER_COMMIT_INTERVAL_MS: '60000', EY_ROUTER_COMMIT_RECORDS: '0', EY_DISPATCH_COMMIT_INTERVAL_MS: '60000' },
  });
  const collector = await startCollector(t);
  await registerProcessor(stack, {
    dispatcher_id: 'rejoin',
    app_id: 'app',
    topic_id: 'rejoin',
    protocol_type: 'grpcSend',
    addr: collector.addr,
    timeout: 3000,
  });
  await waitForRouterProcessors(stack, 1);
  const client = createReportClient({ address: `127.0.0.1:${stack.port('producer', 'grpc')}` });
  t.after(() => client.close());

  const before: string[] = [];
  for (let n = 0; n < 200; n++) {
    const rsp = await client.report({ event: { app_id: 'app', topic_id: 'rejoin', data: Buffer.from(String(n)) } });
    assert.equal(rsp.ret?.code ?? 0, 0);
    before.push(rsp.event_id);
  }
  await waitUntil(() => before.every((id) => collector.received.some((r) => r.event_id === id)), 60_000, 'the first 200 delivered');

  await stack.restartBroker();
  // Reported once everything reconnected: proves the pipeline runs again after the rejoin.
  let after = '';
  await waitUntil(
    async () => {
      try {
        const rsp = await client.report({ event: { app_id: 'app', topic_id: 'rejoin', data: Buffer.from('after') } });
        after = rsp.event_id;
        return (rsp.ret?.code ?? 0) === 0;
      } catch {
        return false;
      }
    },
    30_000,
    'a Report accepted after the restart',
  );
  await collector.waitFor(after, 30_000);
  // Both groups fetched ingest / the delivery topic again from offset 0 and skipped what they had done.
  await waitUntil(
    async () => (await metric(stack, 'router', /^eventyard_router_refetched_skipped_total(?:\{[^}]*\})? (\d+)/m)) >= 200,
    30_000,
    'the router skipped the 200 it had routed',
  );
  await waitUntil(
    async () => (await metric(stack, 'dispatcher', /^eventyard_dispatcher_refetched_skipped_total\{[^}]*processor="rejoin"[^}]*\} (\d+)/m)) >= 200,
    30_000,
    'the dispatcher skipped the 200 it had delivered',
  );

  const counts = new Map<string, number>();
  for (const r of collector.received) counts.set(r.event_id, (counts.get(r.event_id) ?? 0) + 1);
  const repeated = [...counts].filter(([, n]) => n > 1);
  assert.deepEqual(repeated, [], 'no event delivered twice');
  assert.equal(counts.size, 201);
});

// Issue 7 end to end over real processes: a processor whose Dispatch server always fails ends `dead`;
// once the server is fixed, POST /v1/processors/:id/redrive gives the dead delivery a new manual attempt
// that succeeds, and the event's history shows it as the last attempt, `manual`, after the `auto` ones.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createReportClient, startDispatchServer } from '@eventyard/sdk';
import { startStack, waitForRouterProcessors, waitUntil, adminCall as admin, type RunningStack } from './stack.ts';

type Json = Record<string, unknown>;

interface Delivery {
  dispatcher_id: string;
  status: string;
  retry_source: string | null;
  attempts: Array<{ retry_source: string; retry_times: number; outcome: string }>;
}

async function delivery(stack: RunningStack, eventId: string, dispatcherId: string): Promise<Delivery | undefined> {
  const view = await admin(stack, 'GET', `/v1/events/${eventId}`);
  return (view.body.deliveries as Delivery[] | undefined)?.find((d) => d.dispatcher_id === dispatcherId);
}

test('a dead delivery is redriven once the consumer is fixed', async (t) => {
  const stack = await startStack(t);
  let healthy = false;
  const received: Array<{ event_id: string; retry_times: number; ok: boolean }> = [];
  const server = await startDispatchServer({
    port: 0,
    host: '127.0.0.1',
    handler: async (req) => {
      received.push({ event_id: req.event_id, retry_times: req.retry_times, ok: healthy });
      return healthy
        ? { ret: { code: 0, msg: 'ok' }, pass_back: Buffer.alloc(0) }
        : { ret: { code: 500, msg: 'down for maintenance' }, pass_back: Buffer.alloc(0) };
    },
  });
  t.after(() => server.close());

  const saved = await admin(stack, 'POST', '/v1/processor', {
    processor_conf_info: {
      dispatcher_id: 'e2e-ledger',
      app_id: 'shop',
      topic_id: 'ledger',
      protocol_type: 'grpcSend',
      addr: `127.0.0.1:${server.port}`,
      timeout: 2000,
      retry_strategy: { retry_count: 2, retry_interval: 300 },
    },
  });
  assert.equal(saved.status, 200, JSON.stringify(saved.body));
  await waitForRouterProcessors(stack, 1);

  const client = createReportClient({ address: `127.0.0.1:${stack.port('producer', 'grpc')}` });
  t.after(() => client.close());
  const rsp = await client.report({ event: { app_id: 'shop', topic_id: 'ledger', data: Buffer.from('{"entry":42}') } });
  assert.equal(rsp.ret?.code ?? 0, 0, JSON.stringify(rsp.ret));
  const eventId = rsp.event_id;

  await waitUntil(async () => (await delivery(stack, eventId, 'e2e-ledger'))?.status === 'dead', 30_000, 'delivery dead');
  assert.equal(received.filter((r) => r.event_id === eventId).length, 2, 'retry_count attempts, all failed');

  healthy = true;
  const dry = await admin(stack, 'POST', '/v1/processors/e2e-ledger/redrive', { dry_run: true });
  assert.equal(dry.status, 200, JSON.stringify(dry.body));
  assert.equal(dry.body.matched, 1);
  const redrive = await admin(stack, 'POST', '/v1/processors/e2e-ledger/redrive', {});
  assert.equal(redrive.status, 202, JSON.stringify(redrive.body));
  assert.equal(redrive.body.matched, 1);
  const replayId = String(redrive.body.replay_id);

  await waitUntil(async () => ((await admin(stack, 'GET', `/v1/replays/${replayId}`)).body.replay as Json).status === 'succeeded', 30_000, 'redrive job done');
  const job = (await admin(stack, 'GET', `/v1/replays/${replayId}`)).body.replay as Json;
  assert.equal(job.replayed, 1);
  await waitUntil(async () => (await delivery(stack, eventId, 'e2e-ledger'))?.status === 'succeeded', 30_000, 'redriven delivery succeeded');

  const done = await delivery(stack, eventId, 'e2e-ledger');
  assert.equal(done?.retry_source, 'manual');
  assert.deepEqual(
    done?.attempts.map((a) => `${a.retry_source}:${a.retry_times}`),
    ['auto:0', 'auto:1', 'manual:0'],
    'two automatic attempts, then the redrive as a fresh manual first attempt',
  );
  assert.equal(done?.attempts.at(-1)?.outcome, 'success');
  const calls = received.filter((r) => r.event_id === eventId);
  assert.equal(calls.length, 3);
  assert.deepEqual(calls.at(-1), { event_id: eventId, retry_times: 0, ok: true });
});

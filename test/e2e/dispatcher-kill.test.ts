// Reliability: a dispatcher SIGKILLed in the middle of a run of a few thousand events and restarted
// still delivers every acknowledged event at least once; duplicates are counted and reported.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createReportClient, startDispatchServer } from '@eventyard/sdk';
import { startStack, waitForRouterProcessors, waitUntil } from './stack.ts';

const EVENTS = 3000;

test('kill -9 of the dispatcher mid-run loses no acknowledged event', async (t) => {
  const stack = await startStack(t);
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
  const res = await fetch(`http://127.0.0.1:${stack.port('admin', 'http')}/v1/processor`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ processor_conf_info: { dispatcher_id: 'kill-test', app_id: 'app', topic_id: 'load', protocol_type: 'grpcSend', addr: `127.0.0.1:${server.port}`, timeout: 3000 } }),
  });
  assert.equal(res.status, 200);
  await waitForRouterProcessors(stack, 1);

  const client = createReportClient({ address: `127.0.0.1:${stack.port('producer', 'grpc')}` });
  t.after(() => client.close());
  const acknowledged: string[] = [];
  let killed = false;
  // 20 reports in flight at a time; the dispatcher is killed once a third of the events are delivered.
  let next = 0;
  await Promise.all(
    Array.from({ length: 20 }, async () => {
      while (next < EVENTS) {
        const n = next++;
        const rsp = await client.report({ event: { app_id: 'app', topic_id: 'load', data: Buffer.from(String(n)) } });
        if ((rsp.ret?.code ?? 0) === 0) acknowledged.push(rsp.event_id);
        if (!killed && seen.size >= EVENTS / 3) {
          killed = true;
          await stack.kill('dispatcher');
          await stack.start('dispatcher');
        }
      }
    }),
  );
  assert.ok(killed, 'the dispatcher was killed mid-run');
  assert.equal(acknowledged.length, EVENTS, 'every report acknowledged');
  await waitUntil(() => acknowledged.every((id) => seen.has(id)), 120_000, 'every acknowledged event delivered');
  const duplicates = [...seen.values()].reduce((sum, count) => sum + count - 1, 0);
  t.diagnostic(`delivered ${seen.size} distinct events of ${EVENTS}; duplicates after kill -9: ${duplicates}`);
  assert.ok(duplicates < EVENTS, 'duplicates bounded by one redelivery per event');
});

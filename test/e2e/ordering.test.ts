// Ordering over real processes (issue 6): `option.orderingKey` is the Kafka key end to end, so a
// processor with concurrency > 1 gets the events of one key in report order while different keys are
// delivered in parallel. The Dispatch handler holds each call a few ms and counts calls in flight, so
// the test also proves the concurrency was real (keys overlapped), not order by accident of a 1-wide pipe.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startDispatchServer } from '@eventyard/sdk';
import { producerClient, registerProcessor } from './event-kinds.ts';
import { startStack, waitForRouterProcessors, waitUntil } from './stack.ts';

const KEYS = 10;
const PER_KEY = 100;
/** How long the Dispatch handler holds a call, so calls of different keys get a chance to overlap. */
const HOLD_MS = 3;

test('ordering: 1,000 events over 10 orderingKeys arrive in report order per key at a processor with concurrency 8', async (t) => {
  const stack = await startStack(t);

  const arrivals = new Map<string, number[]>();
  let inFlight = 0;
  let maxInFlight = 0;
  const keysInFlight = new Map<string, number>();
  let maxKeysInFlight = 0;
  const server = await startDispatchServer({
    port: 0,
    host: '127.0.0.1',
    handler: async (req) => {
      const [key = '', seq = ''] = Buffer.from(req.event?.data ?? [])
        .toString()
        .split(':');
      if (key.startsWith('key-')) {
        const list = arrivals.get(key) ?? [];
        list.push(Number(seq));
        arrivals.set(key, list);
      }
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      keysInFlight.set(key, (keysInFlight.get(key) ?? 0) + 1);
      maxKeysInFlight = Math.max(maxKeysInFlight, keysInFlight.size);
      await new Promise((resolve) => setTimeout(resolve, HOLD_MS));
      inFlight--;
      const left = (keysInFlight.get(key) ?? 1) - 1;
      if (left === 0) keysInFlight.delete(key);
      else keysInFlight.set(key, left);
      return { ret: { code: 0, msg: 'ok' }, pass_back: Buffer.alloc(0) };
    },
  });
  t.after(() => server.close());

  await registerProcessor(stack, {
    dispatcher_id: 'e2e-ordering',
    app_id: 'shop',
    topic_id: 'ordered',
    protocol_type: 'grpcSend',
    addr: `127.0.0.1:${server.port}`,
    timeout: 5000,
    concurrency: 8,
  });
  await waitForRouterProcessors(stack, 1);
  const client = producerClient(t, stack);

  // Each key reports sequentially (awaiting every Report), so its report order is well defined; the
  // ten keys report concurrently, as ten independent producers would.
  const started = Date.now();
  await Promise.all(
    Array.from({ length: KEYS }, async (_, k) => {
      const key = `key-${k}`;
      for (let seq = 0; seq < PER_KEY; seq++) {
        const rsp = await client.report({
          event: { app_id: 'shop', topic_id: 'ordered', data: Buffer.from(`${key}:${seq}`) },
          option: { orderingKey: key },
        });
        assert.equal(rsp.ret?.code ?? 0, 0, JSON.stringify(rsp.ret));
      }
    }),
  );
  t.diagnostic(`reported ${KEYS * PER_KEY} events in ${Date.now() - started} ms`);

  const total = () => [...arrivals.values()].reduce((sum, list) => sum + list.length, 0);
  await waitUntil(() => total() >= KEYS * PER_KEY, 45_000, `${KEYS * PER_KEY} deliveries (have ${total()})`);
  t.diagnostic(`all delivered ${Date.now() - started} ms after the first Report; max calls in flight ${maxInFlight}, max keys in flight ${maxKeysInFlight}`);

  const expected = Array.from({ length: PER_KEY }, (_, i) => i);
  for (let k = 0; k < KEYS; k++) {
    assert.deepEqual(arrivals.get(`key-${k}`), expected, `key-${k} arrives in report order, each event once`);
  }
  assert.ok(maxInFlight > 1, `deliveries overlapped (max ${maxInFlight} in flight): concurrency > 1 was real`);
  assert.ok(maxKeysInFlight > 1, 'different keys were in flight at the same time');
});

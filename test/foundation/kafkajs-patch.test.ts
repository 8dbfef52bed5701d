// patches/kafkajs@2.2.4.patch: kafkajs's request queue re-armed a 1 ms timer forever on every connection
// (kafkajs#1556), so each idle service woke ~1000 times a second. This fails if the patch stops applying
// (say after a kafkajs upgrade) or the loop comes back.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { startTestBroker } from '@eventyard/broker/testing';

test('an idle kafkajs connection arms no request-queue timers', async (t) => {
  // node:test runs `after` hooks first-in-first-out: one hook undoes everything, newest first.
  const cleanups: Array<() => Promise<unknown>> = [];
  t.after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });
  const broker = await startTestBroker({ dirPrefix: 'ey-kafkajs-patch-', flush: { mode: 'always' } });
  cleanups.push(() => broker.close());
  const producer = new Kafka({ clientId: 'patch-check', brokers: [`127.0.0.1:${broker.port}`], logLevel: logLevel.NOTHING }).producer();
  await producer.connect();
  cleanups.push(() => producer.disconnect());
  // One request, so the queue has fulfilled something (the original loop started there).
  await producer.send({ topic: 'patch-check', messages: [{ value: 'x' }] });

  const original = globalThis.setTimeout;
  let armed = 0;
  globalThis.setTimeout = ((...args: Parameters<typeof setTimeout>) => {
    if (new Error().stack?.includes('requestQueue') === true) armed += 1;
    return original(...args);
  }) as typeof setTimeout;
  try {
    await new Promise((resolve) => original(resolve, 300));
  } finally {
    globalThis.setTimeout = original;
  }
  assert.ok(armed < 5, `kafkajs's request queue armed ${armed} timers in 300 ms while idle`);
});

// Delay events over real processes (issue 6): the whole event waits delay_time in the delay-scheduler,
// then fans out; delay_time 0 behaves as real-time; bad delays are refused at Report time. Lateness is
// printed with t.diagnostic.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EventTriggerType } from '@eventyard/proto';
import { producerClient, registerProcessor, startCollector, warmUp } from './event-kinds.ts';
import { startStack, waitUntil } from './stack.ts';

/** Accepted lateness of a fired delay event (scheduler poll/lookahead + Kafka + router + dispatcher). */
const TOLERANCE_MS = 1500;

test('delay events: a 3 s delay arrives after 3 s (not before, within 1.5 s); delay_time 0 is real-time; bad delays are 10000', async (t) => {
  const stack = await startStack(t);
  const collector = await startCollector(t);
  await registerProcessor(stack, {
    dispatcher_id: 'e2e-delay',
    app_id: 'shop',
    topic_id: 'delayed',
    protocol_type: 'grpcSend',
    addr: collector.addr,
    timeout: 2000,
  });
  const client = producerClient(t, stack);

  // Warm the path first (consumer groups, topic metadata), so the delay measurement is about the delay.
  await warmUp(client, [collector], 'shop', 'delayed');

  const sentAt = Date.now();
  const delayed = await client.report({
    event: { app_id: 'shop', topic_id: 'delayed', data: Buffer.from('three seconds') },
    trigger: { trigger_type: EventTriggerType.EVENT_TRIGGER_TYPE_DELAY, delay_trigger: { delay_time: { seconds: 3 } } },
  });
  assert.equal(delayed.ret?.code ?? 0, 0, JSON.stringify(delayed.ret));
  // The delay-scheduler keeps the record's app with the timer: the producer counts pending timers per app by it.
  let timerHeaders: Record<string, string> | undefined;
  await waitUntil(
    async () => {
      const row = (await stack.knex('schedules').where({ event_id: delayed.event_id }).first('headers')) as { headers: Record<string, string> } | undefined;
      timerHeaders = row?.headers;
      return row !== undefined;
    },
    2500,
    'the delay timer in schedules',
  );
  assert.equal(timerHeaders?.['ey-app-id'], 'shop');
  const zeroSentAt = Date.now();
  const zero = await client.report({
    event: { app_id: 'shop', topic_id: 'delayed', data: Buffer.from('zero delay') },
    trigger: { trigger_type: EventTriggerType.EVENT_TRIGGER_TYPE_DELAY, delay_trigger: { delay_time: { seconds: 0 } } },
  });
  assert.equal(zero.ret?.code ?? 0, 0, JSON.stringify(zero.ret));

  const zeroArrival = await collector.waitFor(zero.event_id);
  t.diagnostic(`delay_time 0: delivered ${zeroArrival.at - zeroSentAt} ms after Report`);
  assert.ok(!collector.received.some((r) => r.event_id === delayed.event_id), 'the 3 s event must not arrive before the 0 s one');

  const arrival = await collector.waitFor(delayed.event_id);
  const lateness = arrival.at - (sentAt + 3000);
  t.diagnostic(`delay_time 3s: delivered ${arrival.at - sentAt} ms after Report (lateness ${lateness} ms, tolerance ${TOLERANCE_MS} ms)`);
  assert.ok(lateness >= 0, `arrived ${-lateness} ms early`);
  assert.ok(lateness < TOLERANCE_MS, `arrived ${lateness} ms late`);
  assert.ok(zeroArrival.at - zeroSentAt < 3000, 'delay_time 0 is not delayed');
  assert.equal(arrival.data, 'three seconds');
  assert.equal(collector.received.filter((r) => r.event_id === delayed.event_id).length, 1, 'delivered once');

  // Bad delays are refused at Report time with a clear 10000 naming the field, never published.
  const bad = async (delay_trigger: object | null) =>
    client.report({
      event: { app_id: 'shop', topic_id: 'delayed', data: Buffer.from('bad') },
      trigger: { trigger_type: EventTriggerType.EVENT_TRIGGER_TYPE_DELAY, delay_trigger },
    });
  for (const [what, trigger] of [
    ['negative', { delay_time: { seconds: -5 } }],
    ['over 30 days', { delay_time: { seconds: 31 * 24 * 3600 } }],
    ['without delay_time', {}],
    ['without delay_trigger', null],
  ] as const) {
    const rsp = await bad(trigger);
    t.diagnostic(`${what}: ${rsp.ret?.code ?? 0} ${rsp.ret?.msg ?? ''}`);
    assert.equal(rsp.ret?.code, 10000, what);
    assert.match(rsp.ret?.msg ?? '', /delay/, what);
  }
});

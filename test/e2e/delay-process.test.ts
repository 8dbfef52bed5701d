// Delay-process events over real processes (issue 6): the event fans out at once; a processor whose
// delay_process_key matches an entry gets its delivery after that entry's delay_time, one without a
// matching key gets it at once.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EventTriggerType } from '@eventyard/proto';
import { producerClient, registerProcessor, startCollector, warmUp } from './event-kinds.ts';
import { startStack } from './stack.ts';

/** Accepted lateness of the keyed delivery after its 2 s (timer firing + Kafka + dispatcher). */
const TOLERANCE_MS = 1500;

test('delay-process: the unkeyed processor gets the event at once, the keyed one after >= 2 s', async (t) => {
  const stack = await startStack(t);
  const plain = await startCollector(t);
  const keyed = await startCollector(t);
  await registerProcessor(stack, { dispatcher_id: 'e2e-dp-plain', app_id: 'shop', topic_id: 'dp', protocol_type: 'grpcSend', addr: plain.addr, timeout: 2000 });
  await registerProcessor(stack, {
    dispatcher_id: 'e2e-dp-keyed',
    app_id: 'shop',
    topic_id: 'dp',
    protocol_type: 'grpcSend',
    addr: keyed.addr,
    timeout: 2000,
    delay_process_key: 'slow',
  });
  const client = producerClient(t, stack);

  // Warm both processors' paths first, so the measurement is about the delay.
  await warmUp(client, [plain, keyed], 'shop', 'dp');

  const sentAt = Date.now();
  const rsp = await client.report({
    event: { app_id: 'shop', topic_id: 'dp', data: Buffer.from('delay-process') },
    trigger: {
      trigger_type: EventTriggerType.EVENT_TRIGGER_TYPE_DELAY_PROCESS,
      delay_process_trigger_list: [
        { key: 'slow', delay_time: { seconds: 2 } },
        { key: 'nobody', delay_time: { seconds: 60 } },
      ],
    },
  });
  assert.equal(rsp.ret?.code ?? 0, 0, JSON.stringify(rsp.ret));

  const atOnce = await plain.waitFor(rsp.event_id);
  t.diagnostic(`unkeyed processor: delivered ${atOnce.at - sentAt} ms after Report`);
  assert.ok(!keyed.received.some((r) => r.event_id === rsp.event_id), 'the keyed processor must not have it yet');
  const later = await keyed.waitFor(rsp.event_id);
  const lateness = later.at - (sentAt + 2000);
  t.diagnostic(`keyed processor (delay 2s): delivered ${later.at - sentAt} ms after Report (lateness ${lateness} ms, tolerance ${TOLERANCE_MS} ms)`);
  assert.ok(atOnce.at - sentAt < 2000, 'the unkeyed processor gets it before the delay');
  assert.ok(lateness >= 0, `keyed delivery ${-lateness} ms early`);
  assert.ok(lateness < TOLERANCE_MS, `keyed delivery ${lateness} ms late`);
  for (const collector of [plain, keyed]) assert.equal(collector.received.filter((r) => r.event_id === rsp.event_id).length, 1, 'delivered once to each');
});

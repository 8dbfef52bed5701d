// Timers survive a crash (issue 6): 1,000 delayed events are pending when the delay-scheduler is killed
// with SIGKILL; after a restart every one is delivered once it is due (never before), duplicates counted.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EventTriggerType } from '@eventyard/proto';
import { producerClient, registerProcessor, startCollector, warmUp } from './event-kinds.ts';
import { startStack, waitUntil } from './stack.ts';

const EVENTS = 1000;
// Long enough that all 1,000 are stored before the first comes due even on a loaded machine (with 5 s,
// CI under load saw the first fire, and leave the table, before the last were reported).
const DELAY_S = 15;

test(`delay-scheduler kill -9 with ${EVENTS} delayed events pending: every one fires after a restart`, async (t) => {
  // A short claim lease so the killed instance's claims come back within seconds (it must cover
  // lookahead + retry max + produce timeout).
  const stack = await startStack(t, {
    env: { EY_SCHEDULER_LOOKAHEAD_MS: '1000', EY_SCHEDULER_RETRY_MAX_MS: '1000', EY_SCHEDULER_PRODUCE_TIMEOUT_MS: '3000', EY_SCHEDULER_CLAIM_MS: '5000' },
  });
  const collector = await startCollector(t);
  await registerProcessor(stack, {
    dispatcher_id: 'e2e-restart',
    app_id: 'shop',
    topic_id: 'restart',
    protocol_type: 'grpcSend',
    addr: collector.addr,
    timeout: 5000,
  });
  const client = producerClient(t, stack);
  await warmUp(client, [collector], 'shop', 'restart');

  const dueAt = new Map<string, number>();
  for (let batch = 0; batch < EVENTS / 50; batch++) {
    await Promise.all(
      Array.from({ length: 50 }, async (_, i) => {
        const sentAt = Date.now();
        const rsp = await client.report({
          event: { app_id: 'shop', topic_id: 'restart', data: Buffer.from(`delayed ${batch * 50 + i}`) },
          trigger: { trigger_type: EventTriggerType.EVENT_TRIGGER_TYPE_DELAY, delay_trigger: { delay_time: { seconds: DELAY_S } } },
        });
        assert.equal(rsp.ret?.code ?? 0, 0, JSON.stringify(rsp.ret));
        dueAt.set(rsp.event_id, sentAt + DELAY_S * 1000);
      }),
    );
  }
  // Kill once every timer is durable in the schedules table and the scheduler holds claims on some (the
  // claims of a dead instance must lapse and be taken over), before any has fired.
  const count = async (claimed: boolean) => {
    const timers = stack.knex('schedules').where('id', 'like', 'delay:%');
    const query = claimed ? timers.whereNotNull('claimed_by') : timers;
    return Number((await query.count<Array<{ count: string }>>('* as count'))[0]?.count);
  };
  await waitUntil(async () => (await count(false)) === EVENTS && (await count(true)) > 0, 45_000, `${EVENTS} pending timers, some claimed`);
  await stack.kill('delay-scheduler');
  const deliveredBeforeKill = collector.received.filter((r) => dueAt.has(r.event_id)).length;
  t.diagnostic(
    `killed the delay-scheduler with ${await count(false)} timers pending, ${await count(true)} of them claimed (${deliveredBeforeKill} delivered before the kill)`,
  );
  await stack.start('delay-scheduler');

  await waitUntil(() => [...dueAt.keys()].every((id) => collector.received.some((r) => r.event_id === id)), 60_000, `all ${EVENTS} delayed events delivered`);
  const counts = new Map<string, number>();
  let early = 0;
  let maxLateMs = 0;
  for (const r of collector.received) {
    const due = dueAt.get(r.event_id);
    if (due === undefined) continue;
    counts.set(r.event_id, (counts.get(r.event_id) ?? 0) + 1);
    if (r.at < due) early++;
    maxLateMs = Math.max(maxLateMs, r.at - due);
  }
  const duplicates = [...counts.values()].reduce((sum, n) => sum + n - 1, 0);
  t.diagnostic(`delivered ${counts.size}/${EVENTS}, ${duplicates} duplicate deliveries, max lateness ${maxLateMs} ms`);
  assert.equal(counts.size, EVENTS, 'none lost');
  assert.equal(early, 0, 'none delivered before its due time');
});

// Repeat chains in the dispatcher: occurrence n's first attempt schedules n+1 (no drift: due times step
// from n's due time), the chain ends by count, a 30000 stops only that processor's chain (an occurrence
// whose timer was already in flight is skipped and recorded cancelled), and a failed occurrence is
// retried without stopping or forking the chain. The fixture plays the delay-scheduler.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { getRepeatChain } from '@eventyard/db';
import { EventTriggerType, type DispatchReq__Output, type EventTrigger } from '@eventyard/proto';
import { startDispatchServer } from '@eventyard/sdk';
import { startDispatcher, task, waitFor, waitForDelivery } from './fixture.ts';

const seen = (reqs: readonly DispatchReq__Output[]) => reqs.map((r) => [r.repeat_times, r.retry_times]);

test('repeat chains: by count, cancelled by 30000 per processor, failed occurrences retried', async (t) => {
  const f = await startDispatcher(t);
  const received = { steady: [] as DispatchReq__Output[], quitter: [] as DispatchReq__Output[], flaky: [] as DispatchReq__Output[] };
  const servers = await Promise.all(
    (['steady', 'quitter', 'flaky'] as const).map((name) =>
      startDispatchServer({
        host: '127.0.0.1',
        handler: (req) => {
          received[name].push(req);
          if (name === 'quitter' && req.repeat_times === 1) return { ret: { code: 30000, msg: 'enough' } };
          if (name === 'flaky' && req.repeat_times === 0 && req.retry_times === 0) return { ret: { code: 500, msg: 'try again' } };
          return { ret: { code: 0, msg: 'ok' } };
        },
      }),
    ),
  );
  t.after(() => Promise.all(servers.map((s) => s.close())));
  const scheduled = await f.runScheduler();
  const names = ['steady', 'quitter', 'flaky'] as const;
  for (const [i, name] of names.entries()) {
    await f.register({ dispatcher_id: `rep-${name}`, addr: `127.0.0.1:${servers[i]?.port}`, retry_strategy: { retry_count: 2, retry_interval: 100 } });
  }

  const eventId = '7001';
  const beginMs = Date.now();
  const dueAt = { seconds: String(Math.floor(beginMs / 1000)), nanos: (beginMs % 1000) * 1e6 };
  const trigger: EventTrigger = {
    trigger_type: EventTriggerType.EVENT_TRIGGER_TYPE_REPEAT,
    repeat_trigger: {
      end_type: 'EVENT_REPEAT_END_TYPE_END_BY_COUNT',
      repeat_end: { repeat_times: 3 },
      pulser_type: 'EVENT_PULSER_TYPE_BY_INTERVAL',
      regular_pulser: { interval: { seconds: 1, nanos: 0 } },
    },
  };
  for (const name of names) await f.produceTasks(`rep-${name}`, [{ task: task(eventId, 'tick', { trigger, repeat_times: 0, scheduled_for: dueAt }) }]);

  await waitFor(() => received.steady.length >= 3 && received.flaky.length >= 4, 20_000, 'three occurrences at steady and flaky');
  await waitForDelivery(f, eventId, 'rep-quitter', ['cancelled']);
  await waitFor(
    async () => (await f.db.knex('deliveries').where({ event_id: eventId, dispatcher_id: 'rep-quitter', repeat_times: 2 })).length === 1,
    20_000,
    'occurrence 2 of the quitter skipped',
  );

  assert.deepEqual(seen(received.steady), [
    [0, 0],
    [1, 0],
    [2, 0],
  ]);
  assert.deepEqual(
    seen(received.quitter),
    [
      [0, 0],
      [1, 0],
    ],
    'no occurrence after the consumer answered 30000',
  );
  // The retry of occurrence 0 (100 ms later) and occurrence 1 (1 s later) are independent timers: on a
  // loaded machine the retry can arrive second, so only the set of (occurrence, attempt) pairs is fixed.
  const byOccurrence = (a: number[], b: number[]) => (a[0] ?? 0) - (b[0] ?? 0) || (a[1] ?? 0) - (b[1] ?? 0);
  assert.deepEqual(
    seen(received.flaky).sort(byOccurrence),
    [
      [0, 0],
      [0, 1],
      [1, 0],
      [2, 0],
    ],
    'a failed occurrence is retried and the chain goes on',
  );
  assert.ok(received.steady.every((r) => r.event_id === eventId));

  // The chain ended by count: occurrence 2 scheduled nothing more.
  const steady = await getRepeatChain(f.db.knex, eventId, 'rep-steady');
  assert.equal(steady?.cancelled_at, null);
  assert.equal(steady?.next_repeat_times, null);
  assert.equal(steady?.next_due_at, null);
  const quitter = await getRepeatChain(f.db.knex, eventId, 'rep-quitter');
  assert.equal(quitter?.cancel_reason, 'consumer');

  // Occurrence timers step exactly one interval from the previous due time (no drift), one per occurrence.
  await waitFor(() => scheduled.filter((item) => item.kind === 'repeat').length >= 6, 10_000, 'repeat timers seen');
  const repeatTimers = scheduled
    .filter((item) => item.kind === 'repeat')
    .map((item) => [item.timer_id, Number(item.due_at?.seconds) * 1000 + Math.floor((item.due_at?.nanos ?? 0) / 1e6) - beginMs]);
  assert.deepEqual(
    repeatTimers.sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    [
      [`rep:${eventId}:rep-flaky:1`, 1000],
      [`rep:${eventId}:rep-flaky:2`, 2000],
      [`rep:${eventId}:rep-quitter:1`, 1000],
      [`rep:${eventId}:rep-quitter:2`, 2000],
      [`rep:${eventId}:rep-steady:1`, 1000],
      [`rep:${eventId}:rep-steady:2`, 2000],
    ],
  );
  assert.equal(scheduled.filter((item) => item.timer_id.startsWith(`retry:${eventId}:rep-flaky:0:`)).length, 1);
});

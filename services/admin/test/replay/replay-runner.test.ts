// The replay job runner on its own (the app's runner is off): pacing counted on an injected clock, a job
// resumed by a new runner after the first was closed mid-way, and two runners sharing the work of one
// database without replaying anything twice. Real broker, real Postgres.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '@eventyard/core';
import { createReplayJob, getReplayJob, type ReplayJobRecord } from '@eventyard/db';
import { createKafkaLink } from '../../src/kafka/kafka-link.ts';
import type { KafkaLink } from '../../src/kafka/kafka-link.ts';
import { createReplayRunner, type PacingClock, type ReplayRunner } from '../../src/replay/replay-runner.ts';
import { startReplayAdmin, type ReplayFixture } from './replay-fixture.ts';

const ids = (from: number, count: number) => Array.from({ length: count }, (_, i) => String(from + i));

/** A clock whose sleeps pass at once, advancing its own time: pacing without waiting. */
function instantClock(): PacingClock & { readonly ms: number } {
  let ms = 1_000_000;
  return {
    get ms() {
      return ms;
    },
    now: () => ms,
    sleep: async (wait) => {
      ms += wait;
    },
  };
}

/** A clock that never lets a wait end until the runner is closed. */
const frozenClock: PacingClock = {
  now: () => 0,
  sleep: (_ms, signal) => new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true }))),
};

async function seed(f: ReplayFixture, count: number): Promise<string[]> {
  await f.processor({ dispatcher_id: 'orders' });
  const eventIds = ids(1000, count);
  await f.events(eventIds.map((event_id) => ({ event_id })));
  return eventIds;
}

async function waitJob(f: ReplayFixture, replayId: string, done: (job: ReplayJobRecord) => boolean, what: string): Promise<ReplayJobRecord> {
  let job: ReplayJobRecord | undefined;
  await f.waitFor(async () => (job = await getReplayJob(f.db.knex, replayId)) !== undefined && done(job), 30_000, what);
  return job as ReplayJobRecord;
}

function runner(f: ReplayFixture, clock: PacingClock, kafka: KafkaLink = f.link()): ReplayRunner {
  return createReplayRunner({ knex: f.db.knex, kafka, logger: silentLogger(), clock, pollMs: 50 });
}

test('at most rate_per_s events per second, counted on the runner clock', async (t) => {
  const f = await startReplayAdmin(t, { replayRunner: false });
  const eventIds = await seed(f, 25);
  const clock = instantClock();
  const link = f.link();
  const sends: Array<{ at: number; count: number }> = [];
  const counting: KafkaLink = {
    send: async (topic, messages) => {
      sends.push({ at: clock.now(), count: messages.length });
      await link.send(topic, messages);
    },
    // Delivery tasks only: a replay's `pending` status changes ride in the same send.
    sendAll: async (topicMessages) => {
      sends.push({ at: clock.now(), count: topicMessages.filter((t) => t.topic !== 'eventyard.status').reduce((n, t) => n + t.messages.length, 0) });
      await link.sendAll(topicMessages);
    },
    publishStatus: (changes) => link.publishStatus(changes),
    admin: () => link.admin(),
    close: () => link.close(),
  };
  const job = await createReplayJob(f.db.knex, { kind: 'query', query: { app_id: 'shop' }, rate_per_s: 4, limit: 100 });
  const r = runner(f, clock, counting);
  r.start();
  try {
    const done = await waitJob(f, job.replay_id, (j) => j.status === 'succeeded', 'job done');
    assert.equal(done.replayed, 25);
  } finally {
    await r.close();
  }
  assert.equal(
    sends.reduce((n, s) => n + s.count, 0),
    25,
  );
  const start = sends[0]?.at ?? 0;
  const perSecond = new Map<number, number>();
  for (const send of sends) {
    assert.ok(send.count <= 4, `a batch of ${send.count} > rate`);
    const second = Math.floor((send.at - start) / 1000);
    perSecond.set(second, (perSecond.get(second) ?? 0) + send.count);
  }
  for (const [second, count] of perSecond) assert.ok(count <= 4, `${count} events in second ${second}`);
  assert.equal(perSecond.size, 7, '25 events at 4/s take 7 seconds');
  assert.deepEqual((await f.tasks('orders')).map((r) => r.task.event_id).sort(), eventIds);
});

test('a job resumes from its cursor after the runner was closed mid-way; each event replayed once', async (t) => {
  const f = await startReplayAdmin(t, { replayRunner: false });
  const eventIds = await seed(f, 12);
  const job = await createReplayJob(f.db.knex, { kind: 'query', query: { app_id: 'shop' }, rate_per_s: 5, limit: 100 });

  const first = runner(f, frozenClock);
  first.start();
  let mid: ReplayJobRecord;
  try {
    mid = await waitJob(f, job.replay_id, (j) => j.cursor !== null, 'first batch stored');
  } finally {
    await first.close();
  }
  assert.equal(mid.status, 'running');
  assert.equal(mid.replayed, 5, 'one batch of rate_per_s events, then the pacing wait');
  assert.equal(mid.cursor, eventIds[4]);
  const released = await getReplayJob(f.db.knex, job.replay_id);
  assert.equal(released?.lease_owner, null, 'close frees the lease at once');
  assert.equal((await f.tasks('orders')).length, 5);

  const second = runner(f, instantClock());
  second.start();
  try {
    const done = await waitJob(f, job.replay_id, (j) => j.status === 'succeeded', 'job resumed and done');
    assert.equal(done.replayed, 12);
    assert.equal(done.cursor, eventIds.at(-1));
  } finally {
    await second.close();
  }
  const replayed = (await f.tasks('orders')).map((r) => r.task.event_id).sort();
  assert.deepEqual(replayed, eventIds, 'every event exactly once');
});

test('two runners on one database never replay the same job twice', async (t) => {
  const f = await startReplayAdmin(t, { replayRunner: false });
  const eventIds = await seed(f, 40);
  const jobs = [
    await createReplayJob(f.db.knex, { kind: 'query', query: { event_ids: eventIds.slice(0, 20) }, rate_per_s: 3, limit: 100 }),
    await createReplayJob(f.db.knex, { kind: 'query', query: { event_ids: eventIds.slice(20) }, rate_per_s: 3, limit: 100 }),
  ];
  const runners = [runner(f, instantClock()), runner(f, instantClock())];
  for (const r of runners) r.start();
  try {
    for (const job of jobs) {
      const done = await waitJob(f, job.replay_id, (j) => j.status === 'succeeded', `job ${job.replay_id}`);
      assert.equal(done.replayed, 20);
    }
  } finally {
    for (const r of runners) await r.close();
  }
  assert.deepEqual((await f.tasks('orders')).map((r) => r.task.event_id).sort(), eventIds);
});

test('a batch that keeps failing ends the job failed, saying where; nothing is marked pending', async (t) => {
  const f = await startReplayAdmin(t, { replayRunner: false });
  await seed(f, 3);
  const dead = createKafkaLink({ kafka: { ...f.config.kafka, brokers: ['127.0.0.1:1'] }, logger: silentLogger(), requestTimeoutMs: 500 });
  const job = await createReplayJob(f.db.knex, { kind: 'query', query: { app_id: 'shop' }, rate_per_s: 10, limit: 100 });
  const r = createReplayRunner({ knex: f.db.knex, kafka: dead, logger: silentLogger(), clock: instantClock(), pollMs: 50, batchAttempts: 2, retryBaseMs: 10 });
  r.start();
  let failed: ReplayJobRecord;
  try {
    failed = await waitJob(f, job.replay_id, (j) => j.status === 'failed', 'job failed');
  } finally {
    await r.close();
    await dead.close();
  }
  assert.match(failed.error ?? '', /^batch after event \(start\) failed 2 times: kafka: /);
  assert.equal(failed.replayed, 0);
  assert.ok(failed.finished_at !== null);
  assert.equal((await f.db.knex('deliveries').count<Array<{ count: string }>>('* as count'))[0]?.count, '0');
});

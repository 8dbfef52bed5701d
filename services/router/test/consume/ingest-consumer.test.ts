// Offsets and replay: close() commits what was routed, and routing the same ingest records again (what
// a crash before the commit does) duplicates tasks downstream but neither fails nor stalls on the rows
// already written; a commit starts once enough records are routed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Topics } from '@eventyard/core';
import { upsertProcessor } from '@eventyard/db';
import { restartTestServer } from '@eventyard/db/testing';
import { nextEventId, startRouter, waitFor } from '../fixture.ts';

test('close commits the routed offsets; a replay from the beginning re-produces without failing on existing rows', async (t) => {
  const f = await startRouter(t);
  await upsertProcessor(f.db.knex, { dispatcher_id: 'replayed', app_id: 'shop', topic_id: 'order', protocol_type: 'grpcSend', addr: '127.0.0.1:1' });
  await f.app.reloadConfig();
  const ids = Array.from({ length: 20 }, () => nextEventId());
  await f.ingest(ids.map((id) => ({ event_id: id, event: { app_id: 'shop', topic_id: 'order', data: Buffer.from(id) } })));
  await waitFor(async () => (await f.countRecords(Topics.deliveries('replayed'))) === 20, 15_000, '20 tasks');
  await f.waitForEvent(ids[19] ?? '');
  await f.app.close();

  const admin = f.kafka.admin();
  await admin.connect();
  const [committed] = await admin.fetchOffsets({ groupId: 'eventyard-router', topics: [Topics.ingest] });
  const ends = await admin.fetchTopicOffsets(Topics.ingest);
  for (const end of ends) {
    const partition = committed?.partitions.find((p) => p.partition === end.partition);
    assert.equal(partition?.offset, end.high, `partition ${end.partition} committed up to its end`);
  }

  await admin.disconnect();

  // What a crash before any commit amounts to: the next router starts from the beginning. A fresh group
  // starts there too (and kafkajs's resetOffsets would idle for seconds).
  const again = await f.startApp({ EY_ROUTER_GROUP_ID: 'eventyard-router-replay' });
  const last = nextEventId();
  await f.ingest([{ event_id: last, event: { app_id: 'shop', topic_id: 'order', data: Buffer.from('last') } }]);
  await waitFor(async () => (await f.countRecords(Topics.deliveries('replayed'))) === 41, 15_000, 'the replayed tasks and the new one');
  const { event } = await f.waitForEvent(last);
  assert.equal(event.status, 'routed');
  const rows = (await f.db.knex('deliveries').where({ dispatcher_id: 'replayed' }).pluck('status')) as string[];
  assert.equal(rows.length, 21, 'one delivery row per event despite the replay');
  assert.ok(rows.every((s) => s === 'pending'));
  assert.match(await again.registry.metrics(), /eventyard_router_events_total\{status="routed"[^}]*\} 21/);
});

test('EY_ROUTER_COMMIT_RECORDS routed records start a commit long before the commit interval is up', async (t) => {
  const f = await startRouter(t, { EY_ROUTER_COMMIT_INTERVAL_MS: '60000', EY_ROUTER_COMMIT_RECORDS: '10' });
  const admin = f.kafka.admin();
  await admin.connect();
  t.after(() => admin.disconnect());
  const committed = async (): Promise<number> => {
    const [offsets] = await admin.fetchOffsets({ groupId: 'eventyard-router', topics: [Topics.ingest] });
    return (offsets?.partitions ?? []).reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
  };
  const report = async (count: number): Promise<void> => {
    const ids = Array.from({ length: count }, () => nextEventId());
    await f.ingest(ids.map((id) => ({ event_id: id, event: { app_id: 'shop', topic_id: 'count', data: Buffer.from(id) } })));
    for (const id of ids) await f.waitForEvent(id);
  };
  await report(5);
  await new Promise((resolve) => setTimeout(resolve, 500));
  assert.equal(await committed(), 0, 'five routed records wait for the interval');
  await report(15);
  await waitFor(async () => (await committed()) >= 10, 15_000, 'a commit of ten routed records or more');
});

test('Postgres down mid-round: the produced tasks are not produced again while the history rows are retried', async (t) => {
  const f = await startRouter(t);
  await upsertProcessor(f.db.knex, { dispatcher_id: 'pg-outage', app_id: 'shop', topic_id: 'order', protocol_type: 'grpcSend', addr: '127.0.0.1:1' });
  await f.app.reloadConfig();
  const warmup = nextEventId();
  await f.ingest([{ event_id: warmup, event: { app_id: 'shop', topic_id: 'order', data: Buffer.from('warm') } }]);
  await f.waitForEvent(warmup);

  // Reported while Postgres is down: the tasks reach Kafka, the rows cannot be written until it is back.
  const restarted = restartTestServer(2000);
  await new Promise((resolve) => setTimeout(resolve, 200));
  const ids = Array.from({ length: 50 }, () => nextEventId());
  await f.ingest(ids.map((id) => ({ event_id: id, event: { app_id: 'shop', topic_id: 'order', data: Buffer.from(id) } })));
  await restarted;

  await waitFor(
    async () => Number(((await f.db.knex('events').whereIn('event_id', ids).count('* as n')) as Array<{ n: string }>)[0]?.n) === ids.length,
    30_000,
    'every row written after the restart',
  );
  await f.drained();
  assert.equal(await f.countRecords(Topics.deliveries('pg-outage')), 1 + ids.length, 'each task produced once');
});

// GET /v1/events/:event_id/watch when the status topic is behind Postgres: the route sends the event's
// state from Postgres first, and a record of that same change read from the topic afterwards (it was
// published after the history write, so it can arrive while the stream settles) is not sent again.
// The feed is a stand-in that hands the route that record as it attaches, so the order is the one the
// race produces every time; Postgres and the route are real.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import Fastify from 'fastify';
import { silentLogger } from '@eventyard/core';
import { recordDeliveries, recordEvents, storedStatusChanges, type DeliveryRecord, type EventRecord } from '@eventyard/db';
import { createDatabase } from '@eventyard/db/testing';
import { registerWatchRoutes } from '../../src/routes/watch.ts';
import type { FeedListener, StatusFeed } from '../../src/watch/status-feed.ts';
import type { SseStream } from '../../src/watch/sse-stream.ts';

const EVENT_ID = '7320000000000000042';

test('a settled event: its state once from Postgres, the late record of the same change not repeated, then the end', async (t) => {
  const { knex } = await createDatabase(t);
  const base = { app_id: 'shop', topic_id: 'order' };
  await recordEvents(knex, [{ event_id: EVENT_ID, ...base, status: 'routed', payload: Buffer.from('{}') }]);
  await recordDeliveries(knex, [{ event_id: EVENT_ID, dispatcher_id: 'billing', ...base, status: 'dead' }]);
  const event = await knex<EventRecord>('events').where({ event_id: EVENT_ID }).first();
  const deliveries = await knex<DeliveryRecord>('deliveries').where({ event_id: EVENT_ID });
  assert.ok(event !== undefined);
  const [dead] = storedStatusChanges(event, deliveries);
  assert.equal(dead?.status, 'dead');

  // The dispatcher's record of that change, arriving while the stream catches up (queued, delivered right
  // after the Postgres state), plus one of another event that must not show.
  const feed = {
    start: async () => {},
    attach: (listener: FeedListener) => {
      listener({ partition: 0, offset: 7n, change: { ...dead, event_id: '1' } as NonNullable<typeof dead> });
      listener({ partition: 0, offset: 8n, change: dead as NonNullable<typeof dead> });
      return { position: new Map([[0, 7n]]), backlog: [], missing: new Map(), detach: () => {} };
    },
  } as unknown as StatusFeed;
  const app = Fastify();
  const streams = new Set<SseStream>();
  registerWatchRoutes(app, { knex, feed, streams, logger: silentLogger(), options: { recheckMs: 60_000 } });
  await app.listen({ port: 0, host: '127.0.0.1' });
  t.after(async () => {
    for (const stream of streams) stream.end('end', {});
    await app.close();
  });
  const address = app.server.address();
  assert.ok(address !== null && typeof address === 'object');

  const res = await fetch(`http://127.0.0.1:${address.port}/v1/events/${EVENT_ID}/watch`);
  assert.equal(res.status, 200);
  const text = await res.text();
  const events = [...text.matchAll(/^event: (\w+)$/gm)].map((match) => match[1]);
  assert.deepEqual(events, ['status', 'end'], text);
  assert.match(text, /"status":"dead"/);
});

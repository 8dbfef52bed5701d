// Broadcast Reports (metadata / header `eventyard-broadcast: true`) need an API key with the broadcast
// permission for the event's app, in every auth mode; refused ones publish nothing, accepted ones carry
// broadcast=true and the key id on the ingest envelope.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { Topics } from '@eventyard/core';
import { createApiKey } from '@eventyard/db';
import { decodeMessage } from '@eventyard/proto';
import { startProducer } from './fixture.ts';

const event = { app_id: 'shop', topic_id: 'order' };
const DENIED = /^authorization: broadcast requires an API key with the broadcast permission for app_id "shop"/;

for (const mode of ['true', 'false'] as const) {
  test(`broadcast with EY_REQUIRE_API_KEY=${mode}: refused without the right key, nothing published; accepted with it`, async (t) => {
    // One partition: a sentinel read back proves every record published before it was read too.
    const p = await startProducer(t, { EY_REQUIRE_API_KEY: mode, EY_TOPIC_PARTITIONS: '1' });
    const refusedIds: string[] = [];
    const refusedGrpc = async (options: { apiKey?: string }, code: grpc.status, details: RegExp): Promise<void> => {
      await assert.rejects(p.client.report({ event }, { ...options, broadcast: true }), (err: grpc.ServiceError) => {
        assert.equal(err.code, code, err.details);
        assert.match(err.details, details);
        assert.equal(err.metadata.get('ey-ret-code')[0], '10000');
        refusedIds.push(String(err.metadata.get('ey-event-id')[0]));
        return true;
      });
    };

    // Before any key exists (auto mode then accepts anonymous Reports, but not anonymous broadcasts).
    await refusedGrpc({}, grpc.status.PERMISSION_DENIED, DENIED);
    const { secret: reportOnly } = await createApiKey(p.db.knex, { app_ids: ['shop'], permissions: ['report'] });
    const { secret: otherApp } = await createApiKey(p.db.knex, { app_ids: ['blog'], permissions: ['report', 'broadcast'] });
    const { key: broadcaster, secret: broadcastKey } = await createApiKey(p.db.knex, { app_ids: ['shop'], permissions: ['broadcast'] });
    await refusedGrpc({ apiKey: reportOnly }, grpc.status.PERMISSION_DENIED, DENIED);
    await refusedGrpc({ apiKey: otherApp }, grpc.status.PERMISSION_DENIED, DENIED);
    await refusedGrpc({ apiKey: 'eyk_000000000000_unknown' }, grpc.status.UNAUTHENTICATED, /^authorization: unknown, revoked or expired API key$/);

    const url = `${p.httpUrl}/v1/report`;
    const post = (headers: Record<string, string>) => fetch(url, { method: 'POST', headers, body: JSON.stringify({ event }) });
    const deniedHttp = await post({ authorization: `Bearer ${reportOnly}`, 'eventyard-broadcast': 'true' });
    assert.equal(deniedHttp.status, 403);
    const deniedBody = (await deniedHttp.json()) as { event_id: string; ret: { code: number; msg: string } };
    assert.equal(deniedBody.ret.code, 10000);
    assert.match(deniedBody.ret.msg, DENIED);
    refusedIds.push(deniedBody.event_id);

    // Bad flag values: 10000 naming the metadata key, over both edges.
    for (const value of ['yes', '2']) {
      const metadata = new grpc.Metadata();
      metadata.set('eventyard-broadcast', value);
      const rsp = await p.client.report({ event }, { metadata, apiKey: broadcastKey });
      assert.equal(rsp.ret?.code, 10000);
      assert.match(rsp.ret?.msg ?? '', /^eventyard-broadcast .*must be true, false, 1 or 0/);
      refusedIds.push(rsp.event_id);
      const bad = await post({ authorization: `Bearer ${broadcastKey}`, 'eventyard-broadcast': value });
      assert.equal(bad.status, 200);
      const badBody = (await bad.json()) as { event_id: string; ret: { code: number; msg: string } };
      assert.equal(badBody.ret.code, 10000);
      assert.match(badBody.ret.msg, /eventyard-broadcast/);
      refusedIds.push(badBody.event_id);
    }

    const accepted = await p.client.report({ event }, { apiKey: broadcastKey, broadcast: true });
    assert.equal(accepted.ret?.code ?? 0, 0, JSON.stringify(accepted.ret));
    const acceptedHttp = await post({ authorization: `Bearer ${broadcastKey}`, 'eventyard-broadcast': '1' });
    assert.equal(acceptedHttp.status, 200);
    const acceptedHttpId = ((await acceptedHttp.json()) as { event_id: string }).event_id;
    const sentinel = await p.client.report({ event }, { apiKey: reportOnly });
    assert.equal(sentinel.ret?.code ?? 0, 0);

    const records = await p.readTopic(Topics.ingest, (rs) => rs.some((r) => r.headers['ey-event-id'] === sentinel.event_id));
    const byId = new Map(records.map((r) => [r.headers['ey-event-id'], decodeMessage('eventyard.v1.IngestEnvelope', r.value)]));
    assert.ok(byId.has(sentinel.event_id), 'sentinel read back');
    assert.equal(refusedIds.length, 9);
    for (const id of refusedIds) assert.ok(!byId.has(id), `refused Report ${id} published nothing`);
    for (const id of [accepted.event_id, acceptedHttpId]) {
      const envelope = byId.get(id);
      assert.equal(envelope?.broadcast, true, `event ${id} is a broadcast`);
      assert.equal(envelope.api_key_id, broadcaster.id);
    }
    const plain = byId.get(sentinel.event_id);
    assert.equal(plain?.broadcast, false);
    assert.equal(plain.api_key_id, mode === 'false' ? '' : /^eyk_([0-9a-f]{12})_/.exec(reportOnly)?.[1]);
  });
}

test('a broadcast Prepare needs the broadcast permission, and its Commit publishes a broadcast', async (t) => {
  const p = await startProducer(t, { EY_TOPIC_PARTITIONS: '1' });
  const txCallback = { Endpoint: { protocol_type: 1 as const, address: '127.0.0.1:9999', timeout: { seconds: 2 } }, callback_interval: { seconds: 30 } };
  const { secret: reportOnly } = await createApiKey(p.db.knex, { app_ids: ['shop'], permissions: ['report'] });
  const { secret: broadcastKey } = await createApiKey(p.db.knex, { app_ids: ['shop'], permissions: ['report', 'broadcast'] });

  await assert.rejects(p.client.prepare({ event, tx_callback: txCallback }, { apiKey: reportOnly, broadcast: true }), (err: grpc.ServiceError) => {
    assert.equal(err.code, grpc.status.PERMISSION_DENIED, err.details);
    assert.match(err.details, DENIED);
    return true;
  });
  const deniedHttp = await fetch(`${p.httpUrl}/v1/prepare`, {
    method: 'POST',
    headers: { authorization: `Bearer ${reportOnly}`, 'eventyard-broadcast': 'true' },
    body: JSON.stringify({ event, txCallback: { Endpoint: { protocol_type: 1, address: '127.0.0.1:9999' } } }),
  });
  assert.equal(deniedHttp.status, 403);
  const plain = await p.client.prepare({ event, tx_callback: txCallback }, { apiKey: broadcastKey });
  assert.equal(plain.ret?.code ?? 0, 0, 'no flag: a plain transaction');
  const badFlag = new grpc.Metadata();
  badFlag.set('eventyard-broadcast', 'yes');
  const refused = await p.client.prepare({ event, tx_callback: txCallback }, { apiKey: broadcastKey, metadata: badFlag });
  assert.equal(refused.ret?.code, 10000);
  assert.match(refused.ret?.msg ?? '', /^eventyard-broadcast .*must be true, false, 1 or 0/);

  const prepared = await p.client.prepare({ event, tx_callback: txCallback }, { apiKey: broadcastKey, broadcast: true });
  assert.equal(prepared.ret?.code ?? 0, 0, JSON.stringify(prepared.ret));
  const eventId = prepared.tx?.event_id ?? '';
  // Committed by a caller whose key may only report: the broadcast was authorised at Prepare.
  const committed = await p.client.commit({ event_id: eventId }, { apiKey: reportOnly });
  assert.equal(committed.ret?.code ?? 0, 0, JSON.stringify(committed.ret));
  const plainId = plain.tx?.event_id ?? '';
  // The flag belongs on Prepare: a Commit asking for a broadcast the Prepare did not is refused, and the
  // transaction stays in PREPARE.
  const late = await p.client.commit({ event_id: plainId }, { apiKey: broadcastKey, broadcast: true });
  assert.equal(late.ret?.code, 10000);
  assert.match(
    late.ret?.msg ?? '',
    /^eventyard-broadcast \(metadata \/ header\) on Commit: transaction \d+ was not prepared as a broadcast; send the flag with Prepare/,
  );
  assert.equal((await p.client.commit({ event_id: plainId }, { apiKey: reportOnly })).ret?.code ?? 0, 0);

  const records = await p.readTopic(Topics.ingest, (rs) => [eventId, plainId].every((id) => rs.some((r) => r.headers['ey-event-id'] === id)));
  const byId = new Map(records.map((r) => [r.headers['ey-event-id'], decodeMessage('eventyard.v1.IngestEnvelope', r.value)]));
  assert.equal(byId.get(eventId)?.broadcast, true, 'the committed broadcast transaction');
  assert.equal(byId.get(plainId)?.broadcast, false, 'a transaction prepared without the flag');
});

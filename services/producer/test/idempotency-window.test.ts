// The idempotency window while the first Report of a key is still being published (issue 14): a
// duplicate never gets OK with an event id that is not on the broker. It waits for the holder and
// answers its id once written, gets a retryable 20005 / UNAVAILABLE / 503 when the holder is still in
// flight after the wait, and publishes itself when the holder's publish failed and released the key.
// The holder is held between claim and publish through the test-only `afterClaim` fault point.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import * as grpc from '@grpc/grpc-js';
import { EventyardError, ResultCode, Topics } from '@eventyard/core';
import type { IdempotencyKeyRef } from '@eventyard/db';
import { ProducerErrors } from '../src/error-codes.ts';
import { startProducer } from './fixture.ts';

interface Hold {
  /** Resolves with the holder's event id once it claimed the key. */
  claimed: PromiseWithResolvers<string>;
  /** Resolve to let the holder publish, reject to fail its publish. */
  release: PromiseWithResolvers<void>;
}

test('idempotency: duplicates of a Report whose publish is in flight', async (t) => {
  // The first claim of a key listed in `holds` waits in the fault point until the test releases it.
  const holds = new Map<string, Hold>();
  const afterClaim = async (claim: IdempotencyKeyRef): Promise<void> => {
    const hold = holds.get(claim.key);
    if (hold === undefined) return;
    holds.delete(claim.key);
    hold.claimed.resolve(claim.event_id);
    await hold.release.promise;
  };
  const hold = (key: string): Hold => {
    const h = { claimed: Promise.withResolvers<string>(), release: Promise.withResolvers<void>() };
    holds.set(key, h);
    return h;
  };
  // Publish timeout 2 s: a duplicate waits up to 2 s for the holder, whose claim expires after 3 s.
  const p = await startProducer(t, { EY_PUBLISH_TIMEOUT_MS: '2000', EY_TOPIC_PARTITIONS: '1' }, { faults: { afterClaim } });
  const requestFor = (key: string, data: string) => ({
    event: { app_id: 'shop', topic_id: 'window', data: Buffer.from(data) },
    option: { idempotent: { key, idempotent_time: { seconds: 600 } } },
  });
  const ingestIds = async (until: string): Promise<string[]> => {
    const records = await p.readTopic(Topics.ingest, (rs) => rs.some((r) => r.headers['ey-event-id'] === until));
    return records.map((r) => r.headers['ey-event-id'] ?? '');
  };

  await t.test('a duplicate answers only once the first event is written, with its event id', async () => {
    const h = hold('in-flight');
    const first = p.client.report(requestFor('in-flight', 'first'));
    const heldId = await h.claimed.promise;
    let duplicateAnswered = false;
    const duplicate = p.client.report(requestFor('in-flight', 'duplicate')).finally(() => (duplicateAnswered = true));
    await sleep(500);
    assert.equal(duplicateAnswered, false, 'no answer while the first publish is in flight');
    const row = (await p.db.knex('idempotency_keys').where({ key: 'in-flight' }).first('status', 'event_id')) as { status: string; event_id: string };
    assert.deepEqual(row, { status: 'in_progress', event_id: heldId });

    h.release.resolve();
    const [a, b] = await Promise.all([first, duplicate]);
    assert.equal(a.ret?.code ?? 0, 0, JSON.stringify(a.ret));
    assert.equal(a.event_id, heldId);
    assert.equal(b.ret?.code ?? 0, 0, JSON.stringify(b.ret));
    assert.equal(b.event_id, heldId, 'the duplicate gets the written event id');
    assert.equal((await ingestIds(heldId)).filter((id) => id === heldId).length, 1, 'written once');
    assert.equal(((await p.db.knex('idempotency_keys').where({ key: 'in-flight' }).first('status')) as { status: string }).status, 'done');
  });

  await t.test('a holder still in flight after the wait: the duplicate gets the retryable 20005 (gRPC UNAVAILABLE, HTTP 503)', async () => {
    const h = hold('slow');
    const first = p.client.report(requestFor('slow', 'first'));
    const heldId = await h.claimed.promise;
    const overGrpc = assert.rejects(p.client.report(requestFor('slow', 'duplicate')), (err: grpc.ServiceError) => {
      assert.equal(err.code, grpc.status.UNAVAILABLE, err.message);
      assert.deepEqual(err.metadata.get('ey-ret-code'), ['20005']);
      assert.match(
        err.details,
        new RegExp(`^idempotency key "slow" of shop/window is being published by event_id ${heldId}, not yet acknowledged; retry this Report$`),
      );
      assert.notDeepEqual(err.metadata.get('ey-event-id'), [heldId]);
      return true;
    });
    const overHttp = fetch(`${p.httpUrl}/v1/report`, {
      method: 'POST',
      body: JSON.stringify({ event: { app_id: 'shop', topic_id: 'window' }, option: { idempotent: { key: 'slow', idempotent_time: { seconds: 600 } } } }),
    });
    await overGrpc;
    const http = await overHttp;
    const body = (await http.json()) as { event_id: string; ret: { code: number; msg: string } };
    assert.equal(http.status, 503);
    assert.equal(body.ret.code, ResultCode.SYSTEM_ERROR);
    assert.match(body.ret.msg, new RegExp(`being published by event_id ${heldId}`));
    assert.notEqual(body.event_id, heldId, 'the in-flight event id is never handed out before it is written');

    h.release.resolve();
    const a = await first;
    assert.equal(a.ret?.code ?? 0, 0, JSON.stringify(a.ret));
    const retried = await p.client.report(requestFor('slow', 'retry'));
    assert.equal(retried.ret?.code ?? 0, 0, JSON.stringify(retried.ret));
    assert.equal(retried.event_id, heldId, 'a retry after the first is written gets its event id');
  });

  await t.test('a failed publish releases the claim: a waiting duplicate publishes itself', async () => {
    const h = hold('fails');
    const first = p.client.report(requestFor('fails', 'first'));
    const heldId = await h.claimed.promise;
    const duplicate = p.client.report(requestFor('fails', 'duplicate'));
    await sleep(200);
    h.release.reject(new EventyardError(ProducerErrors.EY_PUBLISH_FAILED, 'publish failed: injected by the test'));
    const a = await first;
    assert.equal(a.ret?.code, ResultCode.PUBLISH_FAILED, JSON.stringify(a.ret));
    const b = await duplicate;
    assert.equal(b.ret?.code ?? 0, 0, JSON.stringify(b.ret));
    assert.notEqual(b.event_id, heldId);
    const ids = await ingestIds(b.event_id);
    assert.equal(ids.filter((id) => id === b.event_id).length, 1);
    assert.ok(!ids.includes(heldId), 'the failed Report wrote nothing');
  });
});

// A broker outage answers Reports with 20000 within the publish timeout instead of hanging them, gives
// the idempotency key back so a retry can publish, and the producer recovers when the broker returns.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Topics } from '@eventyard/core';
import { startProducer } from './fixture.ts';

test('broker down: 20000 within the publish timeout, key released, recovery after restart', async (t) => {
  const p = await startProducer(t, { EY_PUBLISH_TIMEOUT_MS: '1500', EY_TOPIC_PARTITIONS: '1' });
  const ok = await p.client.report({ event: { app_id: 'shop', topic_id: 'before' } });
  assert.equal(ok.ret?.code ?? 0, 0);

  await p.stopBroker();
  const request = { event: { app_id: 'shop', topic_id: 'outage' }, option: { idempotent: { key: 'retry-me', idempotent_time: { seconds: 600 } } } };
  // The client's deadline is far past the publish timeout: a hang would surface as DEADLINE_EXCEEDED.
  const failed = await p.client.report(request, { deadlineMs: 30_000 });
  assert.equal(failed.ret?.code, 20000, JSON.stringify(failed.ret));
  assert.match(failed.ret?.msg ?? '', /^publish failed/);
  assert.match(failed.event_id, /^[1-9]\d*$/);
  const http = await fetch(`${p.httpUrl}/v1/report`, { method: 'POST', body: JSON.stringify({ event: { app_id: 'shop', topic_id: 'outage-http' } }) });
  const httpBody = (await http.json()) as { event_id: string; ret: { code: number } };
  assert.equal(httpBody.ret.code, 20000);

  await p.restartBroker();
  // The first Reports after the restart may still meet the producer reconnecting; it recovers on its own.
  let retried: Awaited<ReturnType<typeof p.client.report>> | undefined;
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    retried = await p.client.report(request, { deadlineMs: 30_000 });
    if ((retried.ret?.code ?? 0) === 0) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  assert.equal(retried?.ret?.code ?? 0, 0, JSON.stringify(retried?.ret));
  // The failed Report released its key: the retry published under a new event id.
  assert.notEqual(retried?.event_id, failed.event_id);
  const records = await p.readTopic(Topics.ingest, (rs) => rs.some((r) => r.headers['ey-event-id'] === retried?.event_id));
  assert.ok(records.some((r) => r.headers['ey-event-id'] === retried?.event_id));
});

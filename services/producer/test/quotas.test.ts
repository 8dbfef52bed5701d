// Quotas at the producer: the producer config's qps per (app_id, topic_id), RESOURCE_EXHAUSTED with the
// pushback trailer over gRPC and 429 with Retry-After over HTTP, shared by all live producer instances;
// the trigger bounds and per-app counts, each refusal naming its limit. Counts over a window with margins,
// never raw timings.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import * as grpc from '@grpc/grpc-js';
import { silentLogger, Topics } from '@eventyard/core';
import { insertTimers, upsertProducer } from '@eventyard/db';
import { createReportClient, type ReportClient } from '@eventyard/sdk';
import { createApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { startProducer, waitFor } from './fixture.ts';

const shop = { app_id: 'shop', topic_id: 'order' };

type Outcome = 'ok' | 'limited';

async function outcome(client: ReportClient, event: { app_id: string; topic_id: string }): Promise<Outcome> {
  try {
    const rsp = await client.report({ event });
    assert.equal(rsp.ret?.code ?? 0, 0, JSON.stringify(rsp.ret));
    return 'ok';
  } catch (err) {
    if ((err as grpc.ServiceError).code === grpc.status.RESOURCE_EXHAUSTED) return 'limited';
    throw err;
  }
}

/** Reports from `loops` parallel callers until `ms` passed; counts the accepted ones. */
async function hammer(
  clients: ReportClient[],
  event: { app_id: string; topic_id: string },
  ms: number,
  loops = 2,
): Promise<{ accepted: number; limited: number; seconds: number }> {
  const started = Date.now();
  let accepted = 0;
  let limited = 0;
  await Promise.all(
    clients.flatMap((client) =>
      Array.from({ length: loops }, async () => {
        while (Date.now() - started < ms) {
          if ((await outcome(client, event)) === 'ok') accepted++;
          else limited++;
          await sleep(5);
        }
      }),
    ),
  );
  return { accepted, limited, seconds: (Date.now() - started) / 1000 };
}

test('a Report burst over qps is refused: RESOURCE_EXHAUSTED over gRPC, 429 + Retry-After over HTTP', async (t) => {
  const p = await startProducer(t);
  await upsertProducer(p.db.knex, { ...shop, qps: 5 });
  // The config reaches the producer through NOTIFY: wait until a burst meets the limit, then let it refill.
  await waitFor(async () => (await Promise.all(Array.from({ length: 12 }, () => outcome(p.client, shop)))).includes('limited'), 10_000, 'the qps to apply');
  await sleep(1500);

  const burst = 20;
  const results = await Promise.allSettled(Array.from({ length: burst }, () => p.client.report({ event: shop })));
  const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  const accepted = results.filter((r) => r.status === 'fulfilled' && (r.value.ret?.code ?? 0) === 0).length;
  assert.equal(accepted + refused.length, burst, 'every Report is either accepted or refused by the limit');
  // The bucket holds one second of qps (5); a burst sent at once gets about that, plus what refills meanwhile.
  assert.ok(accepted >= 1 && accepted <= 8, `${accepted} of ${burst} accepted at qps 5`);
  const err = refused[0]?.reason as grpc.ServiceError;
  assert.equal(err.code, grpc.status.RESOURCE_EXHAUSTED);
  assert.match(
    err.details,
    /^shop\/order: Report rate over qps=5 \(producer config shop\/order; this producer's share is 5\/s of 1 live producers\); retry in \d+ ms$/,
  );
  assert.ok(Number(err.metadata.get('grpc-retry-pushback-ms')[0]) > 0);
  assert.equal(err.metadata.get('ey-ret-code')[0], '20005');
  assert.match(String(err.metadata.get('ey-event-id')[0]), /^\d+$/);

  // Another topic of the app has no qps.
  assert.equal(await outcome(p.client, { app_id: 'shop', topic_id: 'other' }), 'ok');

  const responses = await Promise.all(
    Array.from({ length: burst }, () => fetch(`${p.httpUrl}/v1/report`, { method: 'POST', body: JSON.stringify({ event: shop }) })),
  );
  const tooMany = responses.filter((r) => r.status === 429);
  assert.ok(tooMany.length >= burst - 8, `${tooMany.length} of ${burst} answered 429`);
  assert.ok(responses.every((r) => r.status === 200 || r.status === 429));
  assert.ok(Number(tooMany[0]?.headers.get('retry-after')) >= 1, 'Retry-After in whole seconds');
  const body = (await tooMany[0]?.json()) as { event_id: string; ret: { code: number; msg: string } };
  assert.equal(body.ret.code, 20005);
  assert.match(body.ret.msg, /qps=5/);
  assert.match(body.event_id, /^\d+$/);

  // qps 0 lifts the limit.
  await upsertProducer(p.db.knex, { ...shop, qps: 0 });
  await waitFor(
    async () => !(await Promise.all(Array.from({ length: 12 }, () => outcome(p.client, shop)))).includes('limited'),
    10_000,
    'qps 0 to lift the limit',
  );
});

test('two producer instances share one qps (within a margin)', async (t) => {
  const refresh = { EY_QPS_INSTANCES_REFRESH_MS: '500' };
  const a = await startProducer(t, refresh);
  const config = loadConfig({
    EY_DATABASE_URL: a.db.url,
    EY_KAFKA_BROKERS: `127.0.0.1:${a.broker.port}`,
    EY_GRPC_PORT: '0',
    EY_HTTP_PORT: '0',
    EY_HEALTH_PORT: '0',
    EY_GRPC_HOST: '127.0.0.1',
    EY_HTTP_HOST: '127.0.0.1',
    EY_TOPIC_PARTITIONS: '2',
    EY_SHUTDOWN_GRACE_MS: '2000',
    EY_REQUIRE_API_KEY: 'false',
    ...refresh,
  });
  const b = createApp(config, { logger: silentLogger() });
  try {
    await b.start();
    const bClient = createReportClient({ address: `127.0.0.1:${b.ports.grpc}`, deadlineMs: 15_000 });
    try {
      const qps = 20;
      await upsertProducer(a.db.knex, { ...shop, qps });
      await waitFor(
        async () => (await Promise.all(Array.from({ length: 25 }, () => outcome(bClient, shop)))).includes('limited'),
        10_000,
        'the qps to apply on b',
      );
      // Both instances re-count the live producers every 500 ms; then both buckets refill.
      await sleep(2000);
      const { accepted, limited, seconds } = await hammer([a.client, bClient], shop, 4000);
      assert.ok(limited > 0, 'the offered load is over the limit');
      // Each instance's burst is one second of its share (qps / 2): together one second of qps.
      const ceiling = qps * seconds * 1.1 + qps;
      assert.ok(accepted <= ceiling, `${accepted} accepted in ${seconds.toFixed(1)} s at qps ${qps} by two instances (ceiling ${ceiling.toFixed(0)})`);
      assert.ok(accepted >= qps * seconds * 0.5, `${accepted} accepted in ${seconds.toFixed(1)} s: the limit still lets its rate through`);
    } finally {
      bClient.close();
    }
  } finally {
    await b.close();
  }
});

test('trigger bounds and per-app counts are refused naming the limit', async (t) => {
  const p = await startProducer(t, {
    EY_MAX_DELAY_MS: '60000',
    EY_REPEAT_MIN_INTERVAL_MS: '5000',
    EY_REPEAT_MAX_OCCURRENCES: '10',
    EY_REPEAT_MAX_HORIZON_MS: '3600000',
    EY_MAX_PENDING_TIMERS_PER_APP: '2',
    EY_MAX_OPEN_TRANSACTIONS_PER_APP: '1',
    EY_QUOTA_COUNT_CACHE_MS: '0',
    EY_TOPIC_PARTITIONS: '1',
  });
  const ret = async (trigger: Record<string, unknown>, event = shop) => (await p.client.report({ event, trigger })).ret ?? { code: 0, msg: '' };
  const interval = (seconds: number) => ({
    trigger_type: 3,
    repeat_trigger: { end_type: 2, repeat_end: { repeat_times: 3 }, pulser_type: 1, regular_pulser: { interval: { seconds } } },
  });

  assert.deepEqual(await ret({ trigger_type: 2, delay_trigger: { delay_time: { seconds: 120 } } }), {
    code: 10000,
    msg: 'trigger.delay_trigger.delay_time: is 120000 ms, over the limit of EY_MAX_DELAY_MS=60000',
  });
  assert.deepEqual(
    await ret({
      trigger_type: 4,
      delay_process_trigger_list: [
        { key: 'a', delay_time: { seconds: 1 } },
        { key: 'b', delay_time: { seconds: 61 } },
      ],
    }),
    {
      code: 10000,
      msg: 'trigger.delay_process_trigger_list[1].delay_time: is 61000 ms, over the limit of EY_MAX_DELAY_MS=60000',
    },
  );
  assert.deepEqual(await ret(interval(2)), {
    code: 10000,
    msg: 'trigger.repeat_trigger.regular_pulser.interval: fires every 2000 ms, over the limit of EY_REPEAT_MIN_INTERVAL_MS=5000',
  });
  const cron = await ret({
    trigger_type: 3,
    repeat_trigger: { end_type: 2, repeat_end: { repeat_times: 3 }, pulser_type: 2, crontab_pulser: { crontab: '*/2 * * * * *' } },
  });
  assert.deepEqual(cron, {
    code: 10000,
    msg: 'trigger.repeat_trigger.crontab_pulser.crontab: fires every 2000 ms, over the limit of EY_REPEAT_MIN_INTERVAL_MS=5000',
  });
  const many = {
    trigger_type: 3,
    repeat_trigger: { end_type: 2, repeat_end: { repeat_times: 11 }, pulser_type: 1, regular_pulser: { interval: { seconds: 10 } } },
  };
  assert.deepEqual(await ret(many), {
    code: 10000,
    msg: 'trigger.repeat_trigger.repeat_end: makes 11 occurrences, over the limit of EY_REPEAT_MAX_OCCURRENCES=10',
  });
  const endless = {
    trigger_type: 3,
    repeat_trigger: { end_type: 2, repeat_end: { repeat_times: 0 }, pulser_type: 1, regular_pulser: { interval: { seconds: 10 } } },
  };
  assert.deepEqual(await ret(endless), {
    code: 10000,
    msg: 'trigger.repeat_trigger.repeat_end: never ends (repeat_times 0 and no end_time), over the limit of EY_REPEAT_MAX_OCCURRENCES=10',
  });
  const far = {
    trigger_type: 3,
    repeat_trigger: { end_type: 2, repeat_end: { repeat_times: 5 }, pulser_type: 1, regular_pulser: { interval: { seconds: 3600 } } },
  };
  const farRet = await ret(far);
  assert.equal(farRet.code, 10000);
  assert.match(
    farRet.msg,
    /^trigger\.repeat_trigger\.repeat_end: has its last occurrence \d+ ms from now, over the limit of EY_REPEAT_MAX_HORIZON_MS=3600000$/,
  );
  // Within every bound: accepted.
  assert.equal((await ret(interval(10))).code, 0);

  // Pending timers per app: a delayed Report's schedule record names its app, the delay-scheduler keeps
  // it with the timer, and the producer counts the app's timers.
  const delayed = await p.client.report({
    event: { ...shop, topic_id: 'later' },
    trigger: { trigger_type: 2, delay_trigger: { delay_time: { seconds: 30 } } },
  });
  assert.equal(delayed.ret?.code ?? 0, 0);
  const records = await p.readTopic(Topics.schedule, (rs) => rs.some((r) => r.headers['ey-event-id'] === delayed.event_id));
  assert.equal(records.find((r) => r.headers['ey-event-id'] === delayed.event_id)?.headers['ey-app-id'], 'shop');
  const timer = (id: string, app: string) => ({
    id,
    kind: 'delay',
    due_at: new Date(Date.now() + 60_000),
    target_topic: Topics.ingest,
    message_key: null,
    value: Buffer.from('x'),
    headers: { 'ey-app-id': app },
  });
  await insertTimers(p.db.knex, [timer('t1', 'shop'), timer('t2', 'shop'), timer('t3', 'blog')]);
  const delay = { trigger_type: 2 as const, delay_trigger: { delay_time: { seconds: 30 } } };
  await assert.rejects(p.client.report({ event: shop, trigger: delay }), (err: grpc.ServiceError) => {
    assert.equal(err.code, grpc.status.RESOURCE_EXHAUSTED);
    assert.equal(err.details, 'app_id "shop" has 2 pending timers (delay, repeat, delay-process), at the limit EY_MAX_PENDING_TIMERS_PER_APP=2');
    return true;
  });
  const http = await fetch(`${p.httpUrl}/v1/report`, { method: 'POST', body: JSON.stringify({ event: shop, trigger: delay }) });
  assert.equal(http.status, 429);
  assert.equal(http.headers.get('retry-after'), null, 'no wait is known for a count');
  assert.equal((await ret(delay, { app_id: 'blog', topic_id: 'post' })).code, 0, 'another app has its own count');
  assert.equal((await ret({ trigger_type: 1 })).code, 0, 'a real-time Report leaves no timer');

  // Open transactions per app.
  const callback = { Endpoint: { protocol_type: 1 as const, address: '127.0.0.1:9999', timeout: { seconds: 2 } }, callback_interval: { seconds: 30 } };
  assert.equal((await p.client.prepare({ event: shop, tx_callback: callback })).ret?.code ?? 0, 0);
  await assert.rejects(p.client.prepare({ event: shop, tx_callback: callback }), (err: grpc.ServiceError) => {
    assert.equal(err.code, grpc.status.RESOURCE_EXHAUSTED);
    assert.equal(err.details, 'app_id "shop" has 1 transactions in PREPARE, at the limit EY_MAX_OPEN_TRANSACTIONS_PER_APP=1');
    return true;
  });
  assert.equal((await p.client.prepare({ event: { app_id: 'blog', topic_id: 'post' }, tx_callback: callback })).ret?.code ?? 0, 0);
});

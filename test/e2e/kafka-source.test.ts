// Issue 19 item 1 over real processes: a plain Kafka topic declared as a source through the admin API.
// Records produced to it with kcat and with kafkajs reach a Dispatch server as events with the mapped
// fields (data, tags from a header, event_source; orderingKey from the record key in the history); a
// kill -9 of the producer (the process reading the topic) mid-run loses none of them; unmappable records
// (a value that is not JSON, a missing mapped header) are on the dead-letter topic and in the history;
// pausing and resuming the source take effect without a restart.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { startDispatchServer } from '@eventyard/sdk';
import { registerProcessor } from './event-kinds.ts';
import { adminCall, startStack, waitForRouterProcessors, waitUntil, type RunningStack } from './stack.ts';

const KCAT = '/usr/bin/kcat';
const TOPIC = 'plain-orders';
const RECORDS = 400;

interface Seen {
  event_id: string;
  data: string;
  tags: string[];
  source: string;
  qua: string;
}

async function sourcesRunning(stack: RunningStack): Promise<number> {
  const metrics = await (await fetch(`http://127.0.0.1:${stack.healthPort('producer')}/metrics`)).text();
  return Number(/^eventyard_producer_sources_running(?:\{[^}]*\})? (\d+)/m.exec(metrics)?.[1] ?? -1);
}

test('a Kafka topic as a source: kcat and kafkajs records become events, at least once across a kill -9', async (t) => {
  const kcat = existsSync(KCAT);
  if (!kcat && process.env.CI !== undefined) assert.fail(`${KCAT} is required in CI (.ci/run installs kcat)`);
  const stack = await startStack(t);
  const seen = new Map<string, Seen[]>();
  const server = await startDispatchServer({
    port: 0,
    host: '127.0.0.1',
    handler: async (req) => {
      const data = Buffer.from(req.event?.data ?? []).toString();
      const n = (JSON.parse(data) as { id: string }).id;
      const comm = req.event?.event_comm;
      const list = seen.get(n) ?? [];
      list.push({
        event_id: req.event_id,
        data,
        tags: comm?.event_tag?.tag_list ?? [],
        source: comm?.event_source?.source ?? '',
        qua: comm?.event_source?.qua ?? '',
      });
      seen.set(n, list);
      return { ret: { code: 0, msg: '' }, pass_back: Buffer.alloc(0) };
    },
  });
  t.after(() => server.close());
  await registerProcessor(stack, {
    dispatcher_id: 'source-sink',
    app_id: 'src',
    topic_id: 'orders',
    protocol_type: 'grpcSend',
    addr: `127.0.0.1:${server.port}`,
    timeout: 3000,
  });
  await waitForRouterProcessors(stack, 1);

  const kafka = new Kafka({ brokers: [stack.kafkaBrokers], clientId: 'source-test', logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 3 }] });
  await admin.disconnect();

  const saved = await adminCall(stack, 'POST', '/v1/sources', {
    source_id: 'orders',
    app_id: 'src',
    topic_id: 'orders',
    topic: TOPIC,
    mapping: { data: 'json', tag_headers: ['region'], idempotency_key: { header: 'msg-id' } },
    start_from: 'earliest',
  });
  assert.equal(saved.status, 200, JSON.stringify(saved.body));
  await waitUntil(async () => (await sourcesRunning(stack)) === 1, 30_000, 'the producer runs the source').catch((err: unknown) => {
    throw new Error(`${String(err)}\n${stack.logs('producer')}`);
  });

  const producer: Producer = kafka.producer();
  await producer.connect();
  t.after(() => producer.disconnect());
  const expected = new Set<string>();

  await t.test('records produced with kcat arrive with the mapped fields', async (t2) => {
    if (!kcat) {
      t2.skip(`${KCAT} is not installed (CI installs it)`);
      return;
    }
    for (let i = 0; i < 3; i++) {
      const id = `kcat-${i}`;
      expected.add(id);
      await kcatProduce(stack.kafkaBrokers, `cust-${i}|{"id":"${id}","amount":${i}}\n`, id);
    }
    await waitUntil(() => ['kcat-0', 'kcat-1', 'kcat-2'].every((id) => seen.has(id)), 60_000, 'the kcat records delivered');
    const first = seen.get('kcat-1')?.[0];
    assert.ok(first);
    assert.deepEqual(JSON.parse(first.data), { id: 'kcat-1', amount: 1 });
    assert.deepEqual(first.tags, ['eu-west']);
    assert.equal(first.source, 'kafka:orders');
    assert.match(first.qua, new RegExp(`^${TOPIC}/\\d/\\d+$`));
    const row = (await stack.knex('events').where({ event_id: first.event_id }).first()) as {
      ordering_key: string | null;
      app_id: string;
      idempotency_key: string | null;
    };
    assert.equal(row.app_id, 'src');
    assert.equal(row.ordering_key, 'cust-1', 'orderingKey comes from the record key');
  });

  await t.test('kafkajs records all arrive although the producer is killed -9 mid-run', async () => {
    // Everything is on the topic before the kill, so the kill lands while the producer is reading it.
    for (let i = 0; i < RECORDS; i += 50) {
      const messages = Array.from({ length: 50 }, (_, j) => {
        const id = `kjs-${i + j}`;
        expected.add(id);
        return { key: `cust-${(i + j) % 7}`, value: JSON.stringify({ id }), headers: { region: 'us', 'msg-id': id } };
      });
      await producer.send({ topic: TOPIC, messages });
    }
    const delivered = () => [...seen.keys()].filter((id) => id.startsWith('kjs-')).length;
    await waitUntil(() => delivered() >= 50, 60_000, 'some kafkajs records delivered');
    const atKill = delivered();
    await stack.kill('producer');
    await stack.start('producer');
    // The same record again (the same msg-id): its idempotency key makes it one event.
    await producer.send({ topic: TOPIC, messages: [{ key: 'cust-0', value: JSON.stringify({ id: 'kjs-0' }), headers: { region: 'us', 'msg-id': 'kjs-0' } }] });
    await waitUntil(() => [...expected].every((id) => seen.has(id)), 120_000, 'every record delivered');
    const duplicates = [...seen.values()].reduce((sum, list) => sum + new Set(list.map((s) => s.event_id)).size - 1, 0);
    t.diagnostic(
      `${expected.size} records, ${atKill} of the ${RECORDS} kafkajs ones delivered when the producer was killed -9, all delivered after; records that became a second event (a claim cut by the kill): ${duplicates}`,
    );
    assert.equal(new Set(seen.get('kjs-0')?.map((s) => s.event_id)).size, 1, 'a record produced twice with one msg-id is one event');
    assert.ok(duplicates < RECORDS / 4, 'duplicates bounded by what was in flight at the kill');
  });

  await t.test('unmappable records are dead-lettered with the reason and have a rejected history row', async () => {
    await producer.send({
      topic: TOPIC,
      messages: [
        { key: 'bad-1', value: 'not json at all', headers: { 'msg-id': 'bad-json' } },
        { key: 'bad-2', value: JSON.stringify({ id: 'no-header' }) },
      ],
    });
    const dead: Array<{ code: string; reason: string; key: string; eventId: string }> = [];
    const consumer = kafka.consumer({ groupId: `dead-reader-${process.pid}` });
    await consumer.connect();
    await consumer.subscribe({ topic: 'eventyard.dead', fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const header = (name: string) => message.headers?.[name]?.toString() ?? '';
        if (header('eventyard-source-id') === 'orders')
          dead.push({ code: header('ey-error-code'), reason: header('eventyard-reason'), key: message.key?.toString() ?? '', eventId: header('ey-event-id') });
      },
    });
    try {
      await waitUntil(() => dead.some((d) => d.key === 'bad-1') && dead.some((d) => d.key === 'bad-2'), 60_000, 'both dead letters');
    } finally {
      await consumer.disconnect();
    }
    const badJson = dead.find((d) => d.key === 'bad-1');
    const noHeader = dead.find((d) => d.key === 'bad-2');
    assert.equal(badJson?.code, 'EY_SOURCE_RECORD_UNMAPPABLE');
    assert.match(badJson?.reason ?? '', /value is not JSON/);
    assert.match(noHeader?.reason ?? '', /header "msg-id" \(mapping\.idempotency_key\) is missing/);
    for (const letter of [badJson, noHeader]) {
      const history = await adminCall(stack, 'GET', `/v1/events/${letter?.eventId ?? ''}`);
      assert.equal(history.status, 200, JSON.stringify(history.body));
      const event = history.body.event as { status: string; status_reason: string; app_id: string };
      assert.equal(event.status, 'rejected');
      assert.equal(event.app_id, 'src');
      assert.equal(event.status_reason, letter?.reason);
    }
  });

  await t.test('pause stops reading without a restart; resume picks the waiting records up', async () => {
    assert.equal((await adminCall(stack, 'POST', '/v1/sources/orders/pause')).status, 200);
    await waitUntil(async () => (await sourcesRunning(stack)) === 0, 30_000, 'the source stopped');
    await producer.send({ topic: TOPIC, messages: [{ key: 'late', value: JSON.stringify({ id: 'after-pause' }), headers: { 'msg-id': 'after-pause' } }] });
    assert.equal((await adminCall(stack, 'POST', '/v1/sources/orders/resume')).status, 200);
    await waitUntil(() => seen.has('after-pause'), 60_000, 'the record produced while paused delivered after resume');
    assert.equal((await adminCall(stack, 'DELETE', '/v1/sources/orders')).status, 200);
    await waitUntil(async () => (await sourcesRunning(stack)) === 0, 30_000, 'the deleted source stopped');
  });
});

/** Produces one line with kcat, reading it from stdin (key|value, headers as given). */
async function kcatProduce(brokers: string, line: string, id: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const child = spawn(KCAT, ['-P', '-b', brokers, '-t', TOPIC, '-K', '|', '-H', 'region=eu-west', '-H', `msg-id=${id}`], {
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`kcat exited ${code}: ${stderr}`))));
    child.stdin.end(line);
  });
}

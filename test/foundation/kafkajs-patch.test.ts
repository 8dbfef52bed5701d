// patches/kafkajs@2.2.4.patch: kafkajs's request queue re-armed a 1 ms timer forever on every connection
// (kafkajs#1556), so each idle service woke ~1000 times a second; an idle consumer long-polls at a
// doubling wait (idleMaxWaitTimeInMs) answered by the first record, a busy one waits briefly for larger fetches (busyMinBytes; and
// longer at a high arrival rate, loadedRecordsPerSecond), a
// paused consumer fetches again as soon as it is resumed, and a stop does not wait for a long poll, even
// one still on its way out; its admin answers sort topic names by code unit, not with localeCompare
// (whose collator maps 2 MB of the node binary's ICU data into a process on its first use: the producer
// creating the topics of a fresh install held it for life). These fail if the patch stops applying (say after a kafkajs upgrade) or a
// behaviour comes back.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { test, type TestContext } from 'node:test';
import { Kafka, logLevel, type Consumer, type LogEntry } from 'kafkajs';
import { startTestBroker, waitFor } from '@eventyard/broker/testing';

// The producer's one-time partitioner notice would land in whichever test's logs come first.
process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';

/** One fetch request a consumer made: the wait it asked for and how many records came back. */
interface FetchSeen {
  maxWaitTime: number;
  minBytes: number;
  records: number | 'abandoned';
}

interface FetchResult {
  responses: Array<{ partitions: Array<{ messages: unknown[] }> }>;
}

type BrokerFetch = (request: { maxWaitTime: number; minBytes: number }) => Promise<FetchResult>;

/**
 * Records every fetch request kafkajs sends (its Broker class, observed, not replaced: the request still
 * goes to our broker). kafkajs has no public hook that shows a fetch's maxWaitTime.
 */
function watchFetches(t: TestContext, onFetch?: () => void): FetchSeen[] {
  const require = createRequire(import.meta.url);
  const Broker = require('kafkajs/src/broker/index.js') as { prototype: { fetch: BrokerFetch } };
  const original = Broker.prototype.fetch;
  const seen: FetchSeen[] = [];
  Broker.prototype.fetch = async function (this: unknown, request) {
    const entry: FetchSeen = { maxWaitTime: request.maxWaitTime, minBytes: request.minBytes, records: 'abandoned' };
    seen.push(entry);
    const answer = original.call(this, request);
    onFetch?.();
    const result = await answer;
    entry.records = result.responses.reduce((sum, topic) => sum + topic.partitions.reduce((n, p) => n + p.messages.length, 0), 0);
    return result;
  };
  t.after(() => {
    Broker.prototype.fetch = original;
  });
  return seen;
}

async function startKafka(t: TestContext) {
  const cleanups: Array<() => Promise<unknown>> = [];
  t.after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });
  const broker = await startTestBroker({ dirPrefix: 'ey-kafkajs-patch-' });
  cleanups.push(() => broker.close());
  const logs: LogEntry[] = [];
  const kafka = new Kafka({
    clientId: 'patch-check',
    brokers: [broker.address],
    logLevel: logLevel.WARN,
    logCreator: () => (entry) => {
      logs.push(entry);
    },
  });
  const topic = `patch-${randomBytes(4).toString('hex')}`;
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] });
  await admin.disconnect();
  const producer = kafka.producer();
  await producer.connect();
  cleanups.push(() => producer.disconnect());
  const consumers: Consumer[] = [];
  cleanups.push(() => Promise.all(consumers.map((c) => c.disconnect())));
  const consumer = (config: Omit<Parameters<Kafka['consumer']>[0], 'groupId'>) => {
    const c = kafka.consumer({ groupId: `patch-${randomBytes(4).toString('hex')}`, ...config });
    consumers.push(c);
    return c;
  };
  return { kafka, topic, producer, consumer, logs };
}

test('an idle kafkajs connection runs no request-queue timers', async (t) => {
  // node:test runs `after` hooks first-in-first-out: one hook undoes everything, newest first.
  const cleanups: Array<() => Promise<unknown>> = [];
  t.after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });
  // Every timer kafkajs's request queue makes, from before the connection exists (the request-timeout
  // check used to be a 100 ms interval per connection, started at connect), counted when it fires.
  const originals = { setTimeout: globalThis.setTimeout, setInterval: globalThis.setInterval };
  let fired = 0;
  const counting = <F extends typeof setTimeout | typeof setInterval>(make: F): F =>
    ((callback: (...a: unknown[]) => void, ...rest: unknown[]) => {
      const fromQueue = new Error().stack?.includes('requestQueue') === true;
      const wrapped = fromQueue
        ? (...a: unknown[]) => {
            fired += 1;
            callback(...a);
          }
        : callback;
      return (make as (cb: (...a: unknown[]) => void, ...r: unknown[]) => unknown)(wrapped, ...rest);
    }) as F;
  globalThis.setTimeout = counting(originals.setTimeout);
  globalThis.setInterval = counting(originals.setInterval);
  cleanups.push(() => {
    Object.assign(globalThis, originals);
    return Promise.resolve();
  });
  const broker = await startTestBroker({ dirPrefix: 'ey-kafkajs-patch-', flush: { mode: 'always' } });
  cleanups.push(() => broker.close());
  const producer = new Kafka({ clientId: 'patch-check', brokers: [`127.0.0.1:${broker.port}`], logLevel: logLevel.NOTHING }).producer();
  await producer.connect();
  cleanups.push(() => producer.disconnect());
  // One request, so the queue has fulfilled something (the original 1 ms loop started there).
  await producer.send({ topic: 'patch-check', messages: [{ value: 'x' }] });

  const before = fired;
  await new Promise((resolve) => originals.setTimeout(resolve, 500));
  assert.ok(fired - before < 3, `kafkajs's request queue timers fired ${fired - before} times in 500 ms while idle`);
});

test('a request the broker never answers still times out', async (t) => {
  // A broker that accepts connections and never answers: kafkajs's first request (ApiVersions) must be
  // rejected by the request-timeout timer the patch now arms per request.
  const silent = createServer(() => {});
  const sockets = new Set<Socket>();
  silent.on('connection', (socket) => sockets.add(socket));
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    for (const socket of sockets) socket.destroy();
    return new Promise((resolve) => silent.close(resolve));
  });
  const { port } = silent.address() as AddressInfo;
  const admin = new Kafka({
    clientId: 'patch-check',
    brokers: [`127.0.0.1:${port}`],
    connectionTimeout: 300,
    requestTimeout: 300,
    retry: { retries: 0 },
    logLevel: logLevel.NOTHING,
  }).admin();
  await assert.rejects(admin.connect(), (err: Error) => /timed out/i.test(`${err.message} ${String((err as { cause?: unknown }).cause)}`));
});

/** Connects `c`, subscribes it to `topic` from the beginning and runs it; resolves with the values it receives, as they come. */
async function collect(c: Consumer, topic: string): Promise<string[]> {
  await c.connect();
  await c.subscribe({ topics: [topic], fromBeginning: true });
  const received: string[] = [];
  await c.run({
    eachMessage: ({ message }) => {
      received.push(message.value?.toString() ?? '');
      return Promise.resolve();
    },
  });
  return received;
}

test('an idle consumer doubles its fetch wait up to idleMaxWaitTimeInMs and a fetch with records resets it', async (t) => {
  const seen = watchFetches(t);
  const { topic, producer, consumer } = await startKafka(t);
  const c = consumer({ maxWaitTimeInMs: 50, idleMaxWaitTimeInMs: 400, sessionTimeout: 10_000, heartbeatInterval: 1000 });
  const received = await collect(c, topic);
  await waitFor(() => seen.filter((f) => f.maxWaitTime === 400).length >= 2, 20_000, 'the idle wait to reach 400 ms twice');
  await producer.send({ topic, messages: [{ value: 'one' }] });
  await waitFor(() => received.length === 1, 20_000, 'the record');
  await waitFor(() => seen.filter((f) => f.maxWaitTime === 400).length >= 4, 20_000, 'the idle wait to grow again');
  await c.stop();

  const done = seen.filter((f) => f.records !== 'abandoned');
  assert.deepEqual(
    done.slice(0, 4).map((f) => f.maxWaitTime),
    [50, 100, 200, 400],
  );
  assert.ok(
    done.some((f) => f.records !== 0),
    'one fetch brought the record',
  );
  for (let i = 1; i < done.length; i += 1) {
    const before = done[i - 1]!;
    const expected = before.records === 0 ? Math.min(before.maxWaitTime * 2, 400) : 50;
    assert.equal(done[i]!.maxWaitTime, expected, `fetch ${i} after ${JSON.stringify(before)}`);
  }
});

test('a lengthened idle poll asks for minBytes 1, so a consumer with a larger minBytes gets its first record at once', async (t) => {
  // With minBytes above 1 the broker holds a fetch for its whole wait unless that many bytes arrive; a
  // doubled idle wait with the consumer's minBytes held a quiet router's first record up to
  // idleMaxWaitTimeInMs (bench:e2e at 100/s with a 64 KiB, 30 ms router window: p99 1,030 ms, 52 without
  // the doubling).
  const seen = watchFetches(t);
  const { topic, producer, consumer } = await startKafka(t);
  const c = consumer({ minBytes: 1_000_000, maxWaitTimeInMs: 50, idleMaxWaitTimeInMs: 400, sessionTimeout: 10_000, heartbeatInterval: 1000 });
  const received = await collect(c, topic);
  await waitFor(() => seen.filter((f) => f.maxWaitTime === 400).length >= 1, 20_000, 'the idle wait to reach 400 ms');
  await producer.send({ topic, messages: [{ value: 'one' }] });
  await waitFor(() => received.length === 1, 20_000, 'the record');
  await c.stop();

  const done = seen.filter((f) => f.records !== 'abandoned');
  for (const fetch of done) {
    assert.equal(fetch.minBytes, fetch.maxWaitTime > 50 ? 1 : 1_000_000, `fetch ${JSON.stringify(fetch)}`);
  }
  // The record came in a lengthened poll (answered by its arrival), not after a window of the consumer's own.
  const brought = done.find((f) => f.records !== 0);
  assert.ok(brought !== undefined && brought.maxWaitTime > 50 && brought.minBytes === 1, JSON.stringify(done));
});

test('after a fetch that brought two records or more, the next one waits for busyMinBytes up to busyMaxWaitTimeInMs', async (t) => {
  const seen = watchFetches(t);
  const { topic, producer, consumer } = await startKafka(t);
  // A window no fetch here fills, so each busy fetch runs to its 30 ms and comes back with what arrived.
  const c = consumer({
    maxWaitTimeInMs: 50,
    idleMaxWaitTimeInMs: 400,
    busyMinBytes: 1_000_000,
    busyMaxWaitTimeInMs: 30,
    sessionTimeout: 10_000,
    heartbeatInterval: 1000,
  });
  const received = await collect(c, topic);
  await waitFor(() => seen.filter((f) => f.maxWaitTime === 400).length >= 1, 20_000, 'the consumer to idle');
  await producer.send({ topic, messages: [{ value: 'alone' }] });
  await waitFor(() => received.length === 1, 20_000, 'the single record');
  await waitFor(() => seen.filter((f) => f.maxWaitTime === 400).length >= 2, 20_000, 'the consumer to idle again');
  await producer.send({ topic, messages: ['a', 'b', 'c'].map((value) => ({ value })) });
  await waitFor(() => received.length === 4, 20_000, 'the three records');
  await waitFor(() => seen.filter((f) => f.maxWaitTime === 400).length >= 3, 20_000, 'the consumer to idle once more');
  await c.stop();

  const done = seen.filter((f) => f.records !== 'abandoned');
  const single = done.findIndex((f) => f.records === 1);
  const triple = done.findIndex((f) => f.records === 3);
  assert.ok(single >= 0 && triple > single, `one fetch brought the single record, a later one the three: ${JSON.stringify(done)}`);
  // One record is a quiet stream: the next fetch answers as soon as anything arrives, as before.
  assert.deepEqual(done[single + 1], { maxWaitTime: 50, minBytes: 1, records: 0 });
  // Three at once: the next fetch waits for busyMinBytes, for at most busyMaxWaitTimeInMs...
  assert.deepEqual(done[triple + 1], { maxWaitTime: 30, minBytes: 1_000_000, records: 0 });
  // ...and having brought nothing, the one after it long-polls again from maxWaitTimeInMs.
  assert.deepEqual(done[triple + 2], { maxWaitTime: 50, minBytes: 1, records: 0 });
  for (const fetch of done) if (fetch.minBytes !== 1) assert.equal(fetch.maxWaitTime, 30, 'a window is never longer than busyMaxWaitTimeInMs');
});

test('with loadedRecordsPerSecond, records that trickle in keep the busy window, and records that pour in get the loaded one', async (t) => {
  const seen = watchFetches(t);
  const { topic, producer, consumer } = await startKafka(t);
  // Busy window: 40 ms for 500,000 bytes; loaded window: 30 ms for 1,000,000 bytes, once the broker's
  // answers bring 1,000 records a second or more (decayed over ~100 ms).
  const c = consumer({
    maxWaitTimeInMs: 50,
    idleMaxWaitTimeInMs: 400,
    busyMinBytes: 500_000,
    busyMaxWaitTimeInMs: 40,
    loadedRecordsPerSecond: 1000,
    loadedMinBytes: 1_000_000,
    loadedMaxWaitTimeInMs: 30,
    sessionTimeout: 10_000,
    heartbeatInterval: 1000,
  });
  const received = await collect(c, topic);
  await waitFor(() => seen.filter((f) => f.maxWaitTime === 400).length >= 1, 20_000, 'the consumer to idle');
  // Trickle: three records at least 150 ms after the poll that will bring them was sent, so at least
  // 150 ms after the answer before it: under 20 records a second. Two or more, so the busy window follows.
  const polls = seen.length;
  await waitFor(() => seen.length > polls && seen.at(-1)?.maxWaitTime === 400, 20_000, 'an idle poll to be sent');
  await new Promise((resolve) => setTimeout(resolve, 150));
  await producer.send({ topic, messages: ['a', 'b', 'c'].map((value) => ({ value })) });
  await waitFor(() => received.length === 3, 20_000, 'the three records');
  await waitFor(() => seen.filter((f) => f.maxWaitTime === 400).length >= 3, 20_000, 'the consumer to idle again');
  const afterTrickle = seen.length;
  const trickle = seen.findIndex((f) => f.records === 3);
  assert.ok(trickle >= 0, `a fetch brought the three records: ${JSON.stringify(seen)}`);
  assert.deepEqual(seen[trickle + 1], { maxWaitTime: 40, minBytes: 500_000, records: 0 }, 'the busy window after a trickle');
  assert.ok(
    seen.every((f) => f.minBytes !== 1_000_000),
    `no loaded window after records that trickled in: ${JSON.stringify(seen)}`,
  );
  // Pour: sends of ten records back to back; the answers bring a send's ten or more every few ms,
  // thousands of records a second. The first window after the idle poll is the busy one (the rate then
  // counts the idle wait), and a fast machine can send a few dozen batches inside it, so the pour goes
  // on until a fetch waits with the loaded window, for at most 200 sends.
  const loadedWindow = (f: FetchSeen): boolean => f.minBytes === 1_000_000 && f.maxWaitTime === 30;
  let sent = 0;
  while (sent < 200 && !seen.slice(afterTrickle).some(loadedWindow)) {
    await producer.send({ topic, messages: Array.from({ length: 10 }, (_, n) => ({ value: `p${sent}-${n}` })) });
    sent += 1;
  }
  await waitFor(() => received.length === 3 + 10 * sent, 20_000, 'the poured records');
  await c.stop();
  assert.ok(seen.slice(afterTrickle).some(loadedWindow), `the loaded window once records poured in: ${JSON.stringify(seen.slice(afterTrickle))}`);
});

test('a consumer whose partitions are all paused fetches as soon as one is resumed', async (t) => {
  const { topic, producer, consumer } = await startKafka(t);
  // The paused sleep was maxWaitTimeInMs (20 s here) whatever happened meanwhile; the deadline below is shorter.
  const c = consumer({ maxWaitTimeInMs: 20_000, sessionTimeout: 30_000, heartbeatInterval: 1000 });
  await c.connect();
  await c.subscribe({ topics: [topic], fromBeginning: true });
  const received: string[] = [];
  let pausedAt = -1;
  const fetchStarts: number[] = [];
  c.on(c.events.FETCH_START, () => fetchStarts.push(received.length));
  await c.run({
    eachMessage: ({ message }) => {
      received.push(message.value?.toString() ?? '');
      if (received.length === 1) {
        pausedAt = fetchStarts.length;
        c.pause([{ topic }]);
      }
      return Promise.resolve();
    },
  });
  await producer.send({ topic, messages: [{ value: 'one' }, { value: 'two' }] });
  await waitFor(() => received.length === 1, 20_000, 'the first record');
  // A fetch started after the pause: with no partition to fetch, it sleeps.
  await waitFor(() => pausedAt >= 0 && fetchStarts.length > pausedAt, 20_000, 'a fetch after the pause');
  await new Promise((resolve) => setImmediate(resolve));
  c.resume([{ topic }]);
  await waitFor(() => received.length === 2, 10_000, 'the second record after the resume');
  assert.deepEqual(received, ['one', 'two']);
});

test('stopping a consumer does not wait for its long poll', async (t) => {
  const seen = watchFetches(t);
  const { topic, consumer, logs } = await startKafka(t);
  const c = consumer({ maxWaitTimeInMs: 25_000, sessionTimeout: 30_000, heartbeatInterval: 1000 });
  await c.connect();
  await c.subscribe({ topics: [topic], fromBeginning: true });
  await c.run({ eachMessage: () => Promise.resolve() });
  await waitFor(() => seen.length > 0, 20_000, 'a long poll in flight');
  // kafkajs waited for the poll (25 s here) before leaving the group and again before closing the connection.
  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([
    c.disconnect().then(() => 'disconnected'),
    new Promise((resolve) => (timer = setTimeout(resolve, 15_000, 'still waiting'))),
  ]);
  clearTimeout(timer);
  assert.equal(outcome, 'disconnected');
  assert.equal(seen[seen.length - 1]!.records, 'abandoned');
  assert.deepEqual(
    logs.filter((l) => l.level <= logLevel.WARN).map((l) => l.log.message),
    [],
  );
});

for (const when of ['as the fetch loop starts', 'as the first fetch is sent, its connection not yet open'] as const) {
  test(`a stop ${when} does not wait for that poll`, async (t) => {
    const atLoopStart = when === 'as the fetch loop starts';
    // Each variant stops at its one moment only: there, or inside the first Broker.fetch.
    const seen = watchFetches(t, atLoopStart ? undefined : () => stop());
    const { topic, consumer, logs } = await startKafka(t);
    const c = consumer({ maxWaitTimeInMs: 25_000, sessionTimeout: 30_000, heartbeatInterval: 1000 });
    // A stop found nothing in flight to abandon here, and the poll, sent once the connection was up,
    // held the disconnect for its whole wait.
    let stopped: Promise<string> | undefined;
    const stop = () => {
      stopped ??= c.disconnect().then(() => 'disconnected');
    };
    if (atLoopStart) c.on(c.events.FETCH_START, stop);
    await c.connect();
    await c.subscribe({ topics: [topic], fromBeginning: true });
    await c.run({ eachMessage: () => Promise.resolve() });
    await waitFor(() => stopped !== undefined, 20_000, 'the first fetch');
    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([stopped!, new Promise((resolve) => (timer = setTimeout(resolve, 15_000, 'still waiting')))]);
    clearTimeout(timer);
    assert.equal(outcome, 'disconnected');
    // Stopped before it asked, the group sends no fetch at all; stopped as it sent one, that one is abandoned.
    assert.deepEqual(
      seen.map((f) => f.records),
      atLoopStart ? [] : ['abandoned'],
    );
    assert.deepEqual(
      logs.filter((l) => l.level <= logLevel.WARN).map((l) => l.log.message),
      [],
    );
  });
}

test('admin responses sort topics without a locale collator (no ICU data mapped for them)', async (t) => {
  const broker = await startTestBroker({ dirPrefix: 'ey-kafkajs-patch-' });
  const admin = new Kafka({ clientId: 'patch-check', brokers: [broker.address], logLevel: logLevel.NOTHING }).admin();
  t.after(async () => {
    await admin.disconnect();
    await broker.close();
  });
  await admin.connect();
  // Counts calls and passes them through; node:test restores the method after the test.
  const localeCompare = t.mock.method(String.prototype, 'localeCompare');
  // Three topics in one request: the CreateTopics and DeleteTopics answers are sorted by topic name.
  const topics = ['patch-b', 'patch-A', 'patch-a'].map((name) => `${name}-${randomBytes(3).toString('hex')}`);
  assert.equal(await admin.createTopics({ topics: topics.map((topic) => ({ topic, numPartitions: 1 })) }), true);
  await admin.deleteTopics({ topics });
  assert.equal(localeCompare.mock.callCount(), 0, 'kafkajs called String.prototype.localeCompare');
});

// ManagedProducer against the project's broker: start/close idempotent and never reopened, readiness,
// a failed connect retried by the next start(), a send cut under EY_KAFKA_MAX_BATCH_BYTES landing in
// order, a coded retriable error instead of a hang when the broker goes away, and concurrent sends
// sharing requests (with a too-large record handed to its own caller).
import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import { after, before, test } from 'node:test';
import { readTopic, startTestBroker, type TestBroker } from '@eventyard/broker/testing';
import type { Kafka, Message } from 'kafkajs';
import { CoreErrors } from '../src/error-codes.ts';
import { defineErrorCodes, EventyardError, isEventyardError, ResultCode } from '../src/errors.ts';
import { createKafka } from '../src/kafka.ts';
import { createLogger } from '../src/logger.ts';
import { byTopic, ManagedProducer } from '../src/managed-producer.ts';

/** A caller's own timeout row, as a service passes one (the dispatcher's EY_DISPATCH_HAND_OFF_TIMEOUT). */
const OWN_TIMEOUT = defineErrorCodes({
  EY_TEST_TIMEOUT: { family: 'timeout', http: 503, resultCode: ResultCode.SYSTEM_ERROR, retriable: true, raisedBy: 'test', meaning: 'test' },
}).EY_TEST_TIMEOUT;

const logger = createLogger({ name: 'managed-producer-test', level: 'silent' });
let broker: TestBroker;
let kafka: Kafka;

/** A client that gives up quickly, so a dead broker fails a connect in well under a second. */
const quickKafka = (address: string): Kafka =>
  createKafka(
    { brokers: [address], clientId: 'managed-producer-test' },
    { logger, overrides: { connectionTimeout: 500, requestTimeout: 1000, retry: { retries: 1, initialRetryTime: 50, maxRetryTime: 100 } } },
  );

before(async () => {
  broker = await startTestBroker({ dirPrefix: 'ey-managed-producer-' });
  kafka = quickKafka(broker.address);
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: ['mp.a', 'mp.b', 'mp.outage', 'mp.shared', 'mp.closing'].map((topic) => ({ topic, numPartitions: 1 })) });
  // A topic refusing record batches over 2 kB, as Kafka does with max.message.bytes.
  await admin.createTopics({ topics: [{ topic: 'mp.small', numPartitions: 1, configEntries: [{ name: 'max.message.bytes', value: '2048' }] }] });
  await admin.disconnect();
});

after(async () => {
  await broker.close();
});

const record = (n: number, bytes: number): Message & { key: string } => ({ key: `k${n}`, value: Buffer.alloc(bytes, n % 256), headers: { n: String(n) } });

const codeOf = (err: unknown): string | undefined => (isEventyardError(err) ? err.code : undefined);

test('start and close are idempotent, connected follows them, and a closed producer is not reopened', async () => {
  const producer = new ManagedProducer({ kafka, retry: { retries: 1 } });
  await assert.rejects(
    producer.send([{ topic: 'mp.a', messages: [record(0, 10)] }], { timeoutMs: 1000 }),
    (err) => codeOf(err) === CoreErrors.EY_PRODUCER_NOT_RUNNING.code,
  );
  assert.equal(producer.connected, false);
  const first = producer.start();
  assert.equal(producer.start(), first, 'a second start() while connecting is the same promise');
  await first;
  await producer.start();
  assert.equal(producer.state, 'running');
  assert.equal(producer.connected, true);
  const closing = producer.close();
  assert.equal(producer.close(), closing);
  await closing;
  assert.equal(producer.state, 'closed');
  assert.equal(producer.connected, false);
  await assert.rejects(producer.start(), (err) => codeOf(err) === CoreErrors.EY_PRODUCER_NOT_RUNNING.code);
  await assert.rejects(
    producer.send([{ topic: 'mp.a', messages: [record(0, 10)] }], { timeoutMs: 1000 }),
    (err) => codeOf(err) === CoreErrors.EY_PRODUCER_NOT_RUNNING.code,
  );
});

test('a send larger than maxBatchBytes goes out as several requests, every topic in order', async () => {
  const producer = new ManagedProducer({ kafka, retry: { retries: 1 }, maxBatchBytes: 16 * 1024 });
  await producer.start();
  try {
    const a = Array.from({ length: 40 }, (_, i) => record(i, 3000));
    const b = Array.from({ length: 10 }, (_, i) => record(100 + i, 500));
    // 120 kB of values under a 16 kB limit: one request would be over it.
    await producer.send(byTopic([...a.map((m) => ({ topic: 'mp.a', ...m })), ...b.map((m) => ({ topic: 'mp.b', ...m }))]), { timeoutMs: 10_000 });
    const readA = await readTopic(kafka, 'mp.a', (records) => records.length >= 40, 10_000);
    const readB = await readTopic(kafka, 'mp.b', (records) => records.length >= 10, 10_000);
    assert.deepEqual(
      readA.map((r) => r.key),
      a.map((m) => m.key),
    );
    assert.deepEqual(
      readB.map((r) => r.key),
      b.map((m) => m.key),
    );
    assert.equal(readA[39]?.value.length, 3000);
  } finally {
    await producer.close();
  }
});

/** Takes the broker's port over with a listener that accepts connections and never answers: a stalled broker. */
async function stall(): Promise<() => Promise<void>> {
  await broker.stop();
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(broker.port, '127.0.0.1', resolve));
  return async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await broker.restart();
  };
}

test('a broker that stops answering fails a send with the retriable timeout error (or the caller’s own) within its bound', async () => {
  const own = new ManagedProducer({
    kafka,
    retry: { retries: 20, initialRetryTime: 100, maxRetryTime: 200 },
    errors: { timeout: ({ topics, timeoutMs }) => new EventyardError(OWN_TIMEOUT, `${topics.join()} ${timeoutMs}`) },
  });
  const plain = new ManagedProducer({ kafka, retry: { retries: 20, initialRetryTime: 100, maxRetryTime: 200 } });
  await own.start();
  await plain.start();
  const resume = await stall();
  try {
    const startedAt = Date.now();
    await assert.rejects(plain.send([{ topic: 'mp.outage', messages: [record(1, 10)] }], { timeoutMs: 800 }), (err) => {
      assert.ok(err instanceof EventyardError);
      assert.equal(err.code, CoreErrors.EY_PRODUCE_TIMEOUT.code);
      assert.equal(err.retriable, true);
      assert.deepEqual(err.context, { topics: ['mp.outage'] });
      return true;
    });
    assert.ok(Date.now() - startedAt < 3000, `gave up after ${Date.now() - startedAt} ms`);
    await assert.rejects(
      own.send([{ topic: 'mp.outage', messages: [record(2, 10)] }], { timeoutMs: 500 }),
      (err) => codeOf(err) === OWN_TIMEOUT.code && (err as Error).message === 'mp.outage 500',
    );
  } finally {
    await resume();
    await own.close();
    await plain.close();
  }
});

test('a failed connect is forgotten: the next start() connects once the broker is back', async () => {
  await broker.stop();
  const producer = new ManagedProducer({ kafka: quickKafka(broker.address), retry: { retries: 1 } });
  try {
    await assert.rejects(producer.start());
    assert.equal(producer.state, 'created');
    await broker.restart();
    await producer.start();
    assert.equal(producer.connected, true);
    await producer.send([{ topic: 'mp.a', messages: [record(500, 10)] }], { timeoutMs: 5000 });
  } finally {
    await producer.close();
  }
});

test('concurrent sends share requests: those made while one is in flight leave together, and a linger gathers the first too', async () => {
  const eager = new ManagedProducer({ kafka, retry: { retries: 1 } });
  const lingering = new ManagedProducer({ kafka, retry: { retries: 1 }, lingerMs: 20 });
  await eager.start();
  await lingering.start();
  try {
    // Twenty callers in one tick: the first goes at once, the other nineteen wait for it and share one.
    const first = Array.from({ length: 20 }, (_, i) => record(1000 + i, 10));
    await Promise.all(first.map((m) => eager.send([{ topic: 'mp.shared', messages: [m] }], { timeoutMs: 10_000 })));
    assert.equal(eager.sharedSends, 2);
    // With a linger, the first waits for the others: one shared send.
    const second = Array.from({ length: 20 }, (_, i) => record(2000 + i, 10));
    await Promise.all(second.map((m) => lingering.send([{ topic: 'mp.shared', messages: [m] }], { timeoutMs: 10_000 })));
    assert.equal(lingering.sharedSends, 1);
    const read = await readTopic(kafka, 'mp.shared', (records) => records.length >= 40, 10_000);
    assert.deepEqual(
      read.map((r) => r.key),
      [...first, ...second].map((m) => m.key),
      'every caller’s records, in the order the calls were made',
    );
  } finally {
    await eager.close();
    await lingering.close();
  }
});

test('in a shared request, a record the broker refuses as too large goes to its own caller’s handler; the others land', async () => {
  const producer = new ManagedProducer({ kafka, retry: { retries: 1 }, lingerMs: 20 });
  await producer.start();
  try {
    const big = record(3000, 4000);
    const small = record(3001, 10);
    const refusedBy: string[] = [];
    const handler = (who: string) => (_topic: string, message: Message) => {
      refusedBy.push(`${who}:${String(message.key)}`);
      return null;
    };
    await Promise.all([
      producer.send([{ topic: 'mp.small', messages: [big] }], { timeoutMs: 10_000, onTooLarge: handler('a') }),
      producer.send([{ topic: 'mp.small', messages: [small] }], { timeoutMs: 10_000, onTooLarge: handler('b') }),
    ]);
    assert.equal(producer.sharedSends, 1);
    assert.deepEqual(refusedBy, ['a:k3000']);
    const read = await readTopic(kafka, 'mp.small', (records) => records.length >= 1, 10_000);
    assert.deepEqual(
      read.map((r) => r.key),
      ['k3001'],
    );
  } finally {
    await producer.close();
  }
});

test('close() sends what callers handed over before it, then disconnects', async () => {
  const producer = new ManagedProducer({ kafka, retry: { retries: 1 }, lingerMs: 200 });
  await producer.start();
  const sent = producer.send([{ topic: 'mp.closing', messages: [record(4000, 10)] }], { timeoutMs: 10_000 });
  await producer.close();
  await sent;
  const read = await readTopic(kafka, 'mp.closing', (records) => records.length >= 1, 10_000);
  assert.deepEqual(
    read.map((r) => r.key),
    ['k4000'],
  );
});

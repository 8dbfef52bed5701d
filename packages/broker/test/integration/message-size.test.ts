// message.max.bytes (broker) and max.message.bytes (topic, overriding the broker's) as Kafka enforces
// them: a record batch larger than the limit, counted as the whole v2 batch with its 12-byte log
// overhead, fails its partition with MESSAGE_TOO_LARGE (10); a batch of exactly the limit is appended.
// kafkajs producers (no compression, one record per batch) send batches whose size the test computes,
// and the size of the stored segment confirms the computation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import kafkajs, { type Producer } from 'kafkajs';
import { createBroker, randomName, type TestBroker } from './fixture.ts';

const { ConfigResourceTypes, KafkaJSProtocolError } = kafkajs;
const exec = promisify(execFile);
/** The record batch v2 header, baseOffset and batchLength included. */
const BATCH_HEADER = 61;

function varintSize(n: number): number {
  let zigzag = (n << 1) ^ (n >> 31);
  let size = 1;
  while ((zigzag >>>= 7) !== 0) size++;
  return size;
}

/** The length of a value that makes kafkajs send a one-record, keyless, headerless batch of `batchBytes`. */
function valueLengthFor(batchBytes: number): number {
  // Record: length varint, attributes (1), timestampDelta 0 (1), offsetDelta 0 (1), key -1 (1),
  // value length varint + value, header count 0 (1).
  for (let value = batchBytes - BATCH_HEADER - 6; value > 0; value--) {
    const body = 5 + varintSize(value) + value;
    if (BATCH_HEADER + varintSize(body) + body === batchBytes) return value;
  }
  throw new Error(`no one-record batch is exactly ${batchBytes} bytes`);
}

async function producerFor(tb: TestBroker): Promise<Producer> {
  // No retries: MESSAGE_TOO_LARGE is not retriable, and a retry would only hide which error came back.
  const producer = tb.kafka({ retry: { retries: 0 } }).producer({ allowAutoTopicCreation: false });
  await producer.connect();
  tb.defer(() => producer.disconnect());
  return producer;
}

async function send(producer: Producer, topic: string, batchBytes: number): Promise<void> {
  await producer.send({ topic, acks: -1, messages: [{ value: Buffer.alloc(valueLengthFor(batchBytes), 0x61) }] });
}

/** The partition-level error kafkajs surfaces for a refused batch. */
async function refusedWith(promise: Promise<unknown>): Promise<InstanceType<typeof KafkaJSProtocolError>> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof KafkaJSProtocolError, `expected a KafkaJSProtocolError, got ${String(err)}`);
    return err;
  }
  assert.fail('the produce was accepted');
}

async function segmentBytes(tb: TestBroker, topic: string): Promise<number> {
  return (await stat(join(tb.dataDir, `${topic}-0`, '00000000000000000000.log'))).size;
}

test('the default message.max.bytes (1048588): a batch of exactly that is appended, one byte more is MESSAGE_TOO_LARGE', async (t) => {
  const tb = await createBroker(t);
  const admin = tb.kafka().admin();
  await admin.connect();
  tb.defer(() => admin.disconnect());
  const topic = randomName('size');
  await admin.createTopics({ topics: [{ topic }] });
  const producer = await producerFor(tb);

  await send(producer, topic, 1_048_588);
  assert.equal(await segmentBytes(tb, topic), 1_048_588, 'the accepted batch is exactly the limit');
  const err = await refusedWith(send(producer, topic, 1_048_589));
  assert.equal(err.type, 'MESSAGE_TOO_LARGE');
  assert.equal(err.code, 10);
  assert.equal(err.retriable, false);
  assert.equal(await segmentBytes(tb, topic), 1_048_588, 'nothing of the refused batch is written');
});

test('messageMaxBytes sets the broker limit and topic max.message.bytes overrides it, both ways', async (t) => {
  const tb = await createBroker(t, { messageMaxBytes: 4000 });
  const admin = tb.kafka().admin();
  await admin.connect();
  tb.defer(() => admin.disconnect());
  const plain = randomName('plain');
  const larger = randomName('larger');
  const smaller = randomName('smaller');
  await admin.createTopics({
    topics: [
      { topic: plain },
      { topic: larger, configEntries: [{ name: 'max.message.bytes', value: '9000' }] },
      { topic: smaller, configEntries: [{ name: 'max.message.bytes', value: '1500' }] },
    ],
  });
  const producer = await producerFor(tb);

  for (const [topic, limit] of [
    [plain, 4000],
    [larger, 9000],
    [smaller, 1500],
  ] as const) {
    await send(producer, topic, limit);
    assert.equal(await segmentBytes(tb, topic), limit, `${topic}: a batch of exactly ${limit} bytes is appended`);
    const err = await refusedWith(send(producer, topic, limit + 1));
    assert.equal(err.type, 'MESSAGE_TOO_LARGE', `${topic}: ${limit + 1} bytes`);
  }

  // DescribeConfigs: the broker reports message.max.bytes; a topic without its own value reports the
  // broker's as its default, a topic with one reports it as set.
  const broker = await admin.describeConfigs({
    includeSynonyms: false,
    resources: [{ type: ConfigResourceTypes.BROKER, name: '0', configNames: ['message.max.bytes'] }],
  });
  assert.deepEqual(
    broker.resources[0]?.configEntries.map((e) => [e.configName, e.configValue]),
    [['message.max.bytes', '4000']],
  );
  const topics = await admin.describeConfigs({
    includeSynonyms: false,
    resources: [plain, larger].map((name) => ({ type: ConfigResourceTypes.TOPIC, name, configNames: ['max.message.bytes'] })),
  });
  assert.deepEqual(
    topics.resources.map((r) => r.configEntries.map((e) => [e.configValue, e.isDefault])),
    [[['4000', true]], [['9000', false]]],
  );
});

test('a refused partition does not fail the other partitions of the same produce request', async (t) => {
  const tb = await createBroker(t);
  const admin = tb.kafka().admin();
  await admin.connect();
  tb.defer(() => admin.disconnect());
  const small = randomName('small');
  const big = randomName('big');
  await admin.createTopics({ topics: [{ topic: small, configEntries: [{ name: 'max.message.bytes', value: '200' }] }, { topic: big }] });
  const producer = await producerFor(tb);
  const batch = { messages: [{ value: Buffer.alloc(valueLengthFor(300), 0x61) }] };
  const err = await refusedWith(
    producer.sendBatch({
      acks: -1,
      topicMessages: [
        { topic: small, ...batch },
        { topic: big, ...batch },
      ],
    }),
  );
  assert.equal(err.type, 'MESSAGE_TOO_LARGE');
  assert.equal(await segmentBytes(tb, big), 300, 'the other topic got its batch');
  assert.equal(await segmentBytes(tb, small), 0);
});

test('kcat (librdkafka) sees MESSAGE_TOO_LARGE as "Message size too large"', async (t) => {
  try {
    await exec('kcat', ['-V'], { timeout: 5000 });
  } catch {
    t.skip('kcat not installed: apt-get install kcat (CI installs it)');
    return;
  }
  const tb = await createBroker(t);
  const admin = tb.kafka().admin();
  await admin.connect();
  tb.defer(() => admin.disconnect());
  const topic = randomName('kcat-size');
  await admin.createTopics({ topics: [{ topic, configEntries: [{ name: 'max.message.bytes', value: '1000' }] }] });
  const run = (value: string): Promise<{ code: number | null; stderr: string }> =>
    new Promise((resolve) => {
      const child = spawn('kcat', ['-b', tb.bootstrap, '-P', '-t', topic, '-p', '0', '-X', 'message.send.max.retries=0'], {
        stdio: ['pipe', 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code, stderr });
      });
      child.stdin.end(`${value}\n`);
    });
  const ok = await run('x'.repeat(100));
  assert.equal(ok.code, 0, ok.stderr);
  const refused = await run('x'.repeat(2000));
  assert.match(refused.stderr, /Message size too large/);
  assert.notEqual(refused.code, 0);
  assert.ok((await segmentBytes(tb, topic)) < 1000, 'only the small message was written');
});

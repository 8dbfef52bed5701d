// A second, independent client: kcat (librdkafka) lists metadata, produces and consumes against the
// broker, and reads what kafkajs wrote (and the reverse). Skips with the reason when kcat is absent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { createBroker, FAST_CONSUMER, randomName, waitFor } from './fixture.ts';

const exec = promisify(execFile);

async function kcatVersion(): Promise<string | undefined> {
  try {
    const { stdout } = await exec('kcat', ['-V'], { timeout: 5000 });
    return stdout.split('\n')[0];
  } catch {
    return undefined;
  }
}

/** Runs kcat with `input` on stdin; rejects on a non-zero exit or after 30 s. */
function kcat(args: string[], input = ''): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('kcat', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(stdout);
      else reject(new Error(`kcat ${args.join(' ')} exited ${code ?? signal}: ${stderr}`));
    });
    // kcat may exit before reading stdin (metadata, consume): a broken pipe there is not a failure.
    child.stdin.on('error', () => undefined);
    child.stdin.end(input);
  });
}

test('kcat: metadata, produce and consume, both ways with kafkajs', async (t) => {
  const version = await kcatVersion();
  if (version === undefined) {
    t.skip('kcat not installed: apt-get install kcat (CI installs it)');
    return;
  }
  t.diagnostic(version);
  const { broker, bootstrap, kafka, defer } = await createBroker(t);
  const topic = randomName('kcat');
  const admin = kafka().admin();
  await admin.connect();
  defer(() => admin.disconnect());
  await admin.createTopics({ topics: [{ topic, numPartitions: 2 }] });

  const metadata = JSON.parse(await kcat(['-b', bootstrap, '-L', '-J', '-t', topic])) as {
    controllerid: number;
    brokers: Array<{ id: number; name: string }>;
    topics: Array<{ topic: string; partitions: Array<{ partition: number; leader: number }> }>;
  };
  assert.equal(metadata.controllerid, 0);
  assert.deepEqual(metadata.brokers, [{ id: 0, name: `127.0.0.1:${broker.port}` }]);
  assert.deepEqual(
    metadata.topics[0]?.partitions.map((p) => [p.partition, p.leader]),
    [
      [0, 0],
      [1, 0],
    ],
  );

  // kcat produces (acks=all, gzip) with keys; kafkajs consumes.
  await kcat(['-b', bootstrap, '-P', '-t', topic, '-p', '0', '-K', ':', '-z', 'gzip', '-X', 'acks=all'], 'k1:from-kcat-1\nk2:from-kcat-2\n');
  const seen: string[] = [];
  const consumer = kafka().consumer({ groupId: randomName('g'), ...FAST_CONSUMER });
  await consumer.connect();
  defer(() => consumer.disconnect());
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      seen.push(`${message.key?.toString()}=${message.value?.toString()}`);
    },
  });
  await waitFor('kafkajs reads kcat records', () => seen.length >= 2);
  assert.deepEqual(seen, ['k1=from-kcat-1', 'k2=from-kcat-2']);

  // kafkajs produces; kcat consumes to the end of partition 1.
  const producer = kafka().producer();
  await producer.connect();
  defer(() => producer.disconnect());
  await producer.send({
    topic,
    messages: [
      { key: 'a', value: 'from-kafkajs-1', partition: 1 },
      { key: 'b', value: 'from-kafkajs-2', partition: 1 },
    ],
  });
  const consumed = await kcat(['-b', bootstrap, '-C', '-t', topic, '-p', '1', '-o', 'beginning', '-e', '-f', '%k=%s@%o\n']);
  assert.deepEqual(consumed.trim().split('\n'), ['a=from-kafkajs-1@0', 'b=from-kafkajs-2@1']);

  // kcat as a balanced group consumer reads both partitions, then its committed offsets are visible to kafkajs.
  const groupId = randomName('kcat-group');
  const grouped = await kcat([
    '-b',
    bootstrap,
    '-G',
    groupId,
    '-o',
    'beginning',
    '-e',
    '-f',
    '%s\n',
    '-X',
    'enable.auto.commit=true',
    '-X',
    'auto.commit.interval.ms=100',
    topic,
  ]);
  assert.deepEqual(grouped.trim().split('\n').sort(), ['from-kafkajs-1', 'from-kafkajs-2', 'from-kcat-1', 'from-kcat-2']);
  // librdkafka commits on close: kafkajs sees the group's offsets at the end of both partitions.
  const committed = await admin.fetchOffsets({ groupId, topics: [topic] });
  assert.deepEqual(committed[0]?.partitions.map((p) => [p.partition, p.offset]).sort(), [
    [0, '2'],
    [1, '2'],
  ]);
});

test('kcat reads LogAppendTime timestamps: the broker stamp replaces the producer timestamp', async (t) => {
  const version = await kcatVersion();
  if (version === undefined) {
    t.skip('kcat not installed: apt-get install kcat (CI installs it)');
    return;
  }
  const { bootstrap, kafka, defer } = await createBroker(t);
  const topic = randomName('kcat-lat');
  const admin = kafka().admin();
  await admin.connect();
  defer(() => admin.disconnect());
  await admin.createTopics({ topics: [{ topic, configEntries: [{ name: 'message.timestamp.type', value: 'LogAppendTime' }] }] });
  const producer = kafka().producer();
  await producer.connect();
  defer(() => producer.disconnect());
  const [sent] = await producer.send({ topic, messages: [{ value: 'old', timestamp: '1000' }] });
  // librdkafka takes a LogAppendTime batch's max timestamp as each record's timestamp.
  const consumed = await kcat(['-b', bootstrap, '-C', '-t', topic, '-o', 'beginning', '-e', '-f', '%s@%T\n']);
  assert.deepEqual(consumed.trim().split('\n'), [`old@${sent?.logAppendTime}`]);
  assert.ok(Number(sent?.logAppendTime) > 1000);
});

// kill -9 of a broker mid-stream: a child-process broker receives acks=-1 produces from kafkajs, is
// SIGKILLed while sends are in flight, and restarts on the same data dir. Every acknowledged record is
// there, in order, exactly once; appends continue after the recovered tail. Twice.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Kafka, Producer } from 'kafkajs';
import { FAST_CONSUMER, kafkaClient, randomName, waitFor } from './fixture.ts';

const SCRIPT = fileURLToPath(new URL('./fixtures/kill9-broker.ts', import.meta.url));
const PARTITIONS = 2;

interface Child {
  process: ChildProcess;
  port: number;
  stderr: () => string;
}

async function startChild(dataDir: string, port = 0): Promise<Child> {
  const child = spawn(process.execPath, [SCRIPT, dataDir, String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  let stdout = '';
  const listening = new Promise<number>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      const line = stdout.split('\n').find((l) => l.startsWith('{'));
      if (line !== undefined) resolve((JSON.parse(line) as { port: number }).port);
    });
    child.once('exit', (code) => reject(new Error(`broker exited with ${code}: ${stderr}`)));
  });
  const timeout = setTimeout(() => child.kill('SIGKILL'), 20_000);
  try {
    return { process: child, port: await listening, stderr: () => stderr };
  } finally {
    clearTimeout(timeout);
  }
}

async function kill9(child: Child): Promise<void> {
  if (child.process.exitCode !== null || child.process.signalCode !== null) return;
  const exited = once(child.process, 'exit');
  child.process.kill('SIGKILL');
  await exited;
}

/** Sends small acks=-1 batches to one partition until a send fails; records what was acknowledged. */
async function produceUntilFailure(producer: Producer, topic: string, partition: number, prefix: string, acked: string[]): Promise<void> {
  for (let batch = 0; ; batch++) {
    const values = Array.from({ length: 5 }, (_, i) => `${prefix}-p${partition}-${batch}-${i}`);
    try {
      await producer.send({ topic, acks: -1, messages: values.map((value) => ({ partition, value })) });
    } catch {
      return;
    }
    acked.push(...values);
  }
}

/** Everything in the topic, per partition, read by a consumer group from the beginning to the high watermark. */
async function readAll(kafka: Kafka, topic: string): Promise<string[][]> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const seen: string[][] = Array.from({ length: PARTITIONS }, () => []);
  const next = Array.from({ length: PARTITIONS }, () => 0);
  const consumer = kafka.consumer({ groupId: randomName('kill9-check'), ...FAST_CONSUMER });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: ({ partition, message }) => {
        seen[partition]!.push(message.value?.toString() ?? '');
        next[partition] = Number(message.offset) + 1;
        return Promise.resolve();
      },
    });
    await waitFor('the whole topic', () => ends.every((e) => next[e.partition] === Number(e.high)), 30_000);
  } finally {
    await consumer.disconnect();
  }
  return seen;
}

test('acknowledged records survive kill -9 of the broker, in order and once', { timeout: 120_000 }, async (t) => {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'ey-kill9-'));
  const children: Child[] = [];
  t.after(async () => {
    for (const c of children) await kill9(c);
    await rm(dataDir, { recursive: true, force: true });
  });
  const topic = randomName('kill9');
  const acked: string[][] = Array.from({ length: PARTITIONS }, () => []);

  let child = await startChild(dataDir);
  children.push(child);
  {
    const admin = kafkaClient(child.port).admin();
    await admin.connect();
    assert.equal(await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS }] }), true);
    await admin.disconnect();
  }

  for (const round of ['a', 'b']) {
    // No retries: a retried send could legitimately be stored twice without idempotence, and what
    // this test checks is that each acknowledged send is stored once.
    const kafka = kafkaClient(child.port, { retry: { retries: 0 } });
    const producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    const before = acked.map((a) => a.length);
    const loops = Array.from({ length: PARTITIONS }, (_, p) => produceUntilFailure(producer, topic, p, round, acked[p]!));
    await waitFor(`round ${round} acks`, () => acked.every((a, p) => a.length >= before[p]! + 100), 30_000);
    await kill9(child); // sends are in flight on both partitions
    await Promise.all(loops);
    await producer.disconnect().catch(() => undefined);

    child = await startChild(dataDir, child.port);
    children.push(child);
    const stored = await readAll(kafkaClient(child.port), topic);
    for (let p = 0; p < PARTITIONS; p++) {
      const got = stored[p]!;
      assert.equal(new Set(got).size, got.length, `partition ${p}: no record twice`);
      // Acknowledged records are a prefix, in order; at most the one in-flight batch follows them.
      assert.deepEqual(got.slice(0, acked[p]!.length), acked[p], `partition ${p}: every acknowledged record, in order`);
      const extra = got.slice(acked[p]!.length);
      assert.ok(extra.length <= 5 && extra.every((v) => v.startsWith(`${round}-p${p}-`)), `partition ${p}: unexpected ${extra.join(',')}`);
      acked[p]!.push(...extra); // stored, so part of what the next round must find again
    }
  }
});

// Broker throughput with kafkajs (1 KiB records, batches of 100, acks -1, one batch in flight) under
// both flush policies, printed beside the ceilings measured in the same run on the same machine: raw
// loopback TCP and sequential disk writes with and without an fsync per 100 KiB (what "flush always"
// costs per batch). Each phase is bounded in time; the whole run stays well under a minute.
//
//   node_modules/.bin/node bench/broker/run.ts
import { mkdtemp, open, rm } from 'node:fs/promises';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { startBroker, type FlushPolicy } from '@eventyard/broker';

const RECORD_BYTES = 1024;
const BATCH_RECORDS = 100;
const PRODUCE_SECONDS = 4;
const CONSUME_TIMEOUT_SECONDS = 10;
const CEILING_SECONDS = 1.5;

interface Row {
  what: string;
  mbPerSecond: number;
  recordsPerSecond?: number;
  note?: string;
}

const MB = 1024 * 1024;

async function brokerRun(flush: FlushPolicy, label: string): Promise<Row[]> {
  const dataDir = await mkdtemp(join(tmpdir(), 'ey-bench-broker-'));
  const broker = await startBroker({ port: 0, dataDir, flush });
  try {
    const kafka = new Kafka({ clientId: 'bench', brokers: [`127.0.0.1:${broker.port}`], logLevel: logLevel.NOTHING });
    const topic = 'bench';
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] });
    await admin.disconnect();

    const producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    const value = Buffer.alloc(RECORD_BYTES, 'x');
    const messages = Array.from({ length: BATCH_RECORDS }, (_, i) => ({ key: String(i), value }));
    let produced = 0;
    const produceStart = performance.now();
    const produceDeadline = produceStart + PRODUCE_SECONDS * 1000;
    while (performance.now() < produceDeadline) {
      await producer.send({ topic, acks: -1, messages });
      produced += BATCH_RECORDS;
    }
    const produceSeconds = (performance.now() - produceStart) / 1000;
    await producer.disconnect();

    const consumer = kafka.consumer({ groupId: 'bench', maxBytesPerPartition: 4 * MB, maxWaitTimeInMs: 100 });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    let consumed = 0;
    const consumeStart = performance.now();
    let consumeEnd = 0;
    const done = Promise.withResolvers<void>();
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        consumed += batch.messages.length;
        if (consumed >= produced) {
          consumeEnd = performance.now();
          done.resolve();
        }
      },
    });
    const timeout = setTimeout(() => done.resolve(), CONSUME_TIMEOUT_SECONDS * 1000);
    await done.promise;
    clearTimeout(timeout);
    const consumeSeconds = ((consumeEnd || performance.now()) - consumeStart) / 1000;
    await consumer.disconnect();
    const bytes = (n: number) => n * RECORD_BYTES;
    return [
      {
        what: `kafkajs produce, flush ${label}`,
        mbPerSecond: bytes(produced) / MB / produceSeconds,
        recordsPerSecond: produced / produceSeconds,
        note: `${produced} records in ${produceSeconds.toFixed(1)} s`,
      },
      {
        what: `kafkajs consume, flush ${label}`,
        mbPerSecond: bytes(consumed) / MB / consumeSeconds,
        recordsPerSecond: consumed / consumeSeconds,
        note: consumed < produced ? `only ${consumed}/${produced} within ${CONSUME_TIMEOUT_SECONDS} s` : `${consumed} records from the log start`,
      },
    ];
  } finally {
    await broker.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** One TCP connection over loopback, 64 KiB writes, the receiver discarding: the network ceiling. */
async function loopbackTcp(): Promise<Row> {
  let received = 0;
  const server = createServer((socket) => socket.on('data', (chunk: Buffer) => (received += chunk.length)));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  const socket = connect({ host: '127.0.0.1', port });
  await new Promise<void>((resolve) => socket.once('connect', resolve));
  const chunk = Buffer.alloc(64 * 1024, 'y');
  const start = performance.now();
  const deadline = start + CEILING_SECONDS * 1000;
  while (performance.now() < deadline) {
    if (!socket.write(chunk)) await new Promise((resolve) => socket.once('drain', resolve));
  }
  await new Promise<void>((resolve) => socket.end(resolve));
  const seconds = (performance.now() - start) / 1000;
  socket.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return { what: 'raw loopback TCP (1 connection)', mbPerSecond: received / MB / seconds };
}

/** Sequential appends to one file; with `fsyncEvery`, an fsync after each write of that size. */
async function diskWrite(fsync: boolean): Promise<Row> {
  const dir = await mkdtemp(join(tmpdir(), 'ey-bench-disk-'));
  const file = await open(join(dir, 'seq.bin'), 'w');
  // With fsync: one 100 KiB write + fsync per batch, as "flush always" does per produce request.
  const chunk = Buffer.alloc(fsync ? BATCH_RECORDS * RECORD_BYTES : MB, 'z');
  let written = 0;
  let syncs = 0;
  const start = performance.now();
  const deadline = start + CEILING_SECONDS * 1000;
  try {
    while (performance.now() < deadline && written < 2048 * MB) {
      await file.write(chunk);
      written += chunk.length;
      if (fsync) {
        await file.datasync();
        syncs++;
      }
    }
    if (!fsync) await file.datasync();
  } finally {
    await file.close();
    await rm(dir, { recursive: true, force: true });
  }
  const seconds = (performance.now() - start) / 1000;
  return fsync
    ? {
        what: 'disk sequential write + fsync per 100 KiB',
        mbPerSecond: written / MB / seconds,
        recordsPerSecond: written / RECORD_BYTES / seconds,
        note: `${Math.round(syncs / seconds)} fsyncs/s`,
      }
    : {
        what: 'disk sequential write (1 MiB writes, one fsync at the end)',
        mbPerSecond: written / MB / seconds,
        recordsPerSecond: written / RECORD_BYTES / seconds,
      };
}

function print(rows: Row[]): void {
  const width = Math.max(...rows.map((r) => r.what.length));
  process.stdout.write(`${'measure'.padEnd(width)}  ${'MB/s'.padStart(9)}  ${'records/s'.padStart(10)}  note\n`);
  for (const r of rows) {
    const records = r.recordsPerSecond === undefined ? '' : Math.round(r.recordsPerSecond).toString();
    process.stdout.write(`${r.what.padEnd(width)}  ${r.mbPerSecond.toFixed(1).padStart(9)}  ${records.padStart(10)}  ${r.note ?? ''}\n`);
  }
}

const started = performance.now();
const rows: Row[] = [];
rows.push(...(await brokerRun({ mode: 'always' }, 'always (fsync per produce)')));
rows.push(...(await brokerRun({ mode: 'interval', intervalMs: 1000 }, 'interval 1000 ms')));
rows.push(await loopbackTcp());
rows.push(await diskWrite(false));
rows.push(await diskWrite(true));
process.stdout.write(`broker bench: ${RECORD_BYTES} B records, ${BATCH_RECORDS} per batch, acks -1, one batch in flight, 1 partition\n\n`);
print(rows);
process.stdout.write(`\n(run took ${((performance.now() - started) / 1000).toFixed(1)} s; records/s for raw rows = 1 KiB records the ceiling would carry)\n`);

// Test helpers for anything that talks Kafka: read a topic from the beginning with a throwaway consumer
// group, and poll a condition with a deadline. Used by the services' test fixtures (kafkajs is theirs).
import { randomBytes } from 'node:crypto';
import type { IHeaders, Kafka } from 'kafkajs';

export interface ReadRecord {
  key: string;
  value: Buffer;
  headers: Record<string, string>;
  partition: number;
  offset: string;
  /** The record's timestamp (CreateTime: when the producing client built it), epoch ms. */
  timestamp: number;
}

function headersOf(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) if (value !== undefined) out[name] = String(value);
  return out;
}

/**
 * Reads `topic` from the beginning until `isDone(records)` or `timeoutMs`, then leaves the group.
 * Returns what was read either way, so a test asserts on what it got.
 */
export async function readTopic(kafka: Kafka, topic: string, isDone: (records: ReadRecord[]) => boolean, timeoutMs: number): Promise<ReadRecord[]> {
  const consumer = kafka.consumer({ groupId: `reader-${randomBytes(6).toString('hex')}`, sessionTimeout: 10_000, rebalanceTimeout: 10_000, maxWaitTimeInMs: 100 });
  const records: ReadRecord[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    let done: () => void = () => undefined;
    const enough = new Promise<void>((resolve) => (done = resolve));
    await consumer.run({
      eachMessage: async ({ message, partition }) => {
        records.push({ key: message.key?.toString('utf8') ?? '', value: message.value ?? Buffer.alloc(0), headers: headersOf(message.headers), partition, offset: message.offset, timestamp: Number(message.timestamp) });
        if (isDone(records)) done();
      },
    });
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([enough, new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
    clearTimeout(timer);
  } finally {
    await consumer.disconnect();
  }
  return records;
}

/** Polls `check` until it returns true or the deadline passes. */
export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

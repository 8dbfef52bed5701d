// A bare Kafka client over one socket, for what kafkajs will not send on purpose: out-of-order
// sequences, hand-built frames, garbage. Requests are encoded with the broker's own protocol codecs;
// record batches are built with kafkajs's encoder (an independent implementation of RecordBatch v2).
import { connect, type Socket } from 'node:net';
import { createRequire } from 'node:module';
import { decodeResponse, decodeResponseHeader, encodeRequest, type RequestBodies, type ResponseBodies } from '../../src/protocol/index.ts';

const require = createRequire(import.meta.url);

interface KafkajsEncoder {
  buffer: Buffer;
}
type RecordBatchFn = (options: {
  firstOffset?: unknown;
  firstTimestamp?: number;
  maxTimestamp?: number;
  lastOffsetDelta?: number;
  producerId?: unknown;
  producerEpoch?: number;
  firstSequence?: number;
  records: KafkajsEncoder[];
}) => Promise<KafkajsEncoder>;
type RecordFn = (options: { offsetDelta: number; key: Buffer | null; value: Buffer | null; headers?: Record<string, string> }) => KafkajsEncoder;
interface LongStatic {
  fromValue(value: string | number): unknown;
}

const { RecordBatch } = require('kafkajs/src/protocol/recordBatch/v0/index.js') as { RecordBatch: RecordBatchFn };
const Record = require('kafkajs/src/protocol/recordBatch/record/v0/index.js') as RecordFn;
const Long = require('kafkajs/src/utils/long.js') as LongStatic;

/** A RecordBatch v2 with `values.length` records, optionally idempotent (producer id, epoch, first sequence). */
export async function buildBatch(values: string[], idempotence?: { producerId: bigint; producerEpoch: number; firstSequence: number }): Promise<Buffer> {
  const now = Date.now();
  const batch = await RecordBatch({
    firstTimestamp: now,
    maxTimestamp: now,
    lastOffsetDelta: values.length - 1,
    records: values.map((value, offsetDelta) => Record({ offsetDelta, key: null, value: Buffer.from(value) })),
    ...(idempotence === undefined
      ? {}
      : { producerId: Long.fromValue(idempotence.producerId.toString()), producerEpoch: idempotence.producerEpoch, firstSequence: idempotence.firstSequence }),
  });
  return batch.buffer;
}

export class RawClient {
  readonly #socket: Socket;
  #buffer = Buffer.alloc(0);
  #waiters: Array<(frame: Buffer) => void> = [];
  #closed: Promise<void>;
  #correlationId = 0;

  private constructor(socket: Socket) {
    this.#socket = socket;
    this.#closed = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.on('error', () => undefined);
    socket.on('data', (chunk: Buffer) => {
      this.#buffer = Buffer.concat([this.#buffer, chunk]);
      while (this.#buffer.length >= 4 && this.#buffer.length >= 4 + this.#buffer.readInt32BE(0)) {
        const size = this.#buffer.readInt32BE(0);
        const frame = this.#buffer.subarray(4, 4 + size);
        this.#buffer = this.#buffer.subarray(4 + size);
        this.#waiters.shift()?.(frame);
      }
    });
  }

  static async connect(port: number): Promise<RawClient> {
    const socket = connect({ host: '127.0.0.1', port });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    return new RawClient(socket);
  }

  /** Resolves when the broker closes the connection. */
  get closed(): Promise<void> {
    return this.#closed;
  }

  /** Writes raw bytes (a hand-made frame). */
  write(bytes: Buffer): void {
    this.#socket.write(bytes);
  }

  /** The next response frame (without size prefix). */
  nextFrame(): Promise<Buffer> {
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  async request<K extends keyof RequestBodies & keyof ResponseBodies>(apiKey: K, version: number, body: RequestBodies[K]): Promise<ResponseBodies[K]> {
    const correlationId = ++this.#correlationId;
    const response = this.nextFrame();
    this.write(encodeRequest(apiKey, version, correlationId, 'raw-client', body));
    const frame = await response;
    const header = decodeResponseHeader(frame);
    if (header.correlationId !== correlationId) throw new Error(`correlation id ${header.correlationId}, expected ${correlationId}`);
    return decodeResponse(apiKey, version, frame, header.bodyOffset);
  }

  close(): void {
    this.#socket.destroy();
  }
}

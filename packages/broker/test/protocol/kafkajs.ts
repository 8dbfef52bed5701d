// Loads kafkajs 2.2.4's own protocol modules (request encoders, response decoders, record batch
// encoder) from its source, so our codec is checked against the client the broker must serve.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** kafkajs returns plain JS objects; tests compare them with deepEqual against literals. */
export type Decoded = Record<string, unknown>;

interface ResponseModule {
  decode(payload: Buffer): Promise<Decoded>;
}

interface KafkajsRequest {
  apiKey: number;
  apiVersion: number;
  encode(): Promise<unknown>;
}

interface EncoderLike {
  buffer: Buffer;
}

/**
 * kafkajs's decoder of `api` version `version`. It takes the payload after the size prefix and the
 * correlation id (network/connection.js reads both before handing the rest to `decode`).
 */
export function responseDecoder(api: string, version: number, factoryArgs?: unknown): ResponseModule {
  const loaded = require(`kafkajs/src/protocol/requests/${api}/v${version}/response.js`) as ResponseModule | ((args: unknown) => ResponseModule);
  // DeleteRecords' response module is a factory over the request's topics.
  return typeof loaded === 'function' ? loaded(factoryArgs) : loaded;
}

/** kafkajs's request builder of `api` version `version`. */
export function requestBuilder(api: string, version: number): (args: unknown) => KafkajsRequest {
  return require(`kafkajs/src/protocol/requests/${api}/v${version}/request.js`) as (args: unknown) => KafkajsRequest;
}

const frameRequest = require('kafkajs/src/protocol/request.js') as (args: {
  correlationId: number;
  clientId: string;
  request: KafkajsRequest;
}) => Promise<EncoderLike>;

/** The bytes kafkajs puts on the wire for `request`: size prefix, header v1, body. */
export async function kafkajsFrame(request: KafkajsRequest, correlationId: number, clientId: string): Promise<Buffer> {
  return (await frameRequest({ correlationId, clientId, request })).buffer;
}

interface RecordArgs {
  offsetDelta: number;
  timestampDelta?: number;
  key: Buffer | null;
  value: Buffer;
  headers?: Record<string, string>;
}

const { RecordBatch } = require('kafkajs/src/protocol/recordBatch/v0/index.js') as {
  RecordBatch: (args: Record<string, unknown>) => Promise<EncoderLike>;
};
const Record = require('kafkajs/src/protocol/recordBatch/record/v0/index.js') as (args: RecordArgs) => unknown;
const Long = require('kafkajs/src/utils/long.js') as { fromValue(value: number | string): unknown };

/** A RecordBatch v2 as kafkajs encodes it (uncompressed), starting at `firstOffset`. */
export async function recordBatch(firstOffset: number, records: RecordArgs[]): Promise<Buffer> {
  const batch = await RecordBatch({
    firstOffset: Long.fromValue(firstOffset),
    firstTimestamp: 1700000000000,
    maxTimestamp: 1700000000000 + records.length,
    lastOffsetDelta: records.length - 1,
    records: records.map((record) => Record(record)),
  });
  return batch.buffer;
}

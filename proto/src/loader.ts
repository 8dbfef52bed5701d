// The one place .proto files are loaded: gRPC service definitions for grpc-js (via proto-loader) and
// protobufjs message codecs for Kafka record payloads, both with the same conversion options so a
// message looks the same in a gRPC handler as after a Kafka round trip. grpc-js and proto-loader are
// required by loadEvhub() only: a process that only encodes and decodes Kafka records (the router, the
// admin) never loads them.
import { createRequire } from 'node:module';
import path from 'node:path';
import type * as Grpc from '@grpc/grpc-js';
import type * as protoLoader from '@grpc/proto-loader';
import type { ProtoGrpcType as ProcessorGrpcType } from './generated/processor.ts';
import type { ProtoGrpcType as ProducerGrpcType } from './generated/producer.ts';
import type { ProtoGrpcType as TransactionGrpcType } from './generated/transaction.ts';

/** Directory holding the .proto files (resolved from this module, so any cwd works). */
export const PROTO_DIR = path.resolve(import.meta.dirname, '..');

/** Every .proto file, relative to PROTO_DIR; imports between them resolve against PROTO_DIR. */
export const PROTO_FILES = [
  'comm/comm.proto',
  'producer/producer.proto',
  'processor/processor.proto',
  'transaction/transaction.proto',
  'eventyard/v1/envelope.proto',
] as const;

// google/protobuf/{duration,timestamp}.proto are not files on disk: protobufjs bundles the
// well-known types and resolves those import paths to its copies before asking the include
// path. Its package root is on the include path for the few it ships as files (descriptor.proto…).
const require = createRequire(import.meta.url);
const PROTOBUFJS_DIR = path.dirname(require.resolve('protobufjs/package.json'));

/**
 * Conversion options shared by the gRPC loader and the Kafka codecs. Change them here and in
 * GENERATOR_FLAGS together, then run `pnpm --filter @eventyard/proto generate`.
 */
export const CONVERSION_OPTIONS = Object.freeze({
  /** Field names exactly as in the .proto (`app_id`, `orderingKey`, `Endpoint`), like EvHub's Go JSON. */
  keepCase: true,
  /** int64 (Duration/Timestamp `seconds`) as decimal strings: exact beyond 2^53, no Long objects. */
  longs: String,
  /**
   * Enums as numbers: EvHub's Go JSON (HTTP mirror, admin API) carries them as numbers, and a number
   * survives a value this build does not know yet (proto3 enums are open) where a name cannot.
   */
  enums: Number,
  /** Bytes as Node Buffers. */
  bytes: Buffer,
  /** Absent scalars read as their zero value, absent messages as null, like Go's getters. */
  defaults: true,
  arrays: true,
  objects: true,
  oneofs: true,
});

/** proto-loader-gen-types flags matching CONVERSION_OPTIONS (used by scripts/generate.ts). */
export const GENERATOR_FLAGS = [
  '--keepCase',
  '--longs=String',
  '--enums=Number',
  '--defaults',
  '--arrays',
  '--objects',
  '--oneofs',
  '--grpcLib=@grpc/grpc-js',
] as const;

/** Options passed to @grpc/proto-loader. */
export const LOADER_OPTIONS: protoLoader.Options = Object.freeze({
  ...CONVERSION_OPTIONS,
  includeDirs: [PROTO_DIR, PROTOBUFJS_DIR],
});

/** Wire paths of the EvHub RPCs (`/package.service/Method`), fixed by existing EvHub clients and servers. */
export const WirePath = {
  Report: '/evhub_producer.evhubProducer/Report',
  Prepare: '/evhub_producer.evhubProducer/Prepare',
  Commit: '/evhub_producer.evhubProducer/Commit',
  Rollback: '/evhub_producer.evhubProducer/Rollback',
  Dispatch: '/evhub_processor.evhubProcessor/Dispatch',
  Callback: '/evhub_transaction.evhubTransaction/Callback',
} as const;
export type WirePath = (typeof WirePath)[keyof typeof WirePath];

type EvhubGrpcObject = ProducerGrpcType & ProcessorGrpcType & TransactionGrpcType;

/**
 * The loaded EvHub contract. Each service entry is a grpc-js client constructor whose `.service` is
 * the typed `ServiceDefinition` to pass to `server.addService`.
 */
export interface Evhub {
  readonly packageDefinition: protoLoader.PackageDefinition;
  readonly evhubProducer: EvhubGrpcObject['evhub_producer']['evhubProducer'];
  readonly evhubProcessor: EvhubGrpcObject['evhub_processor']['evhubProcessor'];
  readonly evhubTransaction: EvhubGrpcObject['evhub_transaction']['evhubTransaction'];
}

let loaded: Evhub | undefined;

/** Loads the contract once per process (parsing takes a few milliseconds) and returns it. */
export function loadEvhub(): Evhub {
  if (loaded !== undefined) return loaded;
  // Both are CommonJS packages: required here, synchronously, on first use.
  const grpc = require('@grpc/grpc-js') as typeof Grpc;
  const { loadSync } = require('@grpc/proto-loader') as typeof protoLoader;
  const packageDefinition = loadSync([...PROTO_FILES], LOADER_OPTIONS);
  // The generated ProtoGrpcType describes exactly what loadPackageDefinition builds from these files.
  const grpcObject = grpc.loadPackageDefinition(packageDefinition) as unknown as EvhubGrpcObject;
  loaded = Object.freeze({
    packageDefinition,
    evhubProducer: grpcObject.evhub_producer.evhubProducer,
    evhubProcessor: grpcObject.evhub_processor.evhubProcessor,
    evhubTransaction: grpcObject.evhub_transaction.evhubTransaction,
  });
  return loaded;
}

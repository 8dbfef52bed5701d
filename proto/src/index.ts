/**
 * EvHub's gRPC contract and Eventyard's Kafka payloads: the .proto files, the one loader every
 * service uses, protobuf codecs for Kafka records, the generated TypeScript types and EvHub's result
 * codes. Imports nothing of ours: the SDK bundles it.
 *
 * @example
 * const { evhubProcessor } = loadEvhub();
 * server.addService(evhubProcessor.service, { Dispatch: (call, cb) => cb(null, { ret: { code: 0 } }) });
 * const client = new evhubProcessor('127.0.0.1:50051', grpc.credentials.createInsecure());
 *
 * const value = encodeMessage('eventyard.v1.IngestEnvelope', { event_id, event, trigger });
 * const envelope = decodeMessage('eventyard.v1.IngestEnvelope', record.value);
 */
export { CONVERSION_OPTIONS, GENERATOR_FLAGS, LOADER_OPTIONS, PROTO_DIR, PROTO_FILES, WirePath, loadEvhub } from './loader.ts';
export type { Evhub } from './loader.ts';
export { decodeMessage, encodeMessage, protoRoot } from './codec.ts';
export { defineErrorCodes } from './error-catalogue.ts';
export type { ErrorFamily, ErrorRow, ErrorSpec, ErrorTable, TransportStatus } from './error-catalogue.ts';
export { ProtoErrors } from './error-codes.ts';
export type { ProtoErrorCode } from './error-codes.ts';
export { ProtoError } from './errors.ts';
export type { ProtoErrorOptions } from './errors.ts';
export { ResultCode } from './result-codes.ts';
export type { MessageInput, MessageOutput, MessageTypeName, MessageTypes } from './message-types.ts';
export * from './types.ts';

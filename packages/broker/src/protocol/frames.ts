// Whole frames: size prefix + header + body, for responses the broker sends and (for tests and
// tools) requests a client sends. Decoding checks the api key and version before touching the body.
import { ApiKey, SUPPORTED_VERSIONS, isSupported } from './api-keys.ts';
import { decodeMessage, encodeMessage } from './codec.ts';
import { ErrorCode, UnsupportedVersionError } from '../kafka-errors.ts';
import { requestHeaderSize } from './header.ts';
import type { RequestBodies, ResponseBodies } from './messages.ts';
import { SCHEMAS, type ApiSchemas } from './schemas/index.ts';

function schemasOf(apiKey: number, apiVersion: number): ApiSchemas {
  const schemas = SCHEMAS.get(apiKey);
  if (schemas === undefined || !isSupported(apiKey, apiVersion)) throw new UnsupportedVersionError(apiKey, apiVersion);
  return schemas;
}

/**
 * Decodes the body of a request whose header `decodeRequestHeader` returned. `frame` is the request
 * without its size prefix. Throws UnsupportedVersionError for an api key/version this broker does not
 * implement and ProtocolDecodeError for malformed bytes; trailing bytes are ignored.
 */
export function decodeRequest<K extends keyof RequestBodies>(apiKey: K, apiVersion: number, frame: Buffer, bodyOffset: number): RequestBodies[K];
export function decodeRequest(apiKey: number, apiVersion: number, frame: Buffer, bodyOffset: number): unknown;
export function decodeRequest(apiKey: number, apiVersion: number, frame: Buffer, bodyOffset: number): unknown {
  return decodeMessage(schemasOf(apiKey, apiVersion).request, apiVersion, frame, bodyOffset);
}

/**
 * Encodes a response: 4-byte size prefix, response header v0 (correlation id), body. Fields of `body`
 * not in this version are ignored; fields of this version missing from `body` get the schema default.
 */
export function encodeResponse(apiKey: number, apiVersion: number, correlationId: number, body: object): Buffer {
  const writer = encodeMessage(schemasOf(apiKey, apiVersion).response, apiVersion, body, 8);
  writer.int32(writer.buffer.length - 4);
  writer.int32(correlationId);
  return writer.buffer;
}

/**
 * The answer to an ApiVersions request of a version this broker does not implement: error 35 in a
 * v0-shaped body listing the ApiVersions range, as Kafka does (KIP-511), so the client retries lower.
 */
export function encodeUnsupportedApiVersionsResponse(correlationId: number): Buffer {
  const range = SUPPORTED_VERSIONS.get(ApiKey.ApiVersions) ?? { min: 0, max: 0 };
  return encodeResponse(ApiKey.ApiVersions, 0, correlationId, {
    errorCode: ErrorCode.UNSUPPORTED_VERSION,
    apiKeys: [{ apiKey: ApiKey.ApiVersions, minVersion: range.min, maxVersion: range.max }],
  });
}

/** Encodes a request frame (size prefix + request header v1 + body), as a client would send it. */
export function encodeRequest(apiKey: number, apiVersion: number, correlationId: number, clientId: string | null, body: object): Buffer {
  const headerSize = requestHeaderSize(clientId);
  const writer = encodeMessage(schemasOf(apiKey, apiVersion).request, apiVersion, body, 4 + headerSize);
  writer.int32(writer.buffer.length - 4);
  writer.int16(apiKey);
  writer.int16(apiVersion);
  writer.int32(correlationId);
  writer.string(clientId);
  return writer.buffer;
}

/**
 * Decodes a response body (after `decodeResponseHeader`), as a client would. `frame` is the response
 * without its size prefix.
 */
export function decodeResponse<K extends keyof ResponseBodies>(apiKey: K, apiVersion: number, frame: Buffer, bodyOffset: number): ResponseBodies[K];
export function decodeResponse(apiKey: number, apiVersion: number, frame: Buffer, bodyOffset: number): unknown;
export function decodeResponse(apiKey: number, apiVersion: number, frame: Buffer, bodyOffset: number): unknown {
  return decodeMessage(schemasOf(apiKey, apiVersion).response, apiVersion, frame, bodyOffset);
}

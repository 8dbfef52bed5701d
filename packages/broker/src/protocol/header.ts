// Request header v1 and response header v0, the only headers of the implemented (non-flexible)
// versions; see RequestHeader.json / ResponseHeader.json in Apache Kafka.
import { ProtocolDecodeError } from '../kafka-errors.ts';
import { Reader } from './reader.ts';

export interface RequestHeader {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  clientId: string | null;
}

function asDecodeError(what: string, err: unknown): ProtocolDecodeError {
  if (err instanceof ProtocolDecodeError) {
    err.message = `${what}: ${err.message}`;
    return err;
  }
  return new ProtocolDecodeError(`${what}: ${String(err)}`, { cause: err });
}

/**
 * Decodes request header v1 from `frame` (the request without its 4-byte size prefix). It does not
 * check the api key or version, so the caller can still answer an unsupported one with its
 * correlation id. Throws ProtocolDecodeError on a truncated header.
 */
export function decodeRequestHeader(frame: Buffer): { header: RequestHeader; bodyOffset: number } {
  const reader = new Reader(frame);
  try {
    const apiKey = reader.int16();
    const apiVersion = reader.int16();
    const correlationId = reader.int32();
    const clientId = reader.string(true);
    return { header: { apiKey, apiVersion, correlationId, clientId }, bodyOffset: reader.offset };
  } catch (err) {
    throw asDecodeError('request header', err);
  }
}

/** Decodes response header v0 from `frame` (without the size prefix): the correlation id. */
export function decodeResponseHeader(frame: Buffer): { correlationId: number; bodyOffset: number } {
  const reader = new Reader(frame);
  try {
    return { correlationId: reader.int32(), bodyOffset: reader.offset };
  } catch (err) {
    throw asDecodeError('response header', err);
  }
}

/** Bytes request header v1 takes for `clientId`. */
export function requestHeaderSize(clientId: string | null): number {
  return 10 + (clientId === null ? 0 : Buffer.byteLength(clientId, 'utf8'));
}

// Protobuf binary codecs for Kafka record payloads (eventyard.v1 envelopes and any EvHub message).
// Encoding is protobufjs fromObject + encode, exactly what grpc-js does through proto-loader, and
// decoding yields the same object shape as a gRPC handler receives (CONVERSION_OPTIONS).
import { existsSync } from 'node:fs';
import path from 'node:path';
import protobuf from 'protobufjs';
import { CONVERSION_OPTIONS, LOADER_OPTIONS, PROTO_FILES } from './loader.ts';
import type { MessageInput, MessageOutput, MessageTypeName } from './message-types.ts';
import { ProtoErrors } from './error-codes.ts';
import { ProtoError } from './errors.ts';
import { checkWireFormat } from './wire-check.ts';

let root: protobuf.Root | undefined;

/**
 * The protobufjs Root of every .proto file, parsed with the loader's options (keepCase and the same
 * include path resolution as @grpc/proto-loader), loaded once per process.
 */
export function protoRoot(): protobuf.Root {
  if (root !== undefined) return root;
  const r = new protobuf.Root();
  const includeDirs = LOADER_OPTIONS.includeDirs ?? [];
  const fallback = r.resolvePath.bind(r);
  // Same lookup as proto-loader: first include dir holding the file wins.
  r.resolvePath = (origin, target) => {
    if (path.isAbsolute(target)) return target;
    for (const dir of includeDirs) {
      const candidate = path.join(dir, target);
      if (existsSync(candidate)) return candidate;
    }
    return fallback(origin, target);
  };
  r.loadSync([...PROTO_FILES], { keepCase: CONVERSION_OPTIONS.keepCase });
  r.resolveAll();
  root = r;
  return r;
}

const types = new Map<string, protobuf.Type>();

function lookup(typeName: string): protobuf.Type {
  let type = types.get(typeName);
  if (type !== undefined) return type;
  try {
    type = protoRoot().lookupType(typeName);
  } catch (cause) {
    throw new ProtoError(ProtoErrors.EY_PROTO_UNKNOWN_TYPE, `unknown protobuf message type ${typeName}`, {
      cause,
      context: { type: typeName },
    });
  }
  types.set(typeName, type);
  return type;
}

function asBuffer(bytes: Uint8Array): Buffer {
  // protobufjs yields Buffer-typed `bytes` fields only when reading from a Buffer.
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function isZero(value: unknown): boolean {
  if (value === 0 || value === '' || value === false) return true;
  if (value instanceof Uint8Array) return value.length === 0;
  // int64 fields hold protobufjs Long objects after fromObject.
  if (typeof value === 'object' && value !== null && 'low' in value && 'high' in value) return value.low === 0 && value.high === 0;
  return false;
}

/**
 * protobufjs writes every field present on the message, zeros included; proto3 (and Go, which
 * EvHub clients use) writes none. Dropping them makes our records canonical: byte-for-byte what Go
 * would produce, and smaller when a decoded object (all fields present) is re-encoded.
 */
function dropZeroScalars(type: protobuf.Type, message: Record<string, unknown>): void {
  for (const field of type.fieldsArray) {
    const value = message[field.name];
    if (value === undefined || value === null || field.map) continue;
    const resolved = field.resolvedType;
    if (resolved instanceof protobuf.Type) {
      const nested = field.repeated ? (value as Record<string, unknown>[]) : [value as Record<string, unknown>];
      for (const m of nested) dropZeroScalars(resolved, m);
    } else if (!field.repeated && field.partOf === null && isZero(value)) {
      // Members of a oneof (none in these files) must be written even when zero. Set to undefined, not
      // deleted: protobufjs's encode skips a field that is `== null`, and `delete` would turn the message
      // into a slow dictionary-mode object for the encode that follows (bench/micro/proto-codec.ts: an
      // IngestEnvelope or DeliveryTask encode 2.8-3.1 → 2.4-2.5 µs, the same bytes).
      message[field.name] = undefined;
    }
  }
}

/**
 * Encodes `obj` as protobuf binary. Accepts what a grpc-js call accepts: enums as numbers or names,
 * int64 as number or decimal string, bytes as Buffer/Uint8Array or base64; absent fields are zero.
 * Zero-valued scalars are not written, as in Go's proto3 encoding.
 * Throws ProtoError EY_PROTO_ENCODE_FAILED when a field cannot be converted (e.g. a message field
 * that is not an object).
 */
export function encodeMessage<N extends MessageTypeName>(typeName: N, obj: MessageInput<N>): Buffer {
  const type = lookup(typeName);
  try {
    const message = type.fromObject(obj);
    dropZeroScalars(type, message as unknown as Record<string, unknown>);
    return asBuffer(type.encode(message).finish());
  } catch (cause) {
    throw new ProtoError(ProtoErrors.EY_PROTO_ENCODE_FAILED, `cannot encode ${typeName}: ${String(cause)}`, {
      cause,
      context: { type: typeName },
    });
  }
}

/**
 * Decodes protobuf binary into the loader's object shape (see CONVERSION_OPTIONS). Unknown fields
 * are skipped. Bytes that are not a valid encoding of the type (truncated, wrong wire type for a
 * known field, invalid UTF-8 in a string) throw ProtoError EY_PROTO_DECODE_FAILED, never a crash.
 */
export function decodeMessage<N extends MessageTypeName>(typeName: N, bytes: Uint8Array): MessageOutput<N> {
  const type = lookup(typeName);
  const buf = asBuffer(bytes);
  try {
    checkWireFormat(type, buf);
    return type.toObject(type.decode(buf), CONVERSION_OPTIONS) as MessageOutput<N>;
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new ProtoError(ProtoErrors.EY_PROTO_DECODE_FAILED, `cannot decode ${typeName}: ${reason}`, {
      cause,
      context: { type: typeName, bytes: buf.length },
    });
  }
}

// protobuf message objects → EvHub's Go-struct JSON, the inverse of messageFromJson: what Go's
// encoding/json makes of the structs protoc-gen-go generates, so an EvHub HTTP peer decodes it unchanged.
// Proto field names as written (`event_id`, `Endpoint`, `orderingKey`), enums as numbers, bytes as
// standard base64, int64 (Duration/Timestamp `seconds`) as JSON numbers, and, like the generated
// `omitempty` tags, zero values and absent messages left out. Driven by the message type, so a field the
// type does not have is never written.
import { protoRoot } from '@eventyard/proto';
import type { JsonObject, JsonValue, ProtoEnum, ProtoField, ProtoType } from './json-types.ts';

export interface MessageToJsonOptions {
  /**
   * Write zero values (`""`, `0`, `false`, empty bytes and lists) instead of leaving them out as
   * `omitempty` does; absent messages are left out either way. For peers that should not have to guess
   * a default (the dispatcher's DispatchReq).
   * @default false
   */
  emitZeroValues?: boolean;
}

/**
 * EvHub's Go-struct JSON of `message`, an object in the loader's shape (or a plain object a gRPC client
 * would accept) of the protobuf type `typeName`, e.g. `evhub_transaction.CallbackReq`.
 */
export function messageToJson(typeName: string, message: unknown, options: MessageToJsonOptions = {}): JsonObject {
  const type = protoRoot().lookupType(typeName);
  return encodeMessage(type, message ?? {}, options.emitZeroValues === true);
}

function encodeMessage(type: ProtoType, message: unknown, emitZero: boolean): JsonObject {
  const source = (typeof message === 'object' && message !== null ? message : {}) as Record<string, unknown>;
  const out: JsonObject = {};
  for (const field of type.fieldsArray) {
    const value = source[field.name];
    if (field.repeated) {
      // Every element is written, zero or not, as Go writes every element of a slice.
      const items = Array.isArray(value) ? value.map((item: unknown) => encodeElement(field, item, emitZero)) : [];
      if (items.length > 0 || emitZero) out[field.name] = items;
      continue;
    }
    const encoded = encodeValue(field, value, emitZero);
    if (encoded !== undefined) out[field.name] = encoded;
  }
  return out;
}

function encodeElement(field: ProtoField, item: unknown, emitZero: boolean): JsonValue {
  const resolved = field.resolvedType;
  if (resolved !== null && 'fieldsArray' in resolved) return item === null || item === undefined ? null : encodeMessage(resolved, item, emitZero);
  return encodeValue(field, item, true) ?? null;
}

/** One value of `field`; undefined = leave the field out. */
function encodeValue(field: ProtoField, value: unknown, emitZero: boolean): JsonValue | undefined {
  const resolved = field.resolvedType;
  if (resolved !== null && 'fieldsArray' in resolved) {
    // An absent message is a nil pointer in Go: left out under omitempty, and we never write nulls.
    return value === null || value === undefined ? undefined : encodeMessage(resolved, value, emitZero);
  }
  if (resolved !== null) return keep(enumNumber(resolved, value), 0, emitZero);
  switch (field.type) {
    case 'string':
      return keep(typeof value === 'string' ? value : '', '', emitZero);
    case 'bool':
      return keep(value === true, false, emitZero);
    case 'bytes':
      return keep(base64(value), '', emitZero);
    default: {
      // Numbers; int64 arrives as a decimal string (exact beyond 2^53) and Go writes it as a number.
      const number = value === null || value === undefined ? 0 : Number(value);
      return keep(Number.isFinite(number) ? number : 0, 0, emitZero);
    }
  }
}

function keep(value: JsonValue, zero: JsonValue, emitZero: boolean): JsonValue | undefined {
  return value === zero && !emitZero ? undefined : value;
}

function enumNumber(type: ProtoEnum, value: unknown): number {
  if (typeof value === 'string') return type.values[value] ?? (/^-?\d+$/.test(value) ? Number(value) : 0);
  return typeof value === 'number' ? value : 0;
}

function base64(value: unknown): string {
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
  // Already encoded (a plain object a gRPC client would accept may carry base64 text).
  return typeof value === 'string' ? value : '';
}

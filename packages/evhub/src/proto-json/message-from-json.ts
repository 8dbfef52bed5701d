// JSON → protobuf message objects, the inverse of messageToJson (the producer's HTTP mirror, the JSON
// answers of HTTP check-backs). Accepts both forms callers send (evhub-contract.md): EvHub's Go-struct
// JSON (proto field names as written, numeric enums, Duration/Timestamp as {"seconds","nanos"}, bytes as
// base64) and proto3 canonical JSON (lowerCamelCase names, enum names, "5s" durations, RFC 3339
// timestamps). The result goes through the same protobufjs conversion as a gRPC request, so both edges
// hand ReportService identical objects. Unknown fields are ignored, as Go's encoding/json (EvHub's HTTP
// mirror) ignores them; null means absent.
import { CONVERSION_OPTIONS, protoRoot } from '@eventyard/proto';
import { invalidField } from '../report/invalid-field.ts';
import type { JsonValue as Json, ProtoEnum, ProtoField, ProtoType } from './json-types.ts';

const INT32 = { min: -(2 ** 31), max: 2 ** 31 - 1 };
const UINT32 = { min: 0, max: 2 ** 32 - 1 };
const INTEGER_TYPES: Record<string, { min: number; max: number } | 'int64'> = {
  int32: INT32,
  sint32: INT32,
  sfixed32: INT32,
  uint32: UINT32,
  fixed32: UINT32,
  int64: 'int64',
  sint64: 'int64',
  sfixed64: 'int64',
  uint64: 'int64',
  fixed64: 'int64',
};
const DURATION = /^(-)?(\d+)(?:\.(\d{1,9}))?s$/;
const RFC3339 = /^(\d{4}-\d{2}-\d{2})[Tt](\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?([Zz]|[+-]\d{2}:\d{2})$/;
const BASE64 = /^(?:[A-Za-z0-9+/]*|[A-Za-z0-9_-]*)={0,2}$/;

/** proto3's JSON name of a field: `app_id` → `appId` (names without underscores are unchanged). */
export function lowerCamel(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/**
 * Parses a JSON value into the loader's object shape of `typeName` (absent messages null, enums as
 * numbers, bytes as Buffers, int64 as strings). Throws a 10000 ValidationError naming the field.
 */
export function messageFromJson<T>(typeName: string, json: unknown, path = ''): T {
  const type = protoRoot().lookupType(typeName);
  const plain = convertMessage(type, json as Json, path);
  return type.toObject(type.fromObject(plain), CONVERSION_OPTIONS) as T;
}

function join(path: string, name: string): string {
  return path === '' ? name : `${path}.${name}`;
}

function isObject(value: Json): value is { [key: string]: Json } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function convertMessage(type: ProtoType, json: Json, path: string): Record<string, unknown> {
  const name = type.fullName.replace(/^\./, '');
  if (name === 'google.protobuf.Duration') return durationFromJson(json, path);
  if (name === 'google.protobuf.Timestamp') return timestampFromJson(json, path);
  if (!isObject(json)) throw invalidField(path === '' ? 'request body' : path, 'must be a JSON object');
  const out: Record<string, unknown> = {};
  for (const field of type.fieldsArray) {
    const camel = lowerCamel(field.name);
    const value = json[field.name] !== undefined ? json[field.name] : json[camel];
    if (value === undefined || value === null) continue;
    const fieldPath = join(path, field.name);
    if (field.repeated) {
      if (!Array.isArray(value)) throw invalidField(fieldPath, 'must be a JSON array');
      out[field.name] = value.map((element, index) => convertValue(field, element, `${fieldPath}[${index}]`));
    } else {
      out[field.name] = convertValue(field, value, fieldPath);
    }
  }
  return out;
}

function convertValue(field: ProtoField, value: Json, path: string): unknown {
  const resolved = field.resolvedType;
  if (resolved !== null && 'fieldsArray' in resolved) return convertMessage(resolved, value, path);
  if (resolved !== null && 'values' in resolved) return enumFromJson(resolved, value, path);
  if (field.type === 'string') {
    if (typeof value !== 'string') throw invalidField(path, 'must be a string');
    return value;
  }
  if (field.type === 'bool') {
    if (typeof value !== 'boolean') throw invalidField(path, 'must be true or false');
    return value;
  }
  if (field.type === 'bytes') return bytesFromJson(value, path);
  if (field.type === 'double' || field.type === 'float') {
    const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
    if (typeof number !== 'number' || Number.isNaN(number)) throw invalidField(path, 'must be a number');
    return number;
  }
  const integer = INTEGER_TYPES[field.type];
  if (integer !== undefined) return integerFromJson(value, path, integer);
  return value;
}

function integerFromJson(value: Json, path: string, range: { min: number; max: number } | 'int64'): number | string {
  const text = typeof value === 'number' ? (Number.isInteger(value) ? BigInt(value).toString() : '') : typeof value === 'string' ? value.trim() : '';
  if (!/^-?\d+$/.test(text)) throw invalidField(path, 'must be an integer');
  if (range === 'int64') {
    const big = BigInt(text);
    if (big < -(2n ** 63n) || big >= 2n ** 64n) throw invalidField(path, 'is out of range for a 64-bit integer');
    return big.toString();
  }
  const number = Number(text);
  if (number < range.min || number > range.max) throw invalidField(path, `must be in [${range.min}, ${range.max}]`);
  return number;
}

function enumFromJson(type: ProtoEnum, value: Json, path: string): number {
  if (typeof value === 'number') {
    if (!Number.isInteger(value) || value < INT32.min || value > INT32.max) throw invalidField(path, 'must be an enum number or name');
    // proto3 enums are open: an unknown number is kept and judged by the validation that reads it.
    return value;
  }
  if (typeof value === 'string') {
    const known = type.values[value];
    if (known !== undefined) return known;
    if (/^-?\d+$/.test(value)) return enumFromJson(type, Number(value), path);
    throw invalidField(path, `"${value}" is not a known ${type.name}`);
  }
  throw invalidField(path, 'must be an enum number or name');
}

function bytesFromJson(value: Json, path: string): Buffer {
  if (typeof value !== 'string') throw invalidField(path, 'must be a base64 string');
  const compact = value.replace(/\s+/g, '');
  if (!BASE64.test(compact) || compact.replace(/=+$/, '').length % 4 === 1) throw invalidField(path, 'is not valid base64');
  return Buffer.from(compact, compact.includes('-') || compact.includes('_') ? 'base64url' : 'base64');
}

function durationFromJson(json: Json, path: string): Record<string, unknown> {
  if (typeof json === 'string') {
    const match = DURATION.exec(json.trim());
    if (match === null) throw invalidField(path, `"${json}" is not a duration (expected e.g. "5s", "1.5s" or {"seconds": 5, "nanos": 0})`);
    const sign = match[1] === '-' ? -1 : 1;
    const nanos = Number((match[3] ?? '').padEnd(9, '0'));
    return { seconds: (BigInt(match[2] ?? '0') * BigInt(sign)).toString(), nanos: sign * nanos };
  }
  return secondsAndNanos(json, path, 'duration');
}

function timestampFromJson(json: Json, path: string): Record<string, unknown> {
  if (typeof json === 'string') {
    const match = RFC3339.exec(json.trim());
    const ms = match === null ? Number.NaN : Date.parse(`${match[1]}T${match[2]}${(match[4] ?? 'Z').toUpperCase()}`);
    if (match === null || Number.isNaN(ms)) throw invalidField(path, `"${json}" is not an RFC 3339 timestamp (e.g. "2024-05-01T12:00:00Z")`);
    return { seconds: String(Math.floor(ms / 1000)), nanos: Number((match[3] ?? '').padEnd(9, '0')) };
  }
  return secondsAndNanos(json, path, 'timestamp');
}

function secondsAndNanos(json: Json, path: string, what: string): Record<string, unknown> {
  if (!isObject(json)) throw invalidField(path, `must be a ${what}: a string or {"seconds": n, "nanos": n}`);
  const out: Record<string, unknown> = {};
  if (json.seconds !== undefined && json.seconds !== null) out.seconds = integerFromJson(json.seconds, `${path}.seconds`, 'int64');
  if (json.nanos !== undefined && json.nanos !== null) out.nanos = integerFromJson(json.nanos, `${path}.nanos`, INT32);
  return out;
}

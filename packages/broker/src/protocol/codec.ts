// Generic schema-driven codec: walks a transcribed Kafka message schema for one version. Each
// (schema, version) is compiled once into a flat plan (fields present in that version, nullability
// resolved), so the hot path is a loop over plain objects with no version arithmetic.
import { ProtocolDecodeError } from '../kafka-errors.ts';
import { Reader } from './reader.ts';
import type { FieldSchema, MessageSchema, PrimitiveType } from './schemas/message-schema.ts';
import { Writer } from './writer.ts';

interface FieldPlan {
  readonly name: string;
  readonly array: boolean;
  readonly nullable: boolean;
  /** Set for primitives (or arrays of them). */
  readonly primitive: PrimitiveType | undefined;
  /** Set for structs (or arrays of them). */
  readonly fields: readonly FieldPlan[] | undefined;
  /** Value written when the body leaves a field out. */
  readonly fallback: unknown;
}

type Body = Record<string, unknown>;

const PRIMITIVES: ReadonlySet<string> = new Set<PrimitiveType>([
  'int8',
  'int16',
  'int32',
  'int64',
  'uint16',
  'float64',
  'string',
  'bytes',
  'records',
  'bool',
  'uuid',
]);

const MAX_INT16 = 0x7fff;

/** Parses Kafka's version syntax ('3+', '0-12', '5', 'none') into an inclusive range. */
function parseVersions(spec: string): { min: number; max: number } | null {
  if (spec === 'none') return null;
  const match = /^(\d+)(\+|-(\d+))?$/.exec(spec);
  if (match === null) throw new Error(`bad version range '${spec}'`);
  const min = Number(match[1]);
  if (match[2] === '+') return { min, max: Infinity };
  return { min, max: match[3] === undefined ? min : Number(match[3]) };
}

function inRange(spec: string | undefined, version: number): boolean {
  if (spec === undefined) return false;
  const range = parseVersions(spec);
  return range !== null && version >= range.min && version <= range.max;
}

function zeroOf(primitive: PrimitiveType): unknown {
  switch (primitive) {
    case 'int64':
      return 0n;
    case 'string':
      return '';
    case 'bool':
      return false;
    case 'bytes':
    case 'records':
      return Buffer.alloc(0);
    case 'uuid':
      return Buffer.alloc(16);
    default:
      return 0;
  }
}

function compileFields(fields: readonly FieldSchema[], version: number, where: string): FieldPlan[] {
  const plans: FieldPlan[] = [];
  for (const field of fields) {
    if (!inRange(field.versions, version)) continue;
    const array = field.type.startsWith('[]');
    const base = array ? field.type.slice(2) : field.type;
    const nullable = inRange(field.nullableVersions, version);
    const primitive = PRIMITIVES.has(base) ? (base as PrimitiveType) : undefined;
    if (primitive === undefined && field.fields === undefined) throw new Error(`${where}.${field.name}: struct without fields`);
    // Non-flexible Kafka encodes a nullable non-array struct with a marker byte; no implemented version has one.
    if (primitive === undefined && !array && nullable) throw new Error(`${where}.${field.name}: nullable struct not supported`);
    let fallback: unknown;
    if (field.default !== undefined) fallback = field.default;
    else if (nullable) fallback = null;
    else if (array) fallback = [];
    else if (primitive !== undefined) fallback = zeroOf(primitive);
    plans.push({
      name: field.name,
      array,
      nullable,
      primitive,
      fields: primitive === undefined ? compileFields(field.fields ?? [], version, `${where}.${field.name}`) : undefined,
      fallback,
    });
  }
  return plans;
}

const plans = new WeakMap<MessageSchema, Map<number, readonly FieldPlan[]>>();

/** The compiled plan of `schema` at `version`, built on first use. */
function planOf(schema: MessageSchema, version: number): readonly FieldPlan[] {
  let byVersion = plans.get(schema);
  if (byVersion === undefined) {
    byVersion = new Map();
    plans.set(schema, byVersion);
  }
  let plan = byVersion.get(version);
  if (plan === undefined) {
    plan = compileFields(schema.fields, version, schema.name);
    byVersion.set(version, plan);
  }
  return plan;
}

// ---- decode ----

function readPrimitive(reader: Reader, primitive: PrimitiveType, nullable: boolean): unknown {
  switch (primitive) {
    case 'int8':
      return reader.int8();
    case 'int16':
      return reader.int16();
    case 'int32':
      return reader.int32();
    case 'int64':
      return reader.int64();
    case 'uint16':
      return reader.uint16();
    case 'float64':
      return reader.float64();
    case 'bool':
      return reader.bool();
    case 'string':
      return reader.string(nullable);
    case 'bytes':
    case 'records':
      return reader.bytes(nullable);
    case 'uuid':
      return reader.uuid();
  }
}

function readStruct(reader: Reader, fields: readonly FieldPlan[]): Body {
  const out: Body = {};
  for (const field of fields) {
    if (field.array) {
      const length = reader.arrayLength(field.nullable);
      if (length === null) {
        out[field.name] = null;
        continue;
      }
      const items: unknown[] = new Array<unknown>(length);
      if (field.primitive !== undefined) {
        for (let i = 0; i < length; i++) items[i] = readPrimitive(reader, field.primitive, false);
      } else {
        const nested = field.fields ?? [];
        for (let i = 0; i < length; i++) items[i] = readStruct(reader, nested);
      }
      out[field.name] = items;
    } else if (field.primitive !== undefined) {
      out[field.name] = readPrimitive(reader, field.primitive, field.nullable);
    } else {
      out[field.name] = readStruct(reader, field.fields ?? []);
    }
  }
  return out;
}

/**
 * Decodes a message body of `schema` at `version` from `frame` starting at `offset`. Bytes and
 * records fields are views on `frame` (no copy). Trailing bytes are ignored, as Kafka does.
 */
export function decodeMessage(schema: MessageSchema, version: number, frame: Buffer, offset: number): Body {
  const reader = new Reader(frame, offset);
  try {
    return readStruct(reader, planOf(schema, version));
  } catch (err) {
    if (err instanceof ProtocolDecodeError) {
      err.message = `${schema.name} v${version}: ${err.message}`;
      throw err;
    }
    // Anything else means a bug in a bounds check; still surface it as a decode error, never a crash.
    throw new ProtocolDecodeError(`${schema.name} v${version}: ${String(err)}`, { cause: err });
  }
}

// ---- encode ----

function valueOf(body: Body, field: FieldPlan): unknown {
  const value = body[field.name];
  return value === undefined ? field.fallback : value;
}

function primitiveSize(primitive: PrimitiveType, value: unknown, where: string): number {
  switch (primitive) {
    case 'int8':
    case 'bool':
      return 1;
    case 'int16':
    case 'uint16':
      return 2;
    case 'int32':
      return 4;
    case 'int64':
    case 'float64':
      return 8;
    case 'uuid':
      return 16;
    case 'string': {
      if (value === null) return 2;
      const length = Buffer.byteLength(value as string, 'utf8');
      if (length > MAX_INT16) throw new RangeError(`${where}: string of ${length} bytes exceeds the int16 length`);
      return 2 + length;
    }
    case 'bytes':
    case 'records':
      return value === null ? 4 : 4 + (value as Buffer).length;
  }
}

function nullCheck(field: FieldPlan, value: unknown, where: string): void {
  if (value === null && !field.nullable) throw new TypeError(`${where}.${field.name} is null but not nullable in this version`);
}

function structSize(body: Body, fields: readonly FieldPlan[], where: string): number {
  let size = 0;
  for (const field of fields) {
    const value = valueOf(body, field);
    nullCheck(field, value, where);
    if (field.array) {
      size += 4;
      if (value === null) continue;
      const items = value as readonly unknown[];
      if (field.primitive !== undefined) {
        for (const item of items) size += primitiveSize(field.primitive, item, `${where}.${field.name}`);
      } else {
        const nested = field.fields ?? [];
        for (const item of items) size += structSize(item as Body, nested, `${where}.${field.name}`);
      }
    } else if (field.primitive !== undefined) {
      size += primitiveSize(field.primitive, value, `${where}.${field.name}`);
    } else {
      size += structSize(value as Body, field.fields ?? [], `${where}.${field.name}`);
    }
  }
  return size;
}

function writePrimitive(writer: Writer, primitive: PrimitiveType, value: unknown): void {
  switch (primitive) {
    case 'int8':
      writer.int8(value as number);
      return;
    case 'int16':
      writer.int16(value as number);
      return;
    case 'int32':
      writer.int32(value as number);
      return;
    case 'int64':
      writer.int64(typeof value === 'bigint' ? value : BigInt(value as number));
      return;
    case 'uint16':
      writer.uint16(value as number);
      return;
    case 'float64':
      writer.float64(value as number);
      return;
    case 'bool':
      writer.bool(value as boolean);
      return;
    case 'string':
      writer.string(value as string | null);
      return;
    case 'bytes':
    case 'records':
      writer.bytes(value as Buffer | null);
      return;
    case 'uuid':
      writer.raw(value as Buffer);
      return;
  }
}

function writeStruct(writer: Writer, body: Body, fields: readonly FieldPlan[]): void {
  for (const field of fields) {
    const value = valueOf(body, field);
    if (field.array) {
      if (value === null) {
        writer.int32(-1);
        continue;
      }
      const items = value as readonly unknown[];
      writer.int32(items.length);
      if (field.primitive !== undefined) {
        for (const item of items) writePrimitive(writer, field.primitive, item);
      } else {
        const nested = field.fields ?? [];
        for (const item of items) writeStruct(writer, item as Body, nested);
      }
    } else if (field.primitive !== undefined) {
      writePrimitive(writer, field.primitive, value);
    } else {
      writeStruct(writer, value as Body, field.fields ?? []);
    }
  }
}

/**
 * Encodes `body` as `schema` at `version` after `headerSize` bytes the caller fills in (size prefix,
 * header). Measures first and writes once into a single buffer.
 */
export function encodeMessage(schema: MessageSchema, version: number, body: object, headerSize: number): Writer {
  const plan = planOf(schema, version);
  const size = structSize(body as Body, plan, `${schema.name} v${version}`);
  const writer = new Writer(headerSize + size);
  writer.offset = headerSize;
  writeStruct(writer, body as Body, plan);
  writer.offset = 0;
  return writer;
}

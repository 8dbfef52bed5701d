// Structural check of protobuf bytes against a message type before protobufjs decodes them.
// protobufjs reads a known field by its declared type whatever wire type the tag says, so a record
// that is not the message we expect (JSON on the topic, a different message, a torn write) can
// decode into plausible garbage. Go's protobuf runtime (what EvHub clients use) rejects such input;
// this walk gives us the same strictness: wire types must match, lengths must fit, strings must be
// valid UTF-8, nesting is bounded. Unknown fields are skipped, as proto3 requires.
import { isUtf8 } from 'node:buffer';
import protobuf from 'protobufjs';

const WireType = { VARINT: 0, I64: 1, LEN: 2, SGROUP: 3, EGROUP: 4, I32: 5 } as const;

/** Deeper nesting than this is refused (protobufjs and Go both cap recursion at 100). */
const MAX_DEPTH = 100;

const SCALAR_WIRE_TYPE: Readonly<Record<string, number>> = {
  int32: WireType.VARINT,
  uint32: WireType.VARINT,
  sint32: WireType.VARINT,
  int64: WireType.VARINT,
  uint64: WireType.VARINT,
  sint64: WireType.VARINT,
  bool: WireType.VARINT,
  fixed64: WireType.I64,
  sfixed64: WireType.I64,
  double: WireType.I64,
  fixed32: WireType.I32,
  sfixed32: WireType.I32,
  float: WireType.I32,
  string: WireType.LEN,
  bytes: WireType.LEN,
};

/** Thrown for bytes that are not a valid encoding of the expected message. */
export class WireFormatError extends Error {
  override name = 'WireFormatError';
}

interface Cursor {
  readonly buf: Uint8Array;
  pos: number;
}

/**
 * A varint as a Number: exact below 2^53, approximate above. Every caller only compares it against
 * bounds far below 2^53 (a tag's 2^32, a length's bytes left) or skips it, so no BigInt is needed: this
 * walk runs on every record every consumer reads, and a BigInt per byte was most of its cost
 * (bench/micro/proto-codec.ts). The 10-byte limit is checked as before.
 */
function readVarint(c: Cursor, end: number): number {
  const { buf } = c;
  let result = 0;
  let scale = 1;
  for (let i = 0; i < 10; i++) {
    if (c.pos >= end) throw new WireFormatError(`truncated varint at offset ${c.pos}`);
    const b = buf[c.pos++] as number;
    result += (b & 0x7f) * scale;
    if ((b & 0x80) === 0) return result;
    scale *= 128;
  }
  throw new WireFormatError(`varint longer than 10 bytes at offset ${c.pos}`);
}

function readLength(c: Cursor, end: number): number {
  const at = c.pos;
  const len = readVarint(c, end);
  if (len > end - c.pos) throw new WireFormatError(`length ${len} at offset ${at} runs past the end of its message`);
  return len;
}

function skipFixed(c: Cursor, end: number, size: number): void {
  if (end - c.pos < size) throw new WireFormatError(`truncated ${size}-byte field at offset ${c.pos}`);
  c.pos += size;
}

/** Skips one value of an unknown field; for a group, up to and including its matching end tag. */
function skipValue(c: Cursor, end: number, wireType: number, fieldNumber: number, depth: number): void {
  switch (wireType) {
    case WireType.VARINT:
      readVarint(c, end);
      return;
    case WireType.I64:
      skipFixed(c, end, 8);
      return;
    case WireType.I32:
      skipFixed(c, end, 4);
      return;
    case WireType.LEN: {
      // Not `c.pos += readLength(…)`: that would add to the position from before the length prefix.
      const len = readLength(c, end);
      c.pos += len;
      return;
    }
    case WireType.SGROUP: {
      if (depth >= MAX_DEPTH) throw new WireFormatError('maximum nesting depth exceeded');
      for (;;) {
        const tag = readTag(c, end);
        const field = tag >>> 3;
        const wire = tag & 7;
        if (wire === WireType.EGROUP) {
          if (field !== fieldNumber) throw new WireFormatError(`end group ${field} does not match start group ${fieldNumber}`);
          return;
        }
        skipValue(c, end, wire, field, depth + 1);
      }
    }
    default:
      throw new WireFormatError(`unexpected wire type ${wireType} for field ${fieldNumber} at offset ${c.pos}`);
  }
}

/** A checked tag: field number `tag >>> 3`, wire type `tag & 7` (a number, not an object: one per field read). */
function readTag(c: Cursor, end: number): number {
  const at = c.pos;
  const tag = readVarint(c, end);
  if (tag > 0xffffffff) throw new WireFormatError(`tag out of range at offset ${at}`);
  if (tag >>> 3 === 0) throw new WireFormatError(`field number 0 at offset ${at}`);
  if ((tag & 7) > WireType.I32) throw new WireFormatError(`invalid wire type ${tag & 7} at offset ${at}`);
  return tag;
}

function checkMessage(type: protobuf.Type, c: Cursor, end: number, depth: number): void {
  if (depth > MAX_DEPTH) throw new WireFormatError('maximum nesting depth exceeded');
  while (c.pos < end) {
    const tag = readTag(c, end);
    const id = tag >>> 3;
    const wire = tag & 7;
    const field = type.fieldsById[id];
    if (field === undefined) {
      skipValue(c, end, wire, id, depth);
      continue;
    }
    checkField(field, wire, c, end, depth);
  }
}

/** How errors name a field: `Message.field (number)`. */
function where(field: protobuf.Field): string {
  return `${field.parent?.name ?? '?'}.${field.name} (${field.id})`;
}

function checkField(field: protobuf.Field, wire: number, c: Cursor, end: number, depth: number): void {
  const resolved = field.resolve().resolvedType;
  if (resolved instanceof protobuf.Type) {
    if (wire !== WireType.LEN) throw new WireFormatError(`${where(field)}: wire type ${wire}, expected 2 (message)`);
    const len = readLength(c, end);
    checkMessage(resolved, c, c.pos + len, depth + 1);
    return;
  }
  const expected = resolved instanceof protobuf.Enum ? WireType.VARINT : SCALAR_WIRE_TYPE[field.type];
  if (expected === undefined) throw new WireFormatError(`${where(field)}: unsupported field type ${field.type}`);
  // Repeated numeric fields may arrive packed (one LEN run of values) or one tag per value.
  if (field.repeated && expected !== WireType.LEN && wire === WireType.LEN) {
    const len = readLength(c, end);
    const runEnd = c.pos + len;
    while (c.pos < runEnd) skipValue(c, runEnd, expected, field.id, depth);
    return;
  }
  if (wire !== expected) throw new WireFormatError(`${where(field)}: wire type ${wire}, expected ${expected}`);
  if (field.type === 'string') {
    const len = readLength(c, end);
    // Validates without building the string (the fatal TextDecoder did): the same WHATWG UTF-8 rules.
    if (len > 0 && !isUtf8(c.buf.subarray(c.pos, c.pos + len))) throw new WireFormatError(`${where(field)}: string is not valid UTF-8`);
    c.pos += len;
    return;
  }
  skipValue(c, end, wire, field.id, depth);
}

/** Throws WireFormatError unless `buf` is a structurally valid encoding of `type`. */
export function checkWireFormat(type: protobuf.Type, buf: Uint8Array): void {
  checkMessage(type, { buf, pos: 0 }, buf.length, 0);
}

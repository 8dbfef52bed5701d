// A protobuf wire-format writer small enough to misuse: the campaign needs messages no encoder would
// produce (wrong wire types, over-long varints, lengths past the end, invalid UTF-8 in strings), so it
// builds them from tags and bytes itself instead of going through protobufjs.

export const WireType = { VARINT: 0, I64: 1, LEN: 2, SGROUP: 3, EGROUP: 4, I32: 5 } as const;

/** Base-128 varint of a non-negative bigint (negative int32/int64 values are sent as their 64-bit two's complement). */
export function varint(value: bigint | number): Buffer {
  let v = BigInt(value);
  if (v < 0n) v = BigInt.asUintN(64, v);
  const out: number[] = [];
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) byte |= 0x80;
    out.push(byte);
  } while (v > 0n);
  return Buffer.from(out);
}

export function tag(field: number, wireType: number): Buffer {
  return varint((BigInt(field) << 3n) | BigInt(wireType));
}

export type Field = Buffer;

export function varintField(field: number, value: bigint | number): Field {
  return Buffer.concat([tag(field, WireType.VARINT), varint(value)]);
}

/** A length-delimited field; `declaredLength` lies about the length when given. */
export function lenField(field: number, payload: Buffer | string, declaredLength?: bigint | number): Field {
  const bytes = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  return Buffer.concat([tag(field, WireType.LEN), varint(declaredLength ?? bytes.length), bytes]);
}

export function message(...fields: Array<Field | undefined | false>): Buffer {
  return Buffer.concat(fields.filter((f): f is Buffer => Buffer.isBuffer(f)));
}

/** google.protobuf.Duration / Timestamp: seconds (int64) = 1, nanos (int32) = 2. */
export function secondsNanos(seconds: bigint | number, nanos = 0): Buffer {
  return message(seconds === 0 || seconds === 0n ? undefined : varintField(1, seconds), nanos === 0 ? undefined : varintField(2, nanos));
}

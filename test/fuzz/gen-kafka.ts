// Garbled Kafka request frames for the project's broker: bad size prefixes, unknown api keys and
// versions, truncated and bit-flipped bodies, counts and lengths that point far past the end. Bodies
// start from hand-written valid requests (non-flexible versions, request header v1) whose array counts
// and string lengths are remembered, so a mutation can aim at exactly those.
import type { KafkaCase } from './cases.ts';
import type { Rng } from './prng.ts';

/** A request body under construction, remembering where its counts and lengths are. */
class Body {
  readonly parts: Buffer[] = [];
  readonly marks: Array<{ offset: number; width: 2 | 4 }> = [];
  #length = 0;

  #push(b: Buffer): this {
    this.parts.push(b);
    this.#length += b.length;
    return this;
  }
  i8(v: number): this {
    const b = Buffer.alloc(1);
    b.writeInt8(v);
    return this.#push(b);
  }
  i16(v: number): this {
    const b = Buffer.alloc(2);
    b.writeInt16BE(v);
    return this.#push(b);
  }
  i32(v: number): this {
    const b = Buffer.alloc(4);
    b.writeInt32BE(v);
    return this.#push(b);
  }
  i64(v: bigint): this {
    const b = Buffer.alloc(8);
    b.writeBigInt64BE(v);
    return this.#push(b);
  }
  str(s: string | null): this {
    if (s === null) return this.i16(-1);
    const bytes = Buffer.from(s);
    this.marks.push({ offset: this.#length, width: 2 });
    return this.i16(bytes.length).#push(bytes);
  }
  bytes(b: Buffer): this {
    this.marks.push({ offset: this.#length, width: 4 });
    return this.i32(b.length).#push(b);
  }
  array<T>(items: readonly T[] | null, each: (item: T) => void): this {
    if (items === null) return this.i32(-1);
    this.marks.push({ offset: this.#length, width: 4 });
    this.i32(items.length);
    for (const item of items) each(item);
    return this;
  }
  build(): { bytes: Buffer; marks: Array<{ offset: number; width: 2 | 4 }> } {
    return { bytes: Buffer.concat(this.parts), marks: this.marks };
  }
}

interface Template {
  apiKey: number;
  version: number;
}

const TOPIC = 'fz-kafka';
const GROUP = 'fz-kafka-group';

/** One valid request per implemented API (bodies in fullBody; names only under fz-*, so nothing of the stack is touched). */
const TEMPLATES: readonly Template[] = [
  [18, 0],
  [18, 2],
  [3, 0],
  [3, 1],
  [16, 0],
  [10, 0],
  [10, 1],
  [15, 0],
  [12, 0],
  [13, 0],
  [14, 0],
  [42, 0],
  [22, 0],
  [2, 1],
  [9, 1],
  [8, 2],
  [11, 0],
  [19, 0],
  [20, 0],
  [21, 0],
  [32, 0],
  [37, 0],
  [0, 3],
  [1, 4],
].map(([apiKey, version]) => ({ apiKey: apiKey as number, version: version as number }));

/** A valid body of the template's api and version, with some values at their edges. */
function fullBody(rng: Rng, t: Template): Body {
  const b = new Body();
  const partitionsAfter = (fill: (p: number) => void): void => {
    b.array([0, rng.int(-1, 3)], (p) => fill(p));
  };
  switch (t.apiKey) {
    case 3:
      if (t.version === 0) return b.array([TOPIC], (name) => void b.str(name));
      return b.array(null, () => {});
    case 15:
    case 42:
      return b.array([GROUP], (g) => void b.str(g));
    case 14:
      return b
        .str(GROUP)
        .i32(1)
        .str('member')
        .array([{ m: 'member', a: rng.bytes(rng.int(0, 20)) }], (x) => void b.str(x.m).bytes(x.a));
    case 2:
      return b.i32(-1).array([TOPIC], (name) => {
        b.str(name);
        partitionsAfter((p) => void b.i32(p).i64(-1n));
      });
    case 9:
      return b.str(GROUP).array([TOPIC], (name) => {
        b.str(name);
        b.array([0], (p) => void b.i32(p));
      });
    case 8:
      return b
        .str(GROUP)
        .i32(-1)
        .str('')
        .i64(-1n)
        .array([TOPIC], (name) => {
          b.str(name);
          partitionsAfter(
            (p) =>
              void b
                .i32(p)
                .i64(BigInt(rng.int(0, 10)))
                .str(null),
          );
        });
    case 11:
      return b
        .str(GROUP)
        .i32(rng.pick([10_000, 0, -1, 2 ** 31 - 1]))
        .str('')
        .str('consumer')
        .array(['range'], (name) => void b.str(name).bytes(rng.bytes(rng.int(0, 30))));
    case 19:
      return b
        .array([`fz-k-${rng.word(3, 5)}`], (name) => {
          // num_partitions and replication_factor at their edges: a huge count must not make the broker allocate it.
          b.str(name)
            .i32(rng.pick([1, 0, -1, 3, 1000, 100_000, 2 ** 31 - 1]))
            .i16(rng.pick([1, 0, -1, 3, 32767]));
          b.array([], () => {});
          b.array(rng.chance(0.5) ? [] : [['retention.ms', rng.pick(['-5', 'abc', '1e99', ''])]], ([k, v]) => void b.str(k as string).str(v as string));
        })
        .i32(1000);
    case 20:
      return b.array([`fz-k-${rng.word(3, 5)}`], (name) => void b.str(name)).i32(1000);
    case 21:
      return b
        .array([TOPIC], (name) => {
          b.str(name);
          partitionsAfter((p) => void b.i32(p).i64(BigInt(rng.pick([-1, 0, 5, 2 ** 53]))));
        })
        .i32(1000);
    case 32:
      return b.array(
        [rng.pick([2, 4, 99, -1])],
        (type) =>
          void b
            .i8(type)
            .str(rng.pick([TOPIC, '', '1']))
            .array(null, () => {}),
      );
    case 37:
      return b
        .array(
          [TOPIC],
          (name) =>
            void b
              .str(name)
              .i32(rng.pick([1, 0, 5, 2 ** 31 - 1]))
              .array(null, () => {}),
        )
        .i32(1000)
        .i8(1);
    case 0:
      return b
        .str(null)
        .i16(rng.pick([1, -1, 1, 1, 0]))
        .i32(1000)
        .array([TOPIC], (name) => {
          b.str(name);
          // Records: garbage, or the first bytes of a v2 batch header with a lying length.
          b.array(
            [0],
            (p) =>
              void b
                .i32(p)
                .bytes(
                  rng.chance(0.5)
                    ? rng.bytes(rng.int(0, 120))
                    : Buffer.concat([Buffer.alloc(8), Buffer.from([0x7f, 0xff, 0xff, 0xff]), rng.bytes(rng.int(0, 60))]),
                ),
          );
        });
    case 1:
      return b
        .i32(-1)
        .i32(10)
        .i32(1)
        .i32(rng.pick([1 << 20, 0, -1, 2 ** 31 - 1]))
        .i8(0)
        .array([TOPIC], (name) => {
          b.str(name);
          partitionsAfter(
            (p) =>
              void b
                .i32(p)
                .i64(BigInt(rng.pick([0, -1, 2 ** 53])))
                .i32(rng.pick([1 << 20, 0, -1, 2 ** 31 - 1])),
          );
        });
    case 10:
      return t.version === 0 ? b.str(GROUP) : b.str(GROUP).i8(rng.pick([0, 1, 5]));
    case 12:
      return b.str(GROUP).i32(1).str('member');
    case 13:
      return b.str(GROUP).str('member');
    case 22:
      return b.str(null).i32(rng.pick([1000, -1, 0]));
    default:
      return b; // ApiVersions, ListGroups: an empty body
  }
}

function header(apiKey: number, version: number, correlationId: number, clientId: Buffer | null | 'bad-length'): Buffer {
  const h = Buffer.alloc(8);
  h.writeInt16BE(apiKey, 0);
  h.writeInt16BE(version, 2);
  h.writeInt32BE(correlationId, 4);
  if (clientId === null) return Buffer.concat([h, Buffer.from([0xff, 0xff])]);
  if (clientId === 'bad-length') return Buffer.concat([h, Buffer.from([0x7f, 0xff]), Buffer.from('abc')]);
  const len = Buffer.alloc(2);
  len.writeInt16BE(clientId.length);
  return Buffer.concat([h, len, clientId]);
}

function frame(payload: Buffer, declared = payload.length): Buffer {
  const size = Buffer.alloc(4);
  size.writeInt32BE(declared);
  return Buffer.concat([size, payload]);
}

const GENERATORS = {
  'valid-request': 2,
  'bad-size': 2,
  'short-frame': 1,
  'unknown-api': 2,
  'bad-version': 2,
  truncated: 3,
  bitflip: 3,
  'huge-count': 3,
  'bad-client-id': 1,
  'random-body': 2,
  incomplete: 1,
  pipelined: 1,
} as const;

/** One Kafka case. */
export function kafkaCase(rng: Rng, index: number): KafkaCase {
  const generator = rng.weighted(GENERATORS);
  const base = { index, target: 'kafka' as const, generator, nulFields: [] as string[] };
  const correlationId = rng.int(1, 2 ** 31 - 1);
  const t = rng.pick(TEMPLATES);
  const built = fullBody(rng, t).build();
  const clientId = Buffer.from('fz-client');
  const whole = (apiKey: number, version: number, body: Buffer, cid: Buffer | null | 'bad-length' = clientId): KafkaCase => ({
    ...base,
    bytes: frame(Buffer.concat([header(apiKey, version, correlationId, cid), body])),
    incomplete: false,
    correlationIds: [correlationId],
    apiKeys: [apiKey],
  });
  switch (generator) {
    case 'valid-request':
      return whole(t.apiKey, t.version, built.bytes);
    case 'bad-size': {
      const declared = rng.pick([-1, -(2 ** 31), 2 ** 31 - 1, 200 * 1024 * 1024, 0x7fff0000]);
      const payload = Buffer.concat([header(t.apiKey, t.version, correlationId, clientId), built.bytes]);
      return { ...base, bytes: frame(payload, declared), incomplete: declared > payload.length, correlationIds: [], apiKeys: [] };
    }
    case 'short-frame': {
      // A complete frame too short to hold a request header (even size 0).
      const n = rng.int(0, 9);
      return {
        ...base,
        bytes: frame(header(t.apiKey, t.version, correlationId, clientId).subarray(0, n)),
        incomplete: false,
        correlationIds: [correlationId],
        apiKeys: [t.apiKey],
      };
    }
    case 'unknown-api':
      return whole(rng.pick([-1, 4, 5, 6, 7, 17, 23, 24, 36, 50, 67, 68, 1000, 32767, -32768]), rng.int(0, 3), rng.bytes(rng.int(0, 40)));
    case 'bad-version':
      return whole(t.apiKey, rng.pick([-1, -32768, 32767, 12, 99, t.version + 20]), built.bytes);
    case 'truncated':
      return whole(t.apiKey, t.version, built.bytes.subarray(0, rng.int(0, Math.max(0, built.bytes.length - 1))));
    case 'bitflip': {
      const out = Buffer.from(built.bytes);
      for (let i = rng.int(1, 3); i > 0 && out.length > 0; i--) out[rng.int(0, out.length - 1)]! ^= 1 << rng.int(0, 7);
      return whole(t.apiKey, t.version, out);
    }
    case 'huge-count': {
      const out = Buffer.from(built.bytes);
      const mark = built.marks.length > 0 ? rng.pick(built.marks) : undefined;
      if (mark === undefined) return whole(t.apiKey, t.version, Buffer.concat([out, rng.bytes(4)]));
      if (mark.width === 4) out.writeInt32BE(rng.pick([2 ** 31 - 1, 1_000_000_000, -2, -(2 ** 31), 65_536]), mark.offset);
      else out.writeInt16BE(rng.pick([32767, -2, -32768, 1000]), mark.offset);
      return whole(t.apiKey, t.version, out);
    }
    case 'bad-client-id':
      return whole(
        t.apiKey,
        t.version,
        built.bytes,
        rng.pick<Buffer | null | 'bad-length'>([null, 'bad-length', Buffer.from([0xff, 0xfe, 0x00]), Buffer.alloc(32767, 0x63)]),
      );
    case 'random-body':
      return whole(t.apiKey, t.version, rng.bytes(rng.int(0, 200)));
    case 'incomplete': {
      // Declares more than it sends: the broker must wait (or close), and survive the client leaving.
      const payload = Buffer.concat([header(t.apiKey, t.version, correlationId, clientId), built.bytes]);
      const full = frame(payload, payload.length + rng.int(1, 1000));
      return { ...base, bytes: full.subarray(0, rng.int(0, full.length)), incomplete: true, correlationIds: [], apiKeys: [] };
    }
    default: {
      // Several frames in one write: valid, then garbage, then valid; answers must stay in order.
      const ids = [correlationId, correlationId + 1 > 2 ** 31 - 1 ? 1 : correlationId + 1];
      const first = frame(Buffer.concat([header(18, 0, ids[0] as number, clientId), Buffer.alloc(0)]));
      const second = frame(Buffer.concat([header(t.apiKey, t.version, ids[1] as number, clientId), rng.bytes(rng.int(0, 30))]));
      return { ...base, bytes: Buffer.concat([first, second]), incomplete: false, correlationIds: ids, apiKeys: [18, t.apiKey] };
    }
  }
}

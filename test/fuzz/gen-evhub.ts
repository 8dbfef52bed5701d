// Raw protobuf cases for the producer's gRPC methods: a valid EvHub message built field by field, then
// broken on purpose (truncated, bit-flipped, wrong wire types, over-long varints and lengths, NUL and
// invalid UTF-8 in strings, boundary sizes, unknown enum numbers, bad crontabs and times, deep groups).
import type { EvhubMethod, GrpcCase } from './cases.ts';
import { BAD_CRONTABS, GOOD_CRONTABS, INVALID_UTF8, splice, spliceBytes } from './fuzz-values.ts';
import type { Rng } from './prng.ts';
import { lenField, message, secondsNanos, tag, varint, varintField, WireType } from './protobuf-wire.ts';

/** The string fields of a Report, as bytes so they can hold invalid UTF-8. */
interface ReportParts {
  app_id: Buffer;
  topic_id: Buffer;
  source: Buffer;
  qua: Buffer;
  tags: Buffer[];
  data: Buffer;
  trigger: Buffer | undefined;
  orderingKey: Buffer | undefined;
  idempotentKey: Buffer | undefined;
}

/** The string fields a Report's event carries to the router. */
const STRING_FIELDS = ['app_id', 'topic_id', 'source', 'qua', 'tag', 'orderingKey', 'idempotentKey'] as const;

const nowSeconds = (): number => 1_800_000_000; // a fixed "now" (2027-01-15) keeps cases reproducible

function triggerBytes(rng: Rng): Buffer {
  switch (rng.int(0, 4)) {
    case 0:
      return message(varintField(1, 1));
    case 1: // delay: a few seconds, so the event reaches the history while the campaign checks
      return message(varintField(1, 2), lenField(2, message(lenField(1, secondsNanos(rng.int(1, 3), rng.int(0, 999_999_999))))));
    case 2: // repeat, bounded by count
      return message(
        varintField(1, 3),
        lenField(
          3,
          message(
            varintField(2, 2),
            lenField(3, message(varintField(1, rng.int(1, 3)))),
            varintField(4, 1),
            lenField(5, message(lenField(1, secondsNanos(rng.int(1, 5))))),
          ),
        ),
      );
    case 3: // delay-process
      return message(varintField(1, 4), lenField(4, message(lenField(1, rng.word()), lenField(2, secondsNanos(rng.int(1, 60))))));
    default:
      return Buffer.alloc(0); // absent trigger = real time
  }
}

function validParts(rng: Rng): ReportParts {
  return {
    app_id: Buffer.from(`fz-${rng.word(2, 6)}`),
    topic_id: Buffer.from(rng.word()),
    source: Buffer.from(rng.word()),
    qua: Buffer.from(rng.chance(0.5) ? rng.word() : ''),
    tags: Array.from({ length: rng.int(0, 3) }, () => Buffer.from(rng.word())),
    data: rng.bytes(rng.int(0, 64)),
    trigger: rng.chance(0.6) ? undefined : triggerBytes(rng),
    orderingKey: rng.chance(0.5) ? Buffer.from(rng.word()) : undefined,
    idempotentKey: rng.chance(0.1) ? Buffer.from(rng.word(12, 20)) : undefined,
  };
}

function eventBytes(p: ReportParts): Buffer {
  const source = message(lenField(1, p.source), p.qua.length > 0 && lenField(2, p.qua), lenField(3, secondsNanos(nowSeconds())));
  const comm = message(lenField(1, source), lenField(2, message(...p.tags.map((t) => lenField(1, t)))));
  return message(lenField(1, p.app_id), lenField(2, p.topic_id), lenField(3, comm), p.data.length > 0 && lenField(4, p.data));
}

function reportBytes(p: ReportParts): Buffer {
  const idempotent = p.idempotentKey === undefined ? undefined : lenField(1, message(lenField(1, p.idempotentKey)));
  const option =
    p.orderingKey === undefined && idempotent === undefined ? undefined : message(idempotent, p.orderingKey !== undefined && lenField(2, p.orderingKey));
  return message(
    lenField(1, eventBytes(p)),
    p.trigger !== undefined && p.trigger.length > 0 && lenField(2, p.trigger),
    option !== undefined && lenField(3, option),
  );
}

function txCallbackBytes(rng: Rng): Buffer {
  const endpoint = message(varintField(1, rng.pick([1, 5])), lenField(2, `127.0.0.1:${rng.int(1, 3)}`), lenField(3, secondsNanos(1)));
  return message(lenField(1, endpoint), lenField(2, secondsNanos(rng.int(60, 600))));
}

function prepareBytes(event: Buffer, txCallback: Buffer | undefined): Buffer {
  return message(lenField(1, event), txCallback !== undefined && lenField(2, txCallback));
}

/** Replaces the value of one string field with `mutate(value)`; returns the field's name. */
function mutateStringField(rng: Rng, p: ReportParts, mutate: (value: Buffer) => Buffer, fields: readonly string[] = STRING_FIELDS): string {
  const field = rng.pick(fields);
  switch (field) {
    case 'tag':
      if (p.tags.length === 0) p.tags.push(Buffer.from(rng.word()));
      {
        const at = rng.int(0, p.tags.length - 1);
        p.tags[at] = mutate(p.tags[at] as Buffer);
      }
      break;
    case 'orderingKey':
      p.orderingKey = mutate(p.orderingKey ?? Buffer.from(rng.word()));
      break;
    case 'idempotentKey':
      p.idempotentKey = mutate(p.idempotentKey ?? Buffer.from(rng.word(12, 20)));
      break;
    case 'app_id':
    case 'topic_id':
    case 'source':
    case 'qua':
      p[field] = mutate(p[field]);
      break;
    default:
      throw new Error(`unknown field ${field}`);
  }
  return field;
}

/** A message with one of its bytes' structure broken; the same mutations serve every method. */
function corrupt(rng: Rng, valid: Buffer, kind: string): Buffer {
  switch (kind) {
    case 'truncated':
      return valid.subarray(0, rng.int(0, Math.max(0, valid.length - 1)));
    case 'bitflip': {
      const out = Buffer.from(valid);
      for (let i = rng.int(1, 4); i > 0 && out.length > 0; i--) out[rng.int(0, out.length - 1)]! ^= 1 << rng.int(0, 7);
      return out;
    }
    case 'random-bytes':
      return rng.bytes(rng.int(1, 512));
    case 'empty':
      return Buffer.alloc(0);
    case 'unknown-fields': {
      const field = rng.pick([15, 99, 1000, 536_870_911]);
      const extra = rng.pick([
        varintField(field, rng.u32()),
        lenField(field, rng.bytes(rng.int(0, 40))),
        Buffer.concat([tag(field, WireType.I32), rng.bytes(4)]),
        Buffer.concat([tag(field, WireType.I64), rng.bytes(8)]),
        Buffer.concat([tag(0, WireType.VARINT), varint(1)]), // field number 0 is invalid
        Buffer.concat([tag(field, 6), rng.bytes(4)]), // wire types 6 and 7 do not exist
        Buffer.concat([tag(field, 7), rng.bytes(4)]),
        Buffer.concat([tag(field, WireType.EGROUP)]), // an end-group with no start
      ]);
      return rng.chance(0.5) ? Buffer.concat([valid, extra]) : Buffer.concat([extra, valid]);
    }
    case 'deep-groups': {
      // Nested unknown groups make a recursive skipper recurse once per level.
      const depth = rng.pick([100, 3000, 30_000, 200_000]);
      const open = tag(99, WireType.SGROUP);
      const close = tag(99, WireType.EGROUP);
      return Buffer.concat([valid, Buffer.concat(Array.from({ length: depth }, () => open)), Buffer.concat(Array.from({ length: depth }, () => close))]);
    }
    case 'deep-messages': {
      // event.event_comm nested inside itself as length-delimited unknown fields, many levels down.
      let inner: Buffer = Buffer.alloc(0);
      for (let i = rng.pick([100, 2000, 20_000]); i > 0; i--) inner = lenField(3, inner);
      return Buffer.concat([valid, lenField(1, inner)]);
    }
    case 'huge-varint': {
      // An over-long varint (11 bytes) or one above 2^64, as a field value or as a length.
      const bad = rng.pick([
        Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]),
        Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]),
        Buffer.alloc(20, 0xff),
      ]);
      return rng.chance(0.5) ? Buffer.concat([tag(rng.int(1, 3), WireType.LEN), bad, valid]) : Buffer.concat([valid, tag(rng.int(1, 3), WireType.VARINT), bad]);
    }
    case 'huge-length': {
      const declared = rng.pick([2n ** 31n - 1n, 2n ** 31n, 2n ** 32n + 5n, 2n ** 63n, BigInt(valid.length + 1)]);
      return Buffer.concat([tag(1, WireType.LEN), varint(declared), valid]);
    }
    case 'wrong-wire-type': {
      // Field 1 or 2 (a message or string in every EvHub request) sent as varint, fixed32 or fixed64.
      const field = rng.int(1, 3);
      const wrong = rng.pick([
        varintField(field, rng.u32()),
        Buffer.concat([tag(field, WireType.I32), rng.bytes(4)]),
        Buffer.concat([tag(field, WireType.I64), rng.bytes(8)]),
        Buffer.concat([tag(field, WireType.SGROUP), tag(field, WireType.EGROUP)]),
      ]);
      return Buffer.concat([valid, wrong]);
    }
    default:
      throw new Error(`unknown corruption ${kind}`);
  }
}

const CORRUPTIONS = [
  'truncated',
  'bitflip',
  'random-bytes',
  'empty',
  'unknown-fields',
  'deep-groups',
  'deep-messages',
  'huge-varint',
  'huge-length',
  'wrong-wire-type',
] as const;

/** A trigger field broken at the semantic level: unknown enums, bad times and crontabs. */
function semanticTrigger(rng: Rng, kind: 'unknown-enum' | 'bad-time' | 'bad-crontab'): Buffer {
  const duration = (): Buffer =>
    rng.pick([
      secondsNanos(-1),
      secondsNanos(0, -1),
      secondsNanos(0, 1_000_000_000),
      secondsNanos(30 * 24 * 3600 + 1),
      secondsNanos(2n ** 62n),
      secondsNanos(-(2n ** 63n)),
      secondsNanos(315_576_000_001n),
      secondsNanos(0),
      secondsNanos(0, 1),
    ]);
  const timestamp = (): Buffer =>
    rng.pick([
      secondsNanos(-62_135_596_801n),
      secondsNanos(253_402_300_800n),
      secondsNanos(-1),
      secondsNanos(nowSeconds(), 1_000_000_000),
      secondsNanos(2n ** 63n - 1n),
    ]);
  if (kind === 'unknown-enum') {
    const triggerType = rng.pick([5, 99, -1, 2 ** 31 - 1, 2]);
    return message(
      varintField(1, triggerType),
      rng.chance(0.5) && lenField(2, message(lenField(1, secondsNanos(1)))),
      rng.chance(0.5) &&
        lenField(
          3,
          message(
            varintField(2, rng.pick([0, 3, -5, 7])),
            varintField(4, rng.pick([0, 3, 77, -1])),
            lenField(3, message(varintField(1, 2))),
            lenField(5, message(lenField(1, secondsNanos(2)))),
          ),
        ),
    );
  }
  if (kind === 'bad-crontab') {
    const crontab = rng.chance(0.8) ? Buffer.from(rng.pick(BAD_CRONTABS)) : spliceBytes(rng, Buffer.from(rng.pick(GOOD_CRONTABS)), rng.pick(INVALID_UTF8));
    return message(
      varintField(1, 3),
      lenField(
        3,
        message(
          lenField(1, secondsNanos(nowSeconds())),
          varintField(2, 2),
          lenField(3, message(varintField(1, 2))),
          varintField(4, 2),
          lenField(6, message(lenField(1, crontab))),
        ),
      ),
    );
  }
  return rng.pick([
    message(varintField(1, 2), lenField(2, message(lenField(1, duration())))),
    message(varintField(1, 2)),
    message(
      varintField(1, 3),
      lenField(
        3,
        message(
          lenField(1, timestamp()),
          varintField(2, 1),
          lenField(3, message(lenField(2, timestamp()))),
          varintField(4, 1),
          lenField(5, message(lenField(1, duration()))),
        ),
      ),
    ),
    message(
      varintField(1, 3),
      lenField(
        3,
        message(varintField(2, 2), lenField(3, message(varintField(1, 2 ** 32 - 1))), varintField(4, 1), lenField(5, message(lenField(1, duration())))),
      ),
    ),
    message(varintField(1, 4), lenField(4, message(lenField(1, 'k'), lenField(2, duration())))),
  ]);
}

/** Non-decimal or unknown transaction ids. */
function badEventId(rng: Rng): Buffer {
  return Buffer.concat([
    Buffer.from(
      rng.pick(['', '0', '-1', 'abc', '1\u00002', ' 12', '9223372036854775808', '99999999999999999999999', '１２３', String(rng.u32()), 'x'.repeat(70_000)]),
    ),
    rng.chance(0.2) ? rng.pick(INVALID_UTF8) : Buffer.alloc(0),
  ]);
}

const REPORT_GENERATORS = {
  valid: 6,
  nul: 5,
  'invalid-utf8': 4,
  boundary: 4,
  'unknown-enum': 3,
  'bad-time': 4,
  'bad-crontab': 4,
  'bad-metadata': 1,
  corrupt: 10,
} as const;

/** One gRPC case. */
export function grpcCase(rng: Rng, index: number, maxEventBytes: number): GrpcCase {
  const method = rng.weighted<EvhubMethod>({ Report: 8, Prepare: 2, Commit: 2, Rollback: 1 });
  const base = { index, target: 'grpc' as const, method, metadata: {} as Record<string, string>, nulFields: [] as string[] };
  if (method === 'Commit' || method === 'Rollback') {
    if (rng.chance(0.5)) {
      const generator = rng.pick(['tx-flow', 'tx-flow-garbled-trigger', 'tx-after-rollback']);
      const trigger =
        generator === 'tx-flow'
          ? rng.chance(0.5)
            ? triggerBytes(rng)
            : undefined
          : generator === 'tx-flow-garbled-trigger'
            ? corrupt(rng, semanticTrigger(rng, rng.pick(['unknown-enum', 'bad-time', 'bad-crontab'] as const)), rng.pick(CORRUPTIONS))
            : undefined;
      return {
        ...base,
        generator,
        body: Buffer.alloc(0),
        prepareFirst: { prepare: prepareBytes(eventBytes(validParts(rng)), txCallbackBytes(rng)), trigger, rollbackFirst: generator === 'tx-after-rollback' },
      };
    }
    const body = message(lenField(1, badEventId(rng)), method === 'Commit' && rng.chance(0.5) && lenField(2, triggerBytes(rng)));
    if (rng.chance(0.5)) return { ...base, generator: 'bad-event-id', body };
    const kind = rng.pick(CORRUPTIONS);
    return { ...base, generator: kind, body: corrupt(rng, body, kind) };
  }

  const parts = validParts(rng);
  const generator = rng.weighted(REPORT_GENERATORS);
  let nulFields: string[] = [];
  switch (generator) {
    case 'valid':
    case 'corrupt':
    case 'bad-metadata':
      break;
    case 'nul': {
      const field = mutateStringField(rng, parts, (v) => Buffer.from(splice(rng, v.toString(), '\u0000')));
      nulFields = [field];
      break;
    }
    case 'invalid-utf8':
      mutateStringField(rng, parts, (v) => spliceBytes(rng, v, rng.pick(INVALID_UTF8)), STRING_FIELDS);
      break;
    case 'boundary': {
      const size = rng.pick([0, 1, 255, 256, 1024, 1025, 4096]);
      const field = rng.pick(['app_id', 'topic_id', 'orderingKey', 'idempotentKey', 'tags', 'data', 'whitespace'] as const);
      if (field === 'data') parts.data = Buffer.alloc(rng.pick([maxEventBytes, maxEventBytes + 1, 0]), 0x61);
      else if (field === 'tags') parts.tags = Array.from({ length: rng.pick([0, 1000, 20_000]) }, (_, i) => Buffer.from(`t${i}`));
      else if (field === 'whitespace') parts.app_id = Buffer.from(rng.pick([' ', '\t', '\u00a0', '\u3000']));
      else mutateStringField(rng, parts, () => Buffer.alloc(size, 0x62), [field]);
      break;
    }
    case 'unknown-enum':
    case 'bad-time':
    case 'bad-crontab':
      parts.trigger = semanticTrigger(rng, generator);
      break;
  }
  const event = eventBytes(parts);
  let body = method === 'Report' ? reportBytes(parts) : prepareBytes(event, rng.chance(0.8) ? txCallbackBytes(rng) : undefined);
  let name: string = generator;
  if (generator === 'corrupt') {
    name = rng.pick(CORRUPTIONS);
    body = corrupt(rng, body, name);
  }
  if (generator === 'bad-metadata') {
    base.metadata = rng.pick<Record<string, string>>([
      { authorization: 'Bearer ' },
      { authorization: 'Basic Zm9vOmJhcg==' },
      { authorization: `Bearer ${'k'.repeat(4000)}` },
      { 'eventyard-broadcast': 'true' },
      { 'eventyard-broadcast': 'maybe' },
      { traceparent: '00-zz-zz-01' },
    ]);
  }
  // A Prepare that is acknowledged is not an event yet; only Reports and Commits count as deliveries.
  return { ...base, generator: name, body, nulFields: method === 'Report' ? nulFields : [] };
}

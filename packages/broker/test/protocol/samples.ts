// Sample bodies generated from the transcribed schemas for one version: exactly the fields that
// version carries, filled from a seeded generator (edge values, nulls where nullable, empty and
// non-empty arrays, multi-byte strings), so round-trip and fuzz tests cover every API version.
import type { FieldSchema, MessageSchema } from '../../src/protocol/index.ts';

/** Kafka's version range syntax ('3+', '0-12', '5', 'none'), re-implemented here on purpose. */
export function versionIn(spec: string | undefined, version: number): boolean {
  if (spec === undefined || spec === 'none') return false;
  if (spec.endsWith('+')) return version >= Number(spec.slice(0, -1));
  const [lo, hi = lo] = spec.split('-').map(Number);
  return lo !== undefined && hi !== undefined && version >= lo && version <= hi;
}

/** Small deterministic PRNG (mulberry32) so failures reproduce. */
export function rng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const STRINGS = ['', 'orders', 'ünïcødé-topic', 'consumer-group-1', 'x'.repeat(300), '日本語'];

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)] as T;
}

function primitive(type: string, random: () => number): unknown {
  switch (type) {
    case 'int8':
      return pick(random, [-128, -1, 0, 1, 127]);
    case 'int16':
      return pick(random, [-32768, -1, 0, 35, 32767]);
    case 'uint16':
      return pick(random, [0, 1, 65535]);
    case 'int32':
      return pick(random, [-2147483648, -1, 0, 1, 9092, 2147483647]);
    case 'int64':
      return pick(random, [-9223372036854775808n, -2n, -1n, 0n, 1700000000000n, 9223372036854775807n]);
    case 'float64':
      return pick(random, [0, -1.5, 3.25]);
    case 'bool':
      return random() < 0.5;
    case 'string':
      return pick(random, STRINGS);
    case 'bytes':
    case 'records': {
      const bytes = Buffer.alloc(Math.floor(random() * 40));
      for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(random() * 256);
      return bytes;
    }
    case 'uuid':
      return Buffer.alloc(16, 7);
    default:
      throw new Error(`unknown primitive ${type}`);
  }
}

function sampleFields(fields: readonly FieldSchema[], version: number, random: () => number, depth: number): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const field of fields) {
    if (!versionIn(field.versions, version)) continue;
    if (versionIn(field.nullableVersions, version) && random() < 0.25) {
      body[field.name] = null;
      continue;
    }
    if (field.type.startsWith('[]')) {
      const count = depth > 2 ? Math.floor(random() * 2) : Math.floor(random() * 4);
      const items: unknown[] = [];
      for (let i = 0; i < count; i++) {
        items.push(field.fields === undefined ? primitive(field.type.slice(2), random) : sampleFields(field.fields, version, random, depth + 1));
      }
      body[field.name] = items;
    } else if (field.fields !== undefined) {
      body[field.name] = sampleFields(field.fields, version, random, depth + 1);
    } else {
      body[field.name] = primitive(field.type, random);
    }
  }
  return body;
}

/** A body of `schema` at `version` holding exactly that version's fields. */
export function sampleBody(schema: MessageSchema, version: number, seed: number): Record<string, unknown> {
  return sampleFields(schema.fields, version, rng(seed), 0);
}

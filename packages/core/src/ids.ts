// Event ids: time-sortable 64-bit integers rendered as decimal strings (at most 19 digits, like EvHub's).
// Layout, high to low: 41 bits of milliseconds since EPOCH_MS, 10 bits of node id, 12 bits of sequence.
// The top bit stays 0, so every id is a positive int64 and fits Postgres `bigint`. Node ids are leased
// from Postgres per running instance (packages/db), so two instances never share one; generating an id
// never touches the database.
import { ValidationError } from './errors.ts';
import { CoreErrors } from './error-codes.ts';

/** 2024-01-01T00:00:00Z. 41 bits of milliseconds last until 2093. */
export const EPOCH_MS = 1_704_067_200_000;
export const NODE_ID_BITS = 10;
export const SEQUENCE_BITS = 12;
export const MAX_NODE_ID = (1 << NODE_ID_BITS) - 1;
const MAX_SEQUENCE = (1 << SEQUENCE_BITS) - 1;
const NODE_SHIFT = BigInt(SEQUENCE_BITS);
const TIME_SHIFT = BigInt(SEQUENCE_BITS + NODE_ID_BITS);

export interface IdGeneratorOptions {
  nodeId: number;
  /** @default Date.now */
  now?: () => number;
}

export class IdGenerator {
  readonly nodeId: number;
  readonly #now: () => number;
  readonly #nodeBits: bigint;
  #lastMs = -1;
  #sequence = 0;

  constructor(options: IdGeneratorOptions) {
    if (!Number.isInteger(options.nodeId) || options.nodeId < 0 || options.nodeId > MAX_NODE_ID) {
      throw new ValidationError(CoreErrors.EY_INVALID_NODE_ID, `nodeId must be an integer in [0, ${MAX_NODE_ID}], got ${options.nodeId}`);
    }
    this.nodeId = options.nodeId;
    this.#nodeBits = BigInt(options.nodeId) << NODE_SHIFT;
    this.#now = options.now ?? Date.now;
  }

  /**
   * The next id. Strictly increasing per generator: when the clock stands still or steps back, the
   * sequence goes on from the last millisecond used, and when 4096 ids are used up in one millisecond
   * the generator borrows the next millisecond rather than sleeping.
   */
  next(): string {
    const ms = this.#now() - EPOCH_MS;
    if (ms > this.#lastMs) {
      this.#lastMs = ms;
      this.#sequence = 0;
    } else if (this.#sequence < MAX_SEQUENCE) {
      this.#sequence += 1;
    } else {
      this.#lastMs += 1;
      this.#sequence = 0;
    }
    return ((BigInt(this.#lastMs) << TIME_SHIFT) | this.#nodeBits | BigInt(this.#sequence)).toString();
  }
}

export interface DecodedId {
  timestampMs: number;
  nodeId: number;
  sequence: number;
}

const ID_PATTERN = /^[1-9]\d{0,18}$/;

/** Splits an event id into its parts; throws a ValidationError naming `fieldName` when it is not one of ours. */
export function decodeEventId(id: string, fieldName = 'event_id'): DecodedId {
  if (!ID_PATTERN.test(id) || BigInt(id) > 0x7fff_ffff_ffff_ffffn) {
    throw new ValidationError(CoreErrors.EY_INVALID_EVENT_ID, `${fieldName} must be a decimal 64-bit event id (1-19 digits)`, {
      context: { field: fieldName },
    });
  }
  const value = BigInt(id);
  return {
    timestampMs: Number(value >> TIME_SHIFT) + EPOCH_MS,
    nodeId: Number((value >> NODE_SHIFT) & BigInt(MAX_NODE_ID)),
    sequence: Number(value & BigInt(MAX_SEQUENCE)),
  };
}

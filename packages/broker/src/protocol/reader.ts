// Bounds-checked big-endian reader over one frame. Every read checks the remaining length first, so
// malformed input ends in a ProtocolDecodeError, never a RangeError or a huge allocation.
import { ProtocolDecodeError } from '../kafka-errors.ts';

export class Reader {
  readonly buffer: Buffer;
  offset: number;
  readonly end: number;

  constructor(buffer: Buffer, offset = 0, end = buffer.length) {
    this.buffer = buffer;
    this.offset = offset;
    this.end = end;
  }

  get remaining(): number {
    return this.end - this.offset;
  }

  private need(bytes: number, what: string): number {
    const at = this.offset;
    if (this.end - at < bytes) {
      throw new ProtocolDecodeError(`truncated ${what}: need ${bytes} bytes at offset ${at}, have ${this.end - at}`);
    }
    this.offset = at + bytes;
    return at;
  }

  int8(): number {
    return this.buffer.readInt8(this.need(1, 'int8'));
  }

  int16(): number {
    return this.buffer.readInt16BE(this.need(2, 'int16'));
  }

  uint16(): number {
    return this.buffer.readUInt16BE(this.need(2, 'uint16'));
  }

  int32(): number {
    return this.buffer.readInt32BE(this.need(4, 'int32'));
  }

  int64(): bigint {
    return this.buffer.readBigInt64BE(this.need(8, 'int64'));
  }

  float64(): number {
    return this.buffer.readDoubleBE(this.need(8, 'float64'));
  }

  bool(): boolean {
    // Kafka reads any non-zero byte as true.
    return this.buffer[this.need(1, 'boolean')] !== 0;
  }

  /** int16-length UTF-8 string; null only when `nullable` (length -1). */
  string(nullable: boolean): string | null {
    const length = this.int16();
    if (length < 0) {
      if (length === -1 && nullable) return null;
      throw new ProtocolDecodeError(`invalid string length ${length} at offset ${this.offset - 2}`);
    }
    const at = this.need(length, 'string');
    return this.buffer.toString('utf8', at, at + length);
  }

  /** int32-length bytes, returned as a view on the frame (no copy); null only when `nullable`. */
  bytes(nullable: boolean): Buffer | null {
    const length = this.int32();
    if (length < 0) {
      if (length === -1 && nullable) return null;
      throw new ProtocolDecodeError(`invalid bytes length ${length} at offset ${this.offset - 4}`);
    }
    const at = this.need(length, 'bytes');
    return this.buffer.subarray(at, at + length);
  }

  uuid(): Buffer {
    const at = this.need(16, 'uuid');
    return this.buffer.subarray(at, at + 16);
  }

  /**
   * int32 array length; -1 is null when `nullable`. Each element takes at least one byte, so a count
   * above the remaining length is refused before anything is allocated.
   */
  arrayLength(nullable: boolean): number | null {
    const length = this.int32();
    if (length < 0) {
      if (length === -1 && nullable) return null;
      throw new ProtocolDecodeError(`invalid array length ${length} at offset ${this.offset - 4}`);
    }
    if (length > this.remaining) {
      throw new ProtocolDecodeError(`array length ${length} exceeds the ${this.remaining} bytes left at offset ${this.offset - 4}`);
    }
    return length;
  }
}

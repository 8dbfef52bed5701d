// Big-endian writer into a buffer sized in advance: the codec measures a message first, allocates
// once and writes once, so large Produce/Fetch bodies are never concatenated piecewise.

export class Writer {
  readonly buffer: Buffer;
  offset: number;

  constructor(size: number) {
    this.buffer = Buffer.allocUnsafe(size);
    this.offset = 0;
  }

  int8(value: number): void {
    this.offset = this.buffer.writeInt8(value, this.offset);
  }

  int16(value: number): void {
    this.offset = this.buffer.writeInt16BE(value, this.offset);
  }

  uint16(value: number): void {
    this.offset = this.buffer.writeUInt16BE(value, this.offset);
  }

  int32(value: number): void {
    this.offset = this.buffer.writeInt32BE(value, this.offset);
  }

  int64(value: bigint): void {
    this.offset = this.buffer.writeBigInt64BE(value, this.offset);
  }

  float64(value: number): void {
    this.offset = this.buffer.writeDoubleBE(value, this.offset);
  }

  bool(value: boolean): void {
    this.buffer[this.offset++] = value ? 1 : 0;
  }

  /** int16 length + UTF-8; null writes -1. The text is written first so it is measured only once. */
  string(value: string | null): void {
    if (value === null) {
      this.int16(-1);
      return;
    }
    const written = this.buffer.write(value, this.offset + 2, 'utf8');
    this.buffer.writeInt16BE(written, this.offset);
    this.offset += 2 + written;
  }

  /** int32 length + bytes; null writes -1. */
  bytes(value: Buffer | null): void {
    if (value === null) {
      this.int32(-1);
      return;
    }
    this.int32(value.length);
    this.offset += value.copy(this.buffer, this.offset);
  }

  raw(value: Buffer): void {
    this.offset += value.copy(this.buffer, this.offset);
  }
}

// Splits a TCP byte stream into Kafka request frames: a 4-byte big-endian size, then that many bytes.
// Chunks are kept as a list and joined only once a whole frame is there, so a large produce request
// arriving in many small chunks is copied once.

/** Thrown for a size prefix that is negative or above socket.request.max.bytes: the connection is closed. */
export class FrameSizeError extends Error {
  readonly size: number;

  constructor(size: number, max: number) {
    super(size < 0 ? `invalid frame size ${size}` : `frame size ${size} larger than socket.request.max.bytes ${max}`);
    this.name = 'FrameSizeError';
    this.size = size;
  }
}

export class FrameDecoder {
  readonly #maxFrameBytes: number;
  #chunks: Buffer[] = [];
  #buffered = 0;
  /** Size of the frame being assembled, once its prefix has been read. */
  #frameSize = -1;

  constructor(maxFrameBytes: number) {
    this.#maxFrameBytes = maxFrameBytes;
  }

  /** Bytes received but not yet returned as frames. */
  get buffered(): number {
    return this.#buffered;
  }

  /** Adds a chunk and returns every frame now complete (without size prefixes). Throws FrameSizeError. */
  push(chunk: Buffer): Buffer[] {
    this.#chunks.push(chunk);
    this.#buffered += chunk.length;
    const frames: Buffer[] = [];
    for (;;) {
      if (this.#frameSize < 0) {
        if (this.#buffered < 4) break;
        const size = this.#take(4).readInt32BE(0);
        if (size < 0 || size > this.#maxFrameBytes) throw new FrameSizeError(size, this.#maxFrameBytes);
        this.#frameSize = size;
      }
      if (this.#buffered < this.#frameSize) break;
      frames.push(this.#take(this.#frameSize));
      this.#frameSize = -1;
    }
    return frames;
  }

  #take(n: number): Buffer {
    const first = this.#chunks[0];
    if (first !== undefined && first.length >= n) {
      // The common case: the bytes sit in one chunk, so a view is enough.
      const out = first.subarray(0, n);
      if (first.length === n) this.#chunks.shift();
      else this.#chunks[0] = first.subarray(n);
      this.#buffered -= n;
      return out;
    }
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    while (filled < n) {
      const chunk = this.#chunks[0];
      if (chunk === undefined) throw new Error('frame decoder underflow');
      const used = Math.min(chunk.length, n - filled);
      chunk.copy(out, filled, 0, used);
      filled += used;
      if (used === chunk.length) this.#chunks.shift();
      else this.#chunks[0] = chunk.subarray(used);
    }
    this.#buffered -= n;
    return out;
  }
}

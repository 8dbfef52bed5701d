// Preloaded into every process of a soak (NODE_OPTIONS="--expose-gc --import <this file>", set by
// soak.ts): on SIGUSR2 it runs a full garbage collection and writes process.memoryUsage() to
// $SOAK_HEAP_DIR/<pid>.json, which live-heap.ts reads. A signal and a file rather than the inspector:
// re-opening Node's inspector with SIGUSR1 after closing it crashed the process (SIGSEGV, Node 24.21) on
// the sixth round, and an inspector left open would need a port per process.
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.env.SOAK_HEAP_DIR;
const collect = (globalThis as { gc?: () => void }).gc;
if (dir !== undefined && collect !== undefined) {
  process.on('SIGUSR2', () => {
    collect();
    const { heapUsed, heapTotal, external } = process.memoryUsage();
    const file = join(dir, `${process.pid}.json`);
    writeFileSync(`${file}.tmp`, JSON.stringify({ heapUsed, heapTotal, external }));
    renameSync(`${file}.tmp`, file);
  });
}

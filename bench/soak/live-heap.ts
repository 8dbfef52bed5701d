// A soak process's live heap: SIGUSR2 makes heap-probe.ts (preloaded into it) run a full garbage
// collection and write process.memoryUsage() to a file named after its pid. The heap size a process
// reports on its own (prom-client's nodejs_heap_size_used_bytes) includes garbage not collected yet, and
// V8 lets that grow with the allocation rate for a long time, so only the size after a forced collection
// tells a leak from a heap still growing to its working size. The collection pauses the process for a
// few ms once per sample.
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface LiveHeap {
  heapUsedBytes: number;
  /** The heap V8 keeps committed after the collection: RSS beyond it and external memory is native. */
  heapTotalBytes: number;
  externalBytes: number;
}

/** NODE_OPTIONS that preload the probe (`--expose-gc` only exposes gc(); collection is unchanged). */
export const HEAP_PROBE_NODE_OPTIONS = `--expose-gc --import=${fileURLToPath(new URL('./heap-probe.ts', import.meta.url))}`;

/** The live heap of `pid` (started with HEAP_PROBE_NODE_OPTIONS and SOAK_HEAP_DIR=`dir`); undefined when it does not answer in `timeoutMs`. */
export async function liveHeap(pid: number, dir: string, timeoutMs = 5000): Promise<LiveHeap | undefined> {
  const file = join(dir, `${pid}.json`);
  rmSync(file, { force: true });
  try {
    process.kill(pid, 'SIGUSR2');
  } catch {
    return undefined;
  }
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const usage = JSON.parse(readFileSync(file, 'utf8')) as { heapUsed: number; heapTotal: number; external: number };
      return { heapUsedBytes: usage.heapUsed, heapTotalBytes: usage.heapTotal, externalBytes: usage.external };
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
  return undefined;
}

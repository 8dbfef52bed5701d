// One full garbage collection a while after a service starts. V8's memory reducer, which compacts the
// heap of a process that went quiet, does not start by itself in an idle Node service: with
// `--trace-memory-reducer` an idle process prints "high alloc, foreground" every 8 s and never collects
// (it starts for an isolate in the background or one it sees allocating slowly, and Node reports
// neither). So start-up's garbage (module compilation, config and schema parsing, group joins) and a
// young generation grown meanwhile stay resident. A full collection both frees them and arms the
// reducer, which follows about 8 s later with its own two memory-reducing collections (PerformanceObserver
// 'gc' entries). In bench:idle that gave back 4–8 MB of RSS per service, for 50–120 ms of CPU per service
// spread over the 20 s after start, once.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Logger } from './logger.ts';

type Gc = (options?: { type: 'major'; execution: 'sync' }) => void;

let gc: Gc | undefined;

/**
 * V8's `gc`, without starting Node with `--expose-gc`: the flag is set only while a new context is made
 * to read it from, and cleared again, so no later context sees a `gc` global.
 */
function exposedGc(): Gc {
  if (gc !== undefined) return gc;
  const global = (globalThis as { gc?: Gc }).gc;
  if (global !== undefined) return (gc = global);
  setFlagsFromString('--expose-gc');
  try {
    gc = runInNewContext('gc') as Gc;
  } finally {
    setFlagsFromString('--no-expose-gc');
  }
  return gc;
}

/** A full (major) collection, now. */
export function collectGarbage(): void {
  exposedGc()({ type: 'major', execution: 'sync' });
}

/**
 * Runs collectGarbage once, `delayMs` from now, without keeping the process alive for it. A Node on
 * which the collection cannot be reached logs a warning and the service runs on.
 */
export function scheduleStartupCollection(logger: Logger, delayMs = 8_000): void {
  setTimeout(() => {
    try {
      collectGarbage();
    } catch (err) {
      logger.warn({ err }, 'start-up garbage collection unavailable: idle memory stays as start-up left it');
    }
  }, delayMs).unref();
}

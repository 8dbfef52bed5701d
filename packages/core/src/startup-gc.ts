// One memory-reducing garbage collection a while after a service starts. V8's memory reducer, which
// compacts the heap of a process that went quiet, does not start in an idle Node service: with
// `--trace-memory-reducer` an idle process prints "high alloc, foreground" every 8 s and never collects
// (it starts only for an isolate in the background or one it sees allocating slowly, and Node reports
// neither). So start-up's garbage (module compilation, config and schema parsing, group joins) and a
// young generation grown meanwhile stay resident: 5–8 MB per service in bench:idle, which one
// collection 8 s after start gives back (a 35–55 ms pause, once).
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Logger } from './logger.ts';

type Gc = (options?: { type: 'major'; execution: 'sync'; flavor: 'last-resort' }) => void;

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

/** A full collection that also shrinks the young generation and compacts (V8's "last resort" flavour). */
export function collectAllGarbage(): void {
  exposedGc()({ type: 'major', execution: 'sync', flavor: 'last-resort' });
}

/**
 * Runs collectAllGarbage once, `delayMs` from now, without keeping the process alive for it. A Node on
 * which the collection cannot be reached logs a warning and the service runs on.
 */
export function scheduleStartupCollection(logger: Logger, delayMs = 8_000): void {
  setTimeout(() => {
    try {
      collectAllGarbage();
    } catch (err) {
      logger.warn({ err }, 'start-up garbage collection unavailable: idle memory stays as start-up left it');
    }
  }, delayMs).unref();
}

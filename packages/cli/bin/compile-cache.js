// Node's compile cache for Eventyard's processes (see eventyard.js for why it matters). Plain JavaScript:
// it must run before the first TypeScript file loads.
import { constants, enableCompileCache } from 'node:module';
import { join, resolve } from 'node:path';

/** Where the cache lives unless NODE_COMPILE_CACHE says otherwise: the checkout's node_modules/.cache. */
const DEFAULT_DIR = join(import.meta.dirname, '..', '..', '..', 'node_modules', '.cache', 'eventyard', 'node-compile-cache');

/**
 * Turns the cache on for this process (NODE_COMPILE_CACHE, else DEFAULT_DIR) and exports its directory
 * to the environment, so the processes this one starts use it from their first file too. Returns the
 * directory, or undefined when the cache stays off (NODE_DISABLE_COMPILE_CACHE=1, or a directory that
 * cannot be created): everything then runs as without it.
 */
export function enableEventyardCompileCache() {
  // Absolute, so a child started elsewhere finds it; the base directory, not the per-version one inside
  // it that enableCompileCache() reports (a child given that one would nest another inside).
  const base = resolve(process.env.NODE_COMPILE_CACHE || DEFAULT_DIR);
  const { status } = enableCompileCache(base);
  if (status !== constants.compileCacheStatus.ENABLED && status !== constants.compileCacheStatus.ALREADY_ENABLED) return undefined;
  process.env.NODE_COMPILE_CACHE = base;
  return base;
}

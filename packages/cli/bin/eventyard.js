#!/usr/bin/env node
// The `eventyard` command as `pnpm start` and `pnpm eventyard` run it: src/main.ts behind Node's compile
// cache. Node strips a .ts file's types with a WebAssembly parser it loads on the first .ts file that
// misses the cache, and that parser stays resident: ~17 MB of RSS per process (bench:idle). The cache
// holds each file's stripped source and compiled code, keyed by its content, so once warm no process of
// the stack loads the parser. Plain JavaScript because the cache must be on before the first .ts file.
// NODE_COMPILE_CACHE names another directory; NODE_DISABLE_COMPILE_CACHE=1 turns it off.
import { enableEventyardCompileCache } from './compile-cache.js';

enableEventyardCompileCache();
await import('../src/main.ts');

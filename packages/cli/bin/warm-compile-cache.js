#!/usr/bin/env node
// Fills Node's compile cache (compile-cache.js) with every TypeScript module of the checkout, so that
// even the first start of a process finds each file stripped and compiled and never loads the type
// stripper (~17 MB of RSS that would stay with the process). `pnpm install` runs it (the root
// postinstall), so even the first `pnpm start` is lean; the image build runs it (deploy/docker/
// Dockerfile: the running containers then only read the cache, under a read-only root filesystem);
// bench:idle runs it for each tree before measuring.
//
// Modules are imported, which runs nothing but their top-level definitions; the entries, which would
// start something, are run instead with arguments and a configuration that end them at once (a service
// at its config check), as the process that compiles a file is the one that writes its cache entry.
// Node keys the cache by Node version, V8 flags and user id: run this as the user that runs the services.
import { spawnSync } from 'node:child_process';
import { glob } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { enableEventyardCompileCache } from './compile-cache.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const MODULES = ['proto/src/**/*.ts', 'packages/*/src/**/*.ts', 'services/*/src/**/*.ts'];
/** Entries and how to end them early: a service stops at its config check, the CLIs at their usage line. */
const ENTRIES = [
  { pattern: 'services/*/src/main.ts', args: [], env: { EY_KAFKA_BROKERS: 'warm-compile-cache: no broker' } },
  { pattern: 'packages/cli/src/main.ts', args: ['--help'], env: {} },
  { pattern: 'packages/db/src/migrate-cli.ts', args: [], env: {} },
];

const directory = enableEventyardCompileCache();
if (directory === undefined) {
  console.error('warm-compile-cache: the compile cache is off (NODE_DISABLE_COMPILE_CACHE, or its directory cannot be created)');
  process.exit(1);
}

const entries = new Set();
let ran = 0;
for (const entry of ENTRIES) {
  for await (const file of glob(entry.pattern, { cwd: ROOT })) {
    entries.add(file);
    // Its exit code is the early end asked for; what matters is that it loaded (and so cached) its modules.
    const result = spawnSync(process.execPath, [join(ROOT, file), ...entry.args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', NODE_COMPILE_CACHE: directory, ...entry.env },
      stdio: 'ignore',
      timeout: 60_000,
    });
    if (result.error !== undefined || result.signal !== null) {
      console.error(`warm-compile-cache: ${file} did not end by itself (${result.error?.message ?? result.signal})`);
      process.exit(1);
    }
    ran++;
  }
}

let imported = 0;
const failed = [];
for await (const file of glob(MODULES, { cwd: ROOT, exclude: (name) => name === 'node_modules' })) {
  if (entries.has(file)) continue;
  try {
    await import(pathToFileURL(join(ROOT, file)).href);
    imported++;
  } catch (err) {
    // A module importing a development-only package (the test helpers) in a production install: its own
    // source was stripped and cached before the import failed, which is all the cache needs.
    failed.push(`${file}: ${String(err instanceof Error ? err.message : err).split('\n')[0]}`);
  }
}
console.log(
  `warm-compile-cache: ${directory}: ${ran} entries run, ${imported} modules imported` +
    (failed.length === 0 ? '' : `, ${failed.length} not importable here:\n  ${failed.join('\n  ')}`),
);

// Regenerates the committed TypeScript types in src/generated/ from the .proto files with
// proto-loader-gen-types, using the same conversion options as the runtime loader (src/loader.ts).
// Usage: `pnpm --filter @eventyard/proto generate` (or `node scripts/generate.ts [--out DIR]`).
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { GENERATOR_FLAGS, PROTO_DIR, PROTO_FILES } from '../src/loader.ts';

const { values } = parseArgs({ options: { out: { type: 'string' } } });
const outDir = path.resolve(values.out ?? path.join(PROTO_DIR, 'src', 'generated'));

const require = createRequire(import.meta.url);
const pkgJson = require.resolve('@grpc/proto-loader/package.json');
const bin = path.join(path.dirname(pkgJson), 'build', 'bin', 'proto-loader-gen-types.js');

// Start from an empty directory so types of removed messages do not linger.
rmSync(outDir, { recursive: true, force: true });
execFileSync(
  process.execPath,
  [
    bin,
    ...GENERATOR_FLAGS,
    // Node's type stripping needs the real extension in relative import specifiers.
    '--importFileExtension=.ts',
    // Relative, so the "Original file" comments do not depend on where the repo is checked out.
    '--includeDirs=.',
    `--outDir=${outDir}`,
    ...PROTO_FILES,
  ],
  { cwd: PROTO_DIR, stdio: ['ignore', 'ignore', 'inherit'] },
);
